"""Sending queued notes to SEFAZ, never twice.

A queued note is claimed under a lease (two workers never send the same note), moved to `sent`, and
sent synchronously (`indSinc=1`: some states refuse a one-note asynchronous batch, rejection 452). If
no answer comes back (timeout, dropped connection), the note stays `sent` and the next attempt asks
SEFAZ first (protocol query) before sending anything again; a "duplicidade" answer (204) recovers the
protocol SEFAZ already gave. Every request and answer is kept as a `SefazExchange`.
"""

import re
import threading
import time
from dataclasses import replace
from datetime import timedelta

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from retaguarda.core import audit, outbox
from retaguarda.core.actor import Actor
from retaguarda.core.errors import DomainError
from retaguarda.core.states import transition
from retaguarda.fiscal import certificates, checks
from retaguarda.fiscal.errors import CertificateError
from retaguarda.fiscal.models import FiscalDocument, FiscalSettings, SefazExchange
from retaguarda.fiscal.sefaz import contingency
from retaguarda.fiscal.sefaz.transmitter import Answer, Exchange, SefazUnavailable, Transmitter
from retaguarda.fiscal.services import contingency as switching
from retaguarda.fiscal.states import DocumentState
from retaguarda.fiscal.xml import schemas

NFE = "http://www.portalfiscal.inf.br/nfe"
LEASE = timedelta(minutes=2)
AUTHORIZED = {"100", "150"}
DENIED = {"110", "301", "302", "303", "205"}
DUPLICATE = {"204"}
NOT_FOUND = "217"
OUT_OF_SERVICE = {"108", "109"}
AUTHORIZED_EVENT = "fiscal.document.authorized"
CANCELLED_EVENT = "fiscal.document.cancelled"


def hints() -> dict[str, str]:
    """What to do about the rejections merchants meet most, in Portuguese (read at call time)."""
    return {
        "204": _("SEFAZ already authorized this note: its protocol was recovered."),
        "225": _("The XML broke SEFAZ's schema: check the items' NCM, CFOP and the recipient's data."),
        "297": _("The signature did not match: check that the A1 certificate is the company's and still valid."),
        "539": _("SEFAZ holds another note with this number: void the number or issue with the next one."),
        "590": _("A Simples Nacional emitter must use CSOSN: review the company's tax regime and its rules."),
        "591": _(
            "An emitter outside the Simples Nacional must use CST: review the company's tax regime and its rules."
        ),
        "531": _("The ICMS base total differs from the sum of the items: rebuild the note."),
        "564": _("The products total differs from the sum of the items: rebuild the note."),
        "209": _("The emitter's state registration (IE) is wrong: check the company's IE."),
        "232": _("The recipient's state registration (IE) is missing: fill it in the customer's record."),
        "233": _("The recipient's state registration (IE) is not registered at SEFAZ: check it with the customer."),
        "1115": _("The IBS/CBS group is missing: check the IBS/CBS rules valid on the issue date."),
        "301": _("Use denied: the emitter has a fiscal irregularity with the state. Talk to the accountant."),
        "302": _("Use denied: the recipient has a fiscal irregularity with the state."),
    }


_transmitters = threading.local()


class SefazRejected(DomainError):
    code = "fiscal.sefaz_rejected"
    status = 409


def transmitter_for(company, settings: FiscalSettings, emission_type: int = contingency.NORMAL) -> Transmitter:
    """The transmitter for the company's notes of `emission_type` (SVC-AN/SVC-RS for 6/7, else the state's)."""
    if not settings.sefaz_url and not getattr(django_settings, "SEFAZ_OFFICIAL", True):
        # Tests and offline machines never reach a real SEFAZ by accident.
        raise SefazUnavailable("the official SEFAZ is disabled here (SEFAZ_OFFICIAL=0); point the company at the fake")
    certificate = certificates.signing_certificate(company, settings)
    if settings.sefaz_url:
        ca_file = str(certificates.fake_sefaz_folder() / "ca.pem")
    else:
        ca_file = getattr(django_settings, "SEFAZ_CA_BUNDLE", None) or checks.shipped_bundle()
    arguments = {
        "uf": company.uf,
        "environment": settings.environment,
        "pkcs12": certificate.pkcs12,
        "password": certificate.password,
        "ca_file": ca_file,
        "base_url": settings.sefaz_url,
        "authority": contingency.authority(emission_type),
        "timeout": float(getattr(django_settings, "SEFAZ_TIMEOUT", 30)),
    }
    # One transmitter per thread and set of arguments: its HTTPS connection stays open between notes
    # (a mutual-TLS handshake per note cost more than SEFAZ's answer on the fake).
    key = tuple(sorted(arguments.items()))
    cache = _transmitters.__dict__.setdefault("cache", {})
    transmitter = cache.get(key)
    if transmitter is None:
        # nfelib's SOAP clients are imported with the first transmission, not at startup (seconds of CPU).
        from retaguarda.fiscal.sefaz.client import NfelibTransmitter

        if len(cache) >= 32:
            cache.clear()
        transmitter = cache[key] = NfelibTransmitter(**arguments)
    return transmitter


def record(document: FiscalDocument | None, company_id: int, exchange: Exchange | None) -> None:
    if exchange is None:
        return
    SefazExchange.objects.create(
        company_id=company_id,
        document=document,
        service=exchange.service,
        request=exchange.request,
        response=exchange.response,
        status_code=exchange.status_code[:4],
        message=exchange.message[:255],
        milliseconds=exchange.milliseconds,
    )


def _claim(document_id: int) -> tuple[FiscalDocument | None, bool]:
    """Take the note for this worker: (document, whether it may already be at SEFAZ)."""
    now = timezone.now()
    with transaction.atomic():
        document = FiscalDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.state not in (DocumentState.QUEUED, DocumentState.SENT):
            return None, False
        if document.lease_until and document.lease_until > now:
            return None, False  # another worker is talking to SEFAZ about it
        maybe_there = document.state == DocumentState.SENT
        if not maybe_there:
            transition(
                FiscalDocument, document.pk, to=DocumentState.SENT, actor=Actor.system(company_id=document.company_id)
            )
        FiscalDocument.objects.filter(pk=document.pk).update(lease_until=now + LEASE)
    return FiscalDocument.objects.select_related("company__fiscal_settings", "company__municipality").get(
        pk=document_id
    ), maybe_there


def _release(document_id: int) -> None:
    FiscalDocument.objects.filter(pk=document_id).update(lease_until=None)


def transmit(document_id: int, *, transmitter: Transmitter | None = None) -> FiscalDocument | None:
    """Send one queued note (or settle one whose answer was lost). Raises `SefazUnavailable` when
    SEFAZ did not answer, so the outbox tries again later; any other answer is applied."""
    if transmitter is None:  # refused here (no certificate, SEFAZ disabled) leaves the note queued
        found = (
            FiscalDocument.objects.select_related("company__fiscal_settings", "company__municipality")
            .filter(pk=document_id)
            .first()
        )
        if found is None:
            return None
        transmitter = transmitter_for(found.company, found.company.fiscal_settings, found.emission_type)
    document, maybe_there = _claim(document_id)
    if document is None:
        return None
    company = document.company
    try:
        if maybe_there:
            found = transmitter.query(document.key)
            with transaction.atomic():
                record(document, company.pk, found.exchange)
            if found.status_code in AUTHORIZED or found.status_code == "101":
                return _apply(document, found)
        answer = transmitter.authorize(document.xml.encode(), synchronous=True)
        if answer.status_code in DUPLICATE:
            with transaction.atomic():
                record(document, company.pk, answer.exchange)
            answer = transmitter.query(document.key)
        if answer.status_code in OUT_OF_SERVICE:
            with transaction.atomic():
                record(document, company.pk, answer.exchange)
            raise SefazUnavailable(f"{answer.status_code} {answer.message}")
        switching.sefaz_answered(company.pk)
        return _apply(document, answer)
    except SefazUnavailable as exc:
        with transaction.atomic():
            record(document, company.pk, exc.exchange)
        switching.sefaz_failed(company.pk)
        raise
    finally:
        _release(document_id)


MAX_BATCH = 50  # notes per enviNFe (MOC 7.0)
RECEIPT_WAITS = (1.0, 2.0, 4.0, 8.0, 15.0)  # seconds between receipt queries (SEFAZ's 105: still processing)
IN_PROCESSING = "105"


def transmit_batch(document_ids: list[int], *, transmitter: Transmitter | None = None, waits=RECEIPT_WAITS):
    """Send queued notes of one company as asynchronous batches (indSinc=0, up to 50 each), then fetch
    their protocols with the receipt, waiting longer between queries while SEFAZ is still processing.
    Notes that may already be at SEFAZ (an earlier answer lost) go through `transmit`, which asks first.
    A batch whose receipt never comes back leaves its notes `sent`: the next attempt queries each one
    before sending anything. Returns the documents as they ended."""
    done = []
    fresh = []
    for document_id in document_ids:
        document, maybe_there = _claim(document_id)
        if document is None:
            continue
        if maybe_there:
            _release(document_id)
            done.append(transmit(document_id, transmitter=transmitter))
        else:
            fresh.append(document)
    for start in range(0, len(fresh), MAX_BATCH):
        done.extend(_send_batch(fresh[start : start + MAX_BATCH], transmitter, waits))
    return [d for d in done if d is not None]


def _send_batch(documents: list[FiscalDocument], transmitter: Transmitter | None, waits) -> list[FiscalDocument]:
    company = documents[0].company
    if any(d.company_id != company.pk or d.emission_type != documents[0].emission_type for d in documents):
        raise ValueError("a batch holds notes of one company and one emission type")
    try:
        transmitter = transmitter or transmitter_for(company, company.fiscal_settings, documents[0].emission_type)
        answer = transmitter.authorize_batch([d.xml.encode() for d in documents])
        with transaction.atomic():
            record(None, company.pk, answer.exchange)
        if answer.status_code in OUT_OF_SERVICE:
            raise SefazUnavailable(f"{answer.status_code} {answer.message}")
        if not answer.receipt:  # the whole batch refused (schema, size): each note carries the reason
            return [_apply(d, replace(answer, exchange=None)) for d in documents]
        FiscalDocument.objects.filter(pk__in=[d.pk for d in documents]).update(receipt=answer.receipt)
        by_key = {}
        for wait in (0.0, *waits):
            time.sleep(wait)
            answers = transmitter.receipt(answer.receipt)
            if answers[0].status_code != IN_PROCESSING:
                with transaction.atomic():
                    record(None, company.pk, answers[0].exchange)
                by_key = {_key_of(a): a for a in answers if a.element}
                break
        else:
            raise SefazUnavailable(f"receipt {answer.receipt} still processing")
        switching.sefaz_answered(company.pk)
        return [_apply(d, _per_note(by_key[d.key], answer.receipt)) for d in documents if d.key in by_key]
    except SefazUnavailable as exc:
        with transaction.atomic():
            record(None, company.pk, exc.exchange)
        switching.sefaz_failed(company.pk)
        return []
    finally:
        for d in documents:
            _release(d.pk)


def _per_note(answer: Answer, receipt: str) -> Answer:
    """The note's own line in its conversation: its protocol from the receipt (the batch is kept once)."""
    exchange = Exchange(
        "NFeRetAutorizacao4",
        f"nRec {receipt}",
        answer.element.decode("utf-8", "replace"),
        answer.status_code,
        answer.message,
        milliseconds=answer.exchange.milliseconds if answer.exchange else 0,
    )
    return replace(answer, exchange=exchange)


def _key_of(answer: Answer) -> str:
    return etree.fromstring(answer.element).findtext(f".//{{{NFE}}}chNFe") or ""


def nfe_proc(signed_nfe: str, prot: bytes) -> bytes:
    """`nfeProc`: the signed note and SEFAZ's protocol, the XML that has legal value."""
    root = etree.Element(f"{{{NFE}}}nfeProc", nsmap={None: NFE}, versao="4.00")
    root.append(etree.fromstring(signed_nfe.encode()))
    root.append(etree.fromstring(prot))
    problems = schemas.errors(root, "procNFe_v4.00.xsd")
    if problems:
        raise SefazRejected(_("SEFAZ's protocol does not fit the note: %(first)s") % {"first": problems[0]})
    return etree.tostring(root, encoding="utf-8")


def _apply(document: FiscalDocument, answer: Answer) -> FiscalDocument:
    actor = Actor.system(company_id=document.company_id)
    code = answer.status_code
    with transaction.atomic():
        record(document, document.company_id, answer.exchange)
        if code in AUTHORIZED or code == "101":
            target = DocumentState.AUTHORIZED
        elif code in DENIED:
            target = DocumentState.DENIED
        else:
            target = DocumentState.REJECTED
        doc = transition(
            FiscalDocument, document.pk, to=target, actor=actor, payload={"cStat": code, "xMotivo": answer.message}
        )
        doc.status_code, doc.status_message = code, answer.message[:255]
        fields = ["status_code", "status_message"]
        if target == DocumentState.AUTHORIZED:
            doc.xml = nfe_proc(doc.xml, answer.element).decode()
            doc.protocol = answer.protocol
            doc.authorized_at = timezone.now()
            fields += ["xml", "protocol", "authorized_at"]
            outbox.emit(AUTHORIZED_EVENT, event_payload(doc), company_id=doc.company_id)
        elif target == DocumentState.DENIED:
            doc.protocol = answer.protocol
            fields.append("protocol")
        doc.save(update_fields=fields)
        audit.record(actor, doc, target, {"cStat": code, "xMotivo": answer.message})
    return doc


def event_payload(document: FiscalDocument) -> dict:
    """The payload of `fiscal.document.authorized` and `fiscal.document.cancelled`, as published in LANDED.md."""
    return {
        "document_id": document.pk,
        "company_id": document.company_id,
        "model": document.model,
        "series": document.series,
        "number": document.number,
        "key": document.key,
        "source_type": document.source_type,
        "source_id": document.source_id,
        "purpose": document.purpose,
    }


def recovered_protocol(message: str) -> str:
    """The nProt SEFAZ quotes in a duplicate's xMotivo ("[nProt:135...]")."""
    found = re.search(r"nProt:(\d+)", message)
    return found.group(1) if found else ""


def hint_for(code: str) -> str:
    return hints().get(code, "")


IN_OPERATION = "107"


def probe_contingencies() -> list[int]:
    """Ask the state's own service of each company in an automatic contingency for its status, and end
    the contingency where it answers 107 (in operation). The ids of the companies back to normal."""
    back = []
    waiting = FiscalSettings.objects.filter(contingency=True, contingency_automatic=True).select_related("company")
    for settings in waiting:
        company = settings.company
        try:
            answer = transmitter_for(company, settings).status()
        except CertificateError:
            continue  # no certificate to ask with: the settings page and the watch rule already say so
        except SefazUnavailable as exc:
            with transaction.atomic():
                record(None, company.pk, exc.exchange)
            continue
        with transaction.atomic():
            record(None, company.pk, answer.exchange)
        if answer.status_code == IN_OPERATION and switching.leave_automatic_contingency(company.pk):
            back.append(company.pk)
    return back
