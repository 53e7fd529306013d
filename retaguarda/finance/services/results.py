"""Amounts other apps recognise in the income statement without a title: taxes on sales and the cost of
goods sold. Sales posts the CMV from the stock issue's frozen cost (it reads inventory; finance never
does), so the accrual income statement's CMV is the cost of what was really issued."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.money import amount as money
from retaguarda.core.scope import company_id_of
from retaguarda.finance.models import JournalAccount, JournalEntry
from retaguarda.finance.services.chart import category_for_role, cost_center_of
from retaguarda.finance.services.journal import JLine, category_line, journal_for, post_journal
from retaguarda.finance.services.titles import SourceRef

# What each kind of recognised amount is booked against.
COUNTERPARTS = {
    "cmv": JournalAccount.INVENTORY,  # cost of goods sold: the goods leave inventory
    "sales_taxes": JournalAccount.TAXES_PAYABLE,  # taxes on sales: owed to the tax authorities
}


@dataclass(frozen=True)
class ResultLine:
    """`role` is `cmv` or `sales_taxes`; `amount` positive books the cost or tax, negative reverses it
    (a return puts the goods back into inventory)."""

    role: str
    amount: Decimal
    cost_center_id: int | None = None


def post_result(
    *, actor: Actor, on: date, source: SourceRef, lines: Sequence[ResultLine], description: str = ""
) -> JournalEntry:
    """Book `lines` in the journal on `on`, once per `source`: a retry returns the first entry."""
    company_id = company_id_of(actor)
    existing = journal_for(company_id, source.type, source.ref)
    if existing is not None:
        return existing
    details = []
    for i, line in enumerate(lines):
        if line.role not in COUNTERPARTS:
            details.append({"field": f"lines.{i}.role", "message": _("Unknown kind of amount.")})
        if not isinstance(line.amount, Decimal) or not line.amount.is_finite() or money(line.amount) != line.amount:
            details.append({"field": f"lines.{i}.amount", "message": _("Amounts have at most 2 decimal places.")})
    if not lines:
        details.append({"field": "lines", "message": _("Add at least one line.")})
    if details:
        raise ValidationFailed(details=details)
    journal: list[JLine] = []
    for line in lines:
        center = cost_center_of(company_id, line.cost_center_id)
        category = category_for_role(company_id, line.role)
        journal.append(category_line(category, line.amount, cost_center_id=center.pk if center else None))
        journal.append(JLine(COUNTERPARTS[line.role], -line.amount))
    try:
        with transaction.atomic():
            entry = post_journal(
                company_id=company_id,
                on=on,
                description=description or f"{source.type} {source.ref}",
                source_type=source.type,
                source_ref=source.ref,
                lines=journal,
                actor=actor,
            )
            audit.record(actor, entry, "posted", {"source": f"{source.type} {source.ref}"}, company_id=company_id)
    except IntegrityError:
        existing = journal_for(company_id, source.type, source.ref)
        if existing is None:
            raise
        return existing
    return entry
