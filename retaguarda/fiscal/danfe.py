"""DANFE (NF-e) and DANFCE (NFC-e) PDFs from the archived XML, with brazilfiscalreport: the NT 2026.010
layout (IBS/CBS totals) for notes issued from 2026-12-01, the MOC 7.0 one before (`AUTO` picks by
the issue date); homologação notes carry the "SEM VALOR FISCAL" watermark. The DACCe (a correction
letter's print) from the registered event."""

from brazilfiscalreport.dacce import DaCCe
from brazilfiscalreport.danfce import Danfce
from brazilfiscalreport.danfe import Danfe, DanfeConfig

from retaguarda.fiscal.models import DocumentModel, FiscalDocument, FiscalEvent
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


def render_correction(event: FiscalEvent) -> bytes:
    """The DACCe of a registered correction letter (its procEventoNFe), the emitter as the note has it."""
    data = event.document.emitter_data
    emitter = {
        "nome": data.get("legal_name", ""),
        "end": ", ".join(part for part in (data.get("street"), data.get("number"), data.get("complement")) if part),
        "bairro": data.get("district", ""),
        "cep": data.get("postal_code", ""),
        "cidade": data.get("municipality_name", ""),
        "uf": data.get("uf", ""),
        "fone": data.get("phone", ""),
        "ie": data.get("state_registration", ""),
    }
    return bytes(DaCCe(xml=event.xml, emitente=emitter).output())


def correction_filename(event: FiscalEvent) -> str:
    return f"DACCe-{event.document.key}-{event.sequence:02d}.pdf"
