"""Fiscal's watch rules (registered with `watch` from `FiscalConfig.ready`): notes SEFAZ rejected, notes
stuck in the queue, NFC-e issued offline near their deadline, the A1 certificate near its expiry. One query
each."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.fiscal.models import FiscalDocument, FiscalSettings
from retaguarda.fiscal.sefaz import contingency
from retaguarda.fiscal.states import DocumentState
from retaguarda.watch.registry import Finding, Param, day, integer, money, rule, text
from retaguarda.watch.states import Severity

FISCAL = "fiscal"
FIELDS = (
    "id",
    "model",
    "series",
    "number",
    "state",
    "total",
    "status_code",
    "status_message",
    "updated_at",
    "recipient_data",
)


def _label(doc: FiscalDocument) -> str:
    name = (doc.recipient_data or {}).get("name", "")
    return f"{doc}" + (f" · {name}" if name else "")


@rule(
    "fiscal.rejected",
    title=_("Tax document rejected"),
    department=FISCAL,
    severity=Severity.HIGH,
    explanation=_("SEFAZ rejected the note (%(code)s: %(reason)s); the goods of %(total)s cannot leave with it."),
    steps=[
        _("Read the rejection and fix the data (customer, product, tax rule)"),
        _("Return the note to draft and issue it again, or void its number"),
    ],
)
def rejected(company_id: int, params) -> list[Finding]:
    rows = FiscalDocument.objects.filter(company_id=company_id, state=DocumentState.REJECTED).only(*FIELDS)
    return [
        Finding(
            "fiscal.document",
            d.pk,
            _label(d),
            {
                "code": text(d.status_code, _("cStat")),
                "reason": text(d.status_message, _("xMotivo")),
                "total": money(d.total, _("Total")),
            },
            reverse("fiscal:document", args=[d.pk]),
        )
        for d in rows
    ]


@rule(
    "fiscal.stuck_in_queue",
    title=_("Tax document stuck in the queue"),
    department=FISCAL,
    severity=Severity.HIGH,
    explanation=_("The note has waited %(minutes)s minutes for SEFAZ (%(state)s)."),
    steps=[
        _("Check that the worker is running and SEFAZ is online"),
        _("Check the certificate and the fiscal settings"),
        _("Consider contingency issuance if SEFAZ is down"),
    ],
    params=[Param("minutes", _("Minutes a note may wait for SEFAZ"), 30, minimum=5)],
)
def stuck_in_queue(company_id: int, params) -> list[Finding]:
    now = timezone.now()
    rows = FiscalDocument.objects.filter(
        company_id=company_id,
        state__in=[DocumentState.QUEUED, DocumentState.SENT],
        updated_at__lt=now - timedelta(minutes=params["minutes"]),
    ).only(*FIELDS)
    return [
        Finding(
            "fiscal.document",
            d.pk,
            _label(d),
            {
                "minutes": integer(int((now - d.updated_at).total_seconds() // 60), _("Minutes waiting")),
                "state": text(d.get_state_display(), _("State")),
                "total": money(d.total, _("Total")),
            },
            reverse("fiscal:document", args=[d.pk]),
        )
        for d in rows
    ]


@rule(
    "fiscal.certificate_expiring",
    title=_("Digital certificate expiring"),
    department=FISCAL,
    severity=Severity.HIGH,
    explanation=_(
        "The A1 certificate of %(subject)s expires on %(until)s (%(days)s days): without it no note is issued."
    ),
    steps=[
        _("Buy or renew the A1 certificate with the certifying authority"),
        _("Upload the new certificate in the fiscal settings"),
    ],
    params=[Param("days", _("Days before the expiry to warn"), 30, minimum=1, maximum=365)],
)
def certificate_expiring(company_id: int, params) -> list[Finding]:
    now = timezone.now()
    rows = (
        FiscalSettings.objects.filter(
            company_id=company_id, certificate_not_after__lt=now + timedelta(days=params["days"])
        )
        .exclude(certificate_fingerprint="")
        .only("id", "certificate_subject", "certificate_not_after", "certificate_fingerprint")
    )
    return [
        Finding(
            "fiscal.certificate",
            s.certificate_fingerprint,
            s.certificate_subject[:200] or s.certificate_fingerprint[:16],
            {
                "subject": text(s.certificate_subject, _("Certificate")),
                "until": day(timezone.localdate(s.certificate_not_after), _("Valid until")),
                "days": integer((s.certificate_not_after - now).days, _("Days left")),
            },
            reverse("fiscal:settings"),
        )
        for s in rows
    ]


@rule(
    "fiscal.offline_deadline",
    title=_("NFC-e issued offline close to its deadline"),
    department=FISCAL,
    severity=Severity.CRITICAL,
    explanation=_("The NFC-e issued offline at %(issued)s must reach SEFAZ by %(deadline)s (%(hours)s hours left)."),
    steps=[
        _("Check the connection to SEFAZ and that the worker is running"),
        _("Send the note from its page as soon as SEFAZ answers"),
    ],
    params=[Param("hours", _("Hours before the deadline to warn"), 6, minimum=1, maximum=23)],
)
def offline_deadline(company_id: int, params) -> list[Finding]:
    now = timezone.now()
    rows = FiscalDocument.objects.filter(
        company_id=company_id,
        emission_type=contingency.NFCE_OFFLINE,
        state__in=[DocumentState.QUEUED, DocumentState.SENT],
        issued_at__lt=now - contingency.OFFLINE_DEADLINE + timedelta(hours=params["hours"]),
    ).only(*FIELDS, "issued_at")
    findings = []
    for d in rows:
        deadline = d.issued_at + contingency.OFFLINE_DEADLINE
        figures = {
            "issued": text(timezone.localtime(d.issued_at).strftime("%d/%m/%Y %H:%M"), _("Issued at")),
            "deadline": text(timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M"), _("Deadline")),
            "hours": integer(max(int((deadline - now).total_seconds() // 3600), 0), _("Hours left")),
            "total": money(d.total, _("Total")),
        }
        findings.append(Finding("fiscal.document", d.pk, _label(d), figures, reverse("fiscal:document", args=[d.pk])))
    return findings
