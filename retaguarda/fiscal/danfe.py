"""DANFE (NF-e) and DANFCE (NFC-e) PDFs from the archived XML, with brazilfiscalreport: the NT 2026.010
layout (IBS/CBS totals) for notes issued from 2026-12-01, the MOC 7.0 one before (`AUTO` picks by
the issue date); homologação notes carry the "SEM VALOR FISCAL" watermark."""

from brazilfiscalreport.danfce import Danfce
from brazilfiscalreport.danfe import Danfe, DanfeConfig

from retaguarda.fiscal.models import DocumentModel, FiscalDocument
from retaguarda.fiscal.states import DocumentState


def render(document: FiscalDocument, xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    if document.model == DocumentModel.NFCE:
        pdf = Danfce(text)
    else:
        pdf = Danfe(text, config=DanfeConfig(watermark_cancelled=document.state == DocumentState.CANCELLED))
    return bytes(pdf.output())


def filename(document: FiscalDocument) -> str:
    prefix = "DANFCE" if document.model == DocumentModel.NFCE else "DANFE"
    return f"{prefix}-{document.key}.pdf"
