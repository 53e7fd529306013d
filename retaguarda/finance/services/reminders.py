"""Reminder e-mails to customers, before and after the due date, from templates the company edits.
The periodic task picks the installments due for each template, records the reminder (once per
installment and template) and a collection note, and emits `finance.reminder`; the outbox mails it
after commit, so a rolled-back run sends nothing and a retried one never mails twice."""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit, outbox
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.formats import grouped
from retaguarda.core.scope import company_id_of
from retaguarda.core.versioning import lock_for_edit
from retaguarda.finance.models import (
    REMINDER_BODY_LENGTH,
    CollectionNote,
    Installment,
    NoteKind,
    ReminderSent,
    ReminderTemplate,
    TitleKind,
)

EVENT = "finance.reminder"
PLACEHOLDERS = ("{cliente}", "{valor}", "{vencimento}", "{documento}", "{empresa}", "{titulo}")
DEFAULT_TEMPLATES = (
    (
        "Lembrete 3 dias antes",
        -3,
        "Lembrete: vencimento em {vencimento}",
        "Olá, {cliente}.\n\nLembramos que a parcela de {valor} do documento {documento} vence em {vencimento}.\n\n"
        "Se já pagou, desconsidere esta mensagem.\n\n{empresa}",
    ),
    (
        "Cobrança 5 dias após",
        5,
        "Parcela em atraso desde {vencimento}",
        "Olá, {cliente}.\n\nNão identificamos o pagamento da parcela de {valor} do documento {documento}, vencida em "
        "{vencimento}. Podemos ajudar com uma segunda via?\n\n{empresa}",
    ),
)


def render(text: str, installment: Installment) -> str:
    title = installment.title
    party = installment.party
    values = {
        "{cliente}": (party.trade_name or party.legal_name) if party else "",
        "{valor}": f"R$ {grouped(installment.amount_open, 2)}",
        "{vencimento}": f"{installment.due_date:%d/%m/%Y}",
        "{documento}": title.document_number or str(title),
        "{empresa}": str(title.company),
        "{titulo}": str(title),
    }
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def _clean(data: dict) -> list[dict]:
    details = []
    for field, size in (("name", 60), ("subject", 150)):
        data[field] = (data.get(field) or "").strip()
        if not data[field] or len(data[field]) > size:
            details.append({"field": field, "message": _("Enter up to %(n)s characters.") % {"n": size}})
    data["body"] = (data.get("body") or "").strip()
    if not data["body"] or len(data["body"]) > REMINDER_BODY_LENGTH:
        details.append({"field": "body", "message": _("Write the message (up to 5,000 characters).")})
    offset = data.get("days_offset")
    if not isinstance(offset, int) or not -60 <= offset <= 120:
        details.append(
            {"field": "days_offset", "message": _("Between 60 days before and 120 days after the due date.")}
        )
    return details


def create_template(*, actor: Actor, name: str, days_offset: int, subject: str, body: str) -> ReminderTemplate:
    company_id = company_id_of(actor)
    data = {"name": name, "days_offset": days_offset, "subject": subject, "body": body}
    details = _clean(data)
    if not details and ReminderTemplate.objects.filter(company_id=company_id, name=data["name"]).exists():
        details.append({"field": "name", "message": _("Another template has this name.")})
    if details:
        raise ValidationFailed(details=details)
    with transaction.atomic():
        template = ReminderTemplate.objects.create(company_id=company_id, **data)
        audit.record_created(actor, template)
    return template


def update_template(template_id: int, *, actor: Actor, version: int | None = None, **changes) -> ReminderTemplate:
    company_id = company_id_of(actor)
    with transaction.atomic():
        template = lock_for_edit(ReminderTemplate.objects.filter(company_id=company_id), template_id, version)
        before = audit.snapshot(template)
        data = {k: getattr(template, k) for k in ("name", "days_offset", "subject", "body")}
        data.update({k: v for k, v in changes.items() if k in data})
        details = _clean(data)
        if details:
            raise ValidationFailed(details=details)
        for k, v in data.items():
            setattr(template, k, v)
        if "is_active" in changes:
            template.is_active = bool(changes["is_active"])
        template.version += 1
        template.save()
        audit.record_changed(actor, template, before)
    return template


def ensure_templates(company_id: int) -> None:
    """The two usual reminders, the first time a company opens collections (then its own to edit)."""
    if ReminderTemplate.objects.filter(company_id=company_id).exists():
        return
    try:
        with transaction.atomic():
            for name, offset, subject, body in DEFAULT_TEMPLATES:
                ReminderTemplate.objects.create(
                    company_id=company_id, name=name, days_offset=offset, subject=subject, body=body
                )
    except IntegrityError:
        pass


def queue_reminders(company_id: int, *, today: date | None = None, catch_up_days: int = 3) -> int:
    """Record and emit the reminders due today (and in the last `catch_up_days`, if the worker was
    stopped); returns how many were queued."""
    today = today or timezone.localdate()
    queued = 0
    for template in ReminderTemplate.objects.filter(company_id=company_id, is_active=True):
        due_from = today - timedelta(days=template.days_offset + catch_up_days)
        due_to = today - timedelta(days=template.days_offset)
        candidates = (
            Installment.objects.filter(
                company_id=company_id,
                kind=TitleKind.RECEIVABLE,
                amount_open__gt=0,
                due_date__gte=due_from,
                due_date__lte=due_to,
            )
            .exclude(party__email="")
            .exclude(party=None)
            .select_related("party", "title__company")
        )
        done = set(
            ReminderSent.objects.filter(template=template, installment__in=candidates).values_list(
                "installment_id", flat=True
            )
        )
        for inst in candidates:
            if inst.pk in done:
                continue
            with transaction.atomic():
                sent = ReminderSent.objects.create(
                    company_id=company_id,
                    installment=inst,
                    template=template,
                    email=inst.party.email,
                    subject=render(template.subject, inst)[:200],
                    body=render(template.body, inst),
                )
                CollectionNote.objects.create(
                    company_id=company_id,
                    title=inst.title,
                    party=inst.party,
                    kind=NoteKind.REMINDER,
                    text=_("Reminder “%(name)s” to %(email)s.") % {"name": template.name, "email": inst.party.email},
                )
                outbox.emit(EVENT, {"reminder": sent.pk}, company_id=company_id)
            queued += 1
    return queued


@outbox.handler(EVENT, atomic=False)
def mail_reminder(event) -> None:
    """Mail one reminder (after commit, by the worker); a reminder already mailed is not mailed again."""
    sent = ReminderSent.objects.filter(pk=event.payload["reminder"]).first()
    if sent is None or sent.sent_at is not None:
        return
    send_mail(sent.subject, sent.body, settings.DEFAULT_FROM_EMAIL, [sent.email])
    ReminderSent.objects.filter(pk=sent.pk, sent_at=None).update(sent_at=timezone.now())
