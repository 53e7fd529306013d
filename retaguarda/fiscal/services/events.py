"""Events at SEFAZ: cancelling an authorized note (within 24 hours), correction letters (CC-e, up to
20 per note) and voiding unused numbers. Each is built and signed by us, validated against the event
schema (patched for the alphanumeric CNPJ), sent, and applied only when SEFAZ registers it."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from retaguarda.companies.models import Company
from retaguarda.core import audit, outbox
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.states import transition
from retaguarda.fiscal import certificates
from retaguarda.fiscal.models import FiscalDocument, FiscalEvent, Voiding
from retaguarda.fiscal.sefaz import events as sefaz_events
from retaguarda.fiscal.services import transmission
from retaguarda.fiscal.states import DocumentState
from retaguarda.fiscal.xml import schemas, signing

NFE = "http://www.portalfiscal.inf.br/nfe"
CANCEL_WINDOW = timedelta(hours=24)  # Ajuste SINIEF 07/2005, cláusula décima segunda
REGISTERED = {"135", "136", "155"}


def _document(document_id: int, actor: Actor) -> FiscalDocument:
    document = (
        scoped(FiscalDocument, actor)
        .select_related("company__fiscal_settings", "company__municipality")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        from retaguarda.core.errors import NotFound

        raise NotFound()
    return document


def _text(value: str, field: str, minimum: int, maximum: int) -> str:
    value = " ".join((value or "").split())
    if not minimum <= len(value) <= maximum:
        raise ValidationFailed(
            details=[
                {
                    "field": field,
                    "message": _("Write between %(min)s and %(max)s characters.") % {"min": minimum, "max": maximum},
                }
            ]
        )
    return value


def _send_event(document: FiscalDocument, event_type: str, sequence: int, details: dict, transmitter=None):
    company = document.company
    settings = company.fiscal_settings
    certificate = certificates.signing_certificate(company, settings)
    event = sefaz_events.build(
        event_type=event_type,
        key=document.key,
        cnpj=document.emitter_data["cnpj"],
        environment=document.environment,
        sequence=sequence,
        moment=timezone.now(),
        details=details,
    )
    signed = signing.sign(event, event.find(f"{{{NFE}}}infEvento").get("Id"), certificate)
    problems = sefaz_events.event_errors(signed)
    if problems:
        raise ValidationFailed(_("The event breaks the official schema: %(first)s") % {"first": problems[0]})
    transmitter = transmitter or transmission.transmitter_for(company, settings, document.emission_type)
    answer = transmitter.event(etree.tostring(signed))
    with transaction.atomic():
        transmission.record(document, company.pk, answer.exchange)
    if answer.status_code not in REGISTERED:
        raise transmission.SefazRejected(
            _("SEFAZ refused the event: %(code)s - %(reason)s")
            % {"code": answer.status_code, "reason": answer.message},
            details=[
                {
                    "cStat": answer.status_code,
                    "xMotivo": answer.message,
                    "hint": transmission.hint_for(answer.status_code),
                }
            ],
        )
    proc = etree.Element(f"{{{NFE}}}procEventoNFe", nsmap={None: NFE}, versao="1.00")
    proc.append(signed)
    proc.append(etree.fromstring(answer.element))
    return answer, etree.tostring(proc, encoding="utf-8").decode()


def cancel_document(document_id: int, *, actor: Actor, reason: str, transmitter=None) -> FiscalDocument:
    """Cancel an authorized note at SEFAZ (event 110111), then here; stock and receivables follow
    through `fiscal.document.cancelled` in the apps that own them."""
    reason = _text(reason, "reason", 15, 255)
    document = _document(document_id, actor)
    if document.state != DocumentState.AUTHORIZED:
        raise transmission.SefazRejected(_("Only an authorized note can be cancelled."))
    if document.authorized_at and timezone.now() - document.authorized_at > CANCEL_WINDOW:
        raise transmission.SefazRejected(
            _("The 24 hours to cancel this note have passed; issue a return note instead.")
        )
    answer, proc = _send_event(
        document, sefaz_events.CANCEL, 1, {"protocol": document.protocol, "reason": reason}, transmitter
    )
    with transaction.atomic():
        doc = transition(
            FiscalDocument, document.pk, to=DocumentState.CANCELLED, actor=actor, payload={"protocol": answer.protocol}
        )
        FiscalEvent.objects.create(
            company_id=doc.company_id,
            document=doc,
            event_type=sefaz_events.CANCEL,
            sequence=1,
            text=reason,
            protocol=answer.protocol,
            xml=proc,
        )
        audit.record(actor, doc, "cancelled", {"protocol": answer.protocol, "reason": reason})
        outbox.emit(transmission.CANCELLED_EVENT, transmission.event_payload(doc), company_id=doc.company_id)
    return doc


def correct_document(document_id: int, *, actor: Actor, text: str, transmitter=None) -> FiscalEvent:
    """A correction letter (CC-e, 110110): the next sequence, at most 20 per note."""
    text = _text(text, "text", 15, 1000)
    document = _document(document_id, actor)
    if document.state != DocumentState.AUTHORIZED:
        raise transmission.SefazRejected(_("Only an authorized note takes a correction letter."))
    sequence = FiscalEvent.objects.filter(document=document, event_type=sefaz_events.CORRECTION).count() + 1
    if sequence > sefaz_events.MAX_CORRECTIONS:
        raise transmission.SefazRejected(_("A note takes at most 20 correction letters."))
    answer, proc = _send_event(document, sefaz_events.CORRECTION, sequence, {"text": text}, transmitter)
    with transaction.atomic():
        event = FiscalEvent.objects.create(
            company_id=document.company_id,
            document=document,
            event_type=sefaz_events.CORRECTION,
            sequence=sequence,
            text=text,
            protocol=answer.protocol,
            xml=proc,
        )
        audit.record(actor, document, "corrected", {"sequence": sequence, "protocol": answer.protocol})
    return event


def void_numbers(
    *, actor: Actor, model: int, series: int, first: int, last: int, reason: str, transmitter=None
) -> Voiding:
    """Void (inutilizar) numbers first..last of a series that were never used."""
    reason = _text(reason, "reason", 15, 255)
    if not (1 <= first <= last <= 999_999_999) or last - first > 10_000:
        raise ValidationFailed(
            details=[{"field": "last", "message": _("Give a range of at most 10,000 numbers, first to last.")}]
        )
    company = Company.objects.select_related("fiscal_settings", "municipality").get(pk=company_id_of(actor))
    used = (
        scoped(FiscalDocument, actor)
        .filter(model=model, series=series, number__range=(first, last))
        .exclude(state__in=[DocumentState.REJECTED, DocumentState.DRAFT])
    )
    if used.exists():
        raise ValidationFailed(
            details=[{"field": "first", "message": _("A number of this range belongs to an issued note.")}]
        )
    settings = company.fiscal_settings
    request = sefaz_events.void_request(
        uf=company.uf, environment=settings.environment, year=timezone.localdate().year, cnpj=company.cnpj,
        model=model, series=series, first=first, last=last, reason=reason,
    )  # fmt: skip
    signed = signing.sign(
        request, request.find(f"{{{NFE}}}infInut").get("Id"), certificates.signing_certificate(company, settings)
    )
    problems = schemas.errors(signed, "inutNFe_v4.00.xsd")
    if problems:
        raise ValidationFailed(_("The request breaks the official schema: %(first)s") % {"first": problems[0]})
    transmitter = transmitter or transmission.transmitter_for(company, settings)
    answer = transmitter.void(etree.tostring(signed))
    with transaction.atomic():
        transmission.record(None, company.pk, answer.exchange)
    if answer.status_code != "102":
        raise transmission.SefazRejected(
            _("SEFAZ refused the voiding: %(code)s - %(reason)s")
            % {"code": answer.status_code, "reason": answer.message},
            details=[{"cStat": answer.status_code, "xMotivo": answer.message}],
        )
    with transaction.atomic():
        voiding = Voiding.objects.create(
            company=company, model=model, series=series, first=first, last=last, reason=reason, protocol=answer.protocol,
            xml=_void_proc(signed, answer.element),
        )  # fmt: skip
        rejected = scoped(FiscalDocument, actor).filter(
            model=model, series=series, number__range=(first, last), state=DocumentState.REJECTED
        )
        for pk in rejected.values_list("pk", flat=True):
            transition(FiscalDocument, pk, to=DocumentState.VOIDED, actor=actor, payload={"protocol": answer.protocol})
        audit.record(actor, voiding, "voided", {"first": first, "last": last, "protocol": answer.protocol})
    return voiding


def _void_proc(signed: etree._Element, answer: bytes) -> str:
    """`procInutNFe`: the signed request and SEFAZ's answer in one document, as the manual distributes them."""
    root = etree.Element(f"{{{NFE}}}procInutNFe", nsmap={None: NFE}, versao="4.00")
    root.append(signed)
    root.append(etree.fromstring(answer))
    return etree.tostring(root).decode()
