"""Fiscal API at `/api/v1/fiscal`: operations, tax rules, documents (+ XML and DANFE), tax preview, settings.

Building a note answers its taxes line by line, each with the rule that fired and why. State changes
are POST commands (`/documents/{id}/issue`, `/discard`); a foreign id answers 404.
"""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Status, UploadedFile

from retaguarda.core.actor import actor_of
from retaguarda.core.api import Page, PageLimit, idempotent, keyset_page_body
from retaguarda.core.api_auth import require
from retaguarda.core.errors import DomainError
from retaguarda.fiscal import certificates, selectors, services
from retaguarda.fiscal.schemas import (
    BatchIn,
    ContingencyIn,
    CorrectionIn,
    CscIn,
    DocumentInSchema,
    DocumentOut,
    DocumentSummaryOut,
    ExchangeOut,
    FiscalEventOut,
    NoteCancelIn,
    OperationOut,
    PreviewOut,
    SettingsOut,
    StatusOut,
    TaxRuleIn,
    TaxRuleOut,
    VoidingIn,
    VoidingOut,
)
from retaguarda.fiscal.sefaz.transmitter import SefazUnavailable
from retaguarda.fiscal.services import tax_rules

router = Router(tags=["fiscal"])


class Unavailable(DomainError):
    code = "fiscal.sefaz_unavailable"
    status = 503
    default_message = _("SEFAZ did not answer. The note is kept and will be sent again.")


VIEW = require("fiscal.view")
CHANGE = require("fiscal.change")
ISSUE = require("fiscal.issue")


def _document(request, document_id: int):
    document = selectors.document(company=request.company, pk=document_id)
    if document is None:
        raise Http404
    return document


@router.get("/settings", response=SettingsOut, auth=VIEW)
def get_settings(request):
    settings = selectors.settings(company=request.company)
    if settings is None:
        raise Http404
    return settings


@router.post("/certificate", response=SettingsOut, auth=CHANGE)
def upload_certificate(request, certificate: File[UploadedFile], password: Form[str] = ""):
    """Install the company's A1 certificate (multipart: `certificate` file, `password`); stored encrypted.
    A wrong password, a foreign, expired or non-signing certificate answers 422 saying which."""
    services.install_certificate(certificate.read(certificates.MAX_PFX_BYTES + 1), password, actor=actor_of(request))
    return selectors.settings(company=request.company)


@router.put("/csc", response=SettingsOut, auth=CHANGE)
def save_csc(request, body: CscIn):
    """The NFC-e CSC and its id (QR code version 2), stored encrypted; never answered back."""
    services.set_csc(body.csc_id, body.csc, actor=actor_of(request))
    return selectors.settings(company=request.company)


@router.post("/contingency", response=SettingsOut, auth=ISSUE)
def switch_contingency(request, body: ContingencyIn):
    """Enter contingency (`on: true` with a 15-256 character `reason`, printed on every note) or leave it."""
    actor = actor_of(request)
    if body.on:
        services.enter_contingency(body.reason, actor=actor)
    else:
        services.leave_contingency(actor=actor)
    return selectors.settings(company=request.company)


@router.get("/operations", response=Page[OperationOut], auth=VIEW)
def list_operations(request, cursor: str | None = None, limit: PageLimit = 50):
    """Naturezas da operação and the CFOP each takes within the state, to another state and abroad."""
    return keyset_page_body(
        selectors.operations(company=request.company), cursor=cursor, limit=limit, ordering=("name", "id")
    )


@router.get("/tax-rules", response=Page[TaxRuleOut], auth=VIEW)
def list_tax_rules(
    request, tax: str | None = None, active: bool | None = None, cursor: str | None = None, limit: PageLimit = 50
):
    qs = selectors.tax_rules(company=request.company, tax=tax, active=active)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("id",))


@router.post("/tax-rules", response={201: TaxRuleOut}, auth=CHANGE)
@idempotent
def create_tax_rule(request, body: TaxRuleIn):
    """A rule for one tax; blank criteria match anything, the highest priority then the most specific wins."""
    return Status(201, tax_rules.create_tax_rule(actor=actor_of(request), **body.dict()))


@router.get("/documents", response=Page[DocumentSummaryOut], auth=VIEW)
def list_documents(
    request, state: str | None = None, model: int | None = None, cursor: str | None = None, limit: PageLimit = 50
):
    qs = selectors.documents(company=request.company, state=state, model=model)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("-id",))


@router.post("/documents", response={201: DocumentOut}, auth=CHANGE)
@idempotent
def create_document(request, body: DocumentInSchema):
    """Build a draft NF-e (55) or NFC-e (65): lines, taxes with their reasons, totals. No number yet."""
    document = services.build_document(body.to_input(), actor=actor_of(request))
    return Status(201, _document(request, document.pk))


@router.post("/preview", response=PreviewOut, auth=VIEW)
def preview(request, body: DocumentInSchema):
    """The taxes of a would-be document, line by line with the rule behind each; nothing is saved."""
    document, lines = services.preview(body.to_input(), actor=actor_of(request))
    return {"total": document.total, "tax_totals": document.tax_totals, "lines": lines}


@router.get("/documents/{document_id}", response=DocumentOut, auth=VIEW)
def get_document(request, document_id: int):
    return _document(request, document_id)


@router.post("/documents/{document_id}/issue", response=DocumentOut, auth=ISSUE)
def issue_document(request, document_id: int):
    """Number, key, XML validated against the official schema and signed: the note is queued for SEFAZ."""
    _document(request, document_id)
    services.issue_document(document_id, actor=actor_of(request))
    return _document(request, document_id)


@router.post("/documents/{document_id}/discard", response=DocumentOut, auth=CHANGE)
def discard_document(request, document_id: int):
    _document(request, document_id)
    services.discard_document(document_id, actor=actor_of(request))
    return _document(request, document_id)


@router.post("/documents/{document_id}/transmit", response=DocumentOut, auth=ISSUE)
def transmit_document(request, document_id: int):
    """Send a queued note to SEFAZ now (the worker does it on its own); a note whose answer was lost is
    settled by a protocol query first, never sent twice. 503 `fiscal.sefaz_unavailable` without an answer."""
    _document(request, document_id)
    try:
        services.transmit(document_id)
    except SefazUnavailable as exc:
        raise Unavailable(str(exc)) from exc
    return _document(request, document_id)


@router.post("/documents/{document_id}/reopen", response=DocumentOut, auth=CHANGE)
def reopen_document(request, document_id: int):
    """A rejected note back to draft, to be fixed and issued again with the same number."""
    _document(request, document_id)
    services.reopen_document(document_id, actor=actor_of(request))
    return _document(request, document_id)


@router.post("/documents/{document_id}/cancel", response=DocumentOut, auth=ISSUE)
def cancel_document(request, document_id: int, body: NoteCancelIn):
    """Cancel an authorized note at SEFAZ (within 24 hours); 409 `fiscal.sefaz_rejected` with cStat and xMotivo."""
    _document(request, document_id)
    services.cancel_document(document_id, actor=actor_of(request), reason=body.reason)
    return _document(request, document_id)


@router.post("/documents/{document_id}/correction", response={201: FiscalEventOut}, auth=ISSUE)
def correct_document(request, document_id: int, body: CorrectionIn):
    """A correction letter (CC-e), up to 20 per note."""
    _document(request, document_id)
    return Status(201, services.correct_document(document_id, actor=actor_of(request), text=body.text))


@router.get("/documents/{document_id}/exchanges", response=list[ExchangeOut], auth=VIEW)
def document_exchanges(request, document_id: int):
    """The conversation with SEFAZ: each request and answer, cStat and time."""
    return list(_document(request, document_id).exchanges.order_by("id"))


@router.post("/batches", response=list[DocumentSummaryOut], auth=ISSUE)
def transmit_batch(request, body: BatchIn):
    """Send queued notes as asynchronous batches (up to 50 each, indSinc=0) and fetch their protocols
    with the receipt; answers each note as it ended (authorized, rejected, or still sent)."""
    ids = list(
        selectors.documents(company=request.company).filter(pk__in=body.document_ids).values_list("pk", flat=True)
    )
    if len(ids) != len(set(body.document_ids)):
        raise Http404
    try:
        services.transmit_batch(ids)
    except SefazUnavailable as exc:
        raise Unavailable() from exc
    return list(selectors.documents(company=request.company).filter(pk__in=ids).order_by("id"))


@router.post("/voidings", response={201: VoidingOut}, auth=ISSUE)
def void_numbers(request, body: VoidingIn):
    """Void (inutilizar) unused numbers of a series at SEFAZ."""
    return Status(201, services.void_numbers(actor=actor_of(request), **body.dict()))


@router.get("/status", response=StatusOut, auth=VIEW)
def sefaz_status(request):
    """SEFAZ's service status for the company (107 in operation, 108/109 out of service)."""
    from retaguarda.fiscal.services import transmission

    settings = selectors.settings(company=request.company)
    if settings is None:
        raise Http404
    try:
        answer = transmission.transmitter_for(request.company, settings).status()
    except SefazUnavailable as exc:
        raise Unavailable(str(exc)) from exc
    return {"status_code": answer.status_code, "message": answer.message}


@router.get("/documents/{document_id}/xml", auth=VIEW, response={200: None, 404: None})
def document_xml(request, document_id: int):
    """The signed XML (with the SEFAZ protocol once authorized); 404 while the note is a draft."""
    document = _document(request, document_id)
    xml = services.signed_xml(document)
    if xml is None:
        raise Http404
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{document.key}.xml"'
    return response


@router.get("/documents/{document_id}/danfe", auth=VIEW, response={200: None, 404: None})
def document_danfe(request, document_id: int):
    """The DANFE (NF-e) or DANFCE (NFC-e) PDF; 404 while the note is a draft."""
    document = _document(request, document_id)
    xml = services.signed_xml(document)
    if xml is None:
        raise Http404
    from retaguarda.fiscal import danfe  # brazilfiscalreport and fpdf2 load only when a PDF is asked for

    response = HttpResponse(danfe.render(document, xml), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{danfe.filename(document)}"'
    return response


@router.get("/documents/{document_id}/corrections/{sequence}/dacce", auth=VIEW, response={200: None, 404: None})
def correction_dacce(request, document_id: int, sequence: int):
    """The DACCe PDF of the note's correction letter number `sequence` (1 to 20)."""
    event = selectors.correction(company=request.company, document_id=document_id, sequence=sequence)
    if event is None:
        raise Http404
    from retaguarda.fiscal import danfe

    response = HttpResponse(danfe.render_correction(event), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{danfe.correction_filename(event)}"'
    return response
