"""Collections (cobrança): contact notes and promises of payment recorded on a title."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.money import amount as money
from retaguarda.core.scope import company_id_of
from retaguarda.finance.models import CollectionNote, NoteKind, Title


def add_note(
    title_id: int,
    *,
    actor: Actor,
    kind: str = NoteKind.NOTE,
    text: str = "",
    promised_date: date | None = None,
    promised_amount: Decimal | None = None,
) -> CollectionNote:
    company_id = company_id_of(actor)
    title = Title.objects.filter(company_id=company_id, pk=title_id).first()
    if title is None:
        raise NotFound()
    details = []
    text = (text or "").strip()
    if kind not in (NoteKind.NOTE, NoteKind.PROMISE):
        details.append({"field": "kind", "message": _("Invalid value.")})
    if kind == NoteKind.NOTE and not text:
        details.append({"field": "text", "message": _("Write what was said.")})
    if len(text) > 2000:
        details.append({"field": "text", "message": _("Text too long.")})
    if kind == NoteKind.PROMISE and not isinstance(promised_date, date):
        details.append({"field": "promised_date", "message": _("Enter the promised date.")})
    if promised_amount is not None and (
        not isinstance(promised_amount, Decimal)
        or not promised_amount.is_finite()
        or promised_amount <= 0
        or money(promised_amount) != promised_amount
    ):
        details.append(
            {"field": "promised_amount", "message": _("Enter an amount greater than zero (2 decimal places).")}
        )
    if details:
        raise ValidationFailed(details=details)
    with transaction.atomic():
        note = CollectionNote.objects.create(
            company_id=company_id,
            title=title,
            party_id=title.party_id,
            kind=kind,
            text=text,
            promised_date=promised_date if kind == NoteKind.PROMISE else None,
            promised_amount=promised_amount if kind == NoteKind.PROMISE else None,
            user_id=actor.user_id,
        )
        audit.record_created(actor, note)
    return note
