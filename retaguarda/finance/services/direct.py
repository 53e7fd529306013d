"""Direct entries (lançamentos avulsos): money in or out of an account with no title behind it, such as a
bank fee or interest earned found on a statement. The category's kind gives the direction."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.money import amount as money
from retaguarda.core.scope import company_id_of
from retaguarda.finance.models import CashAccount, CategoryKind, EntryKind, FinancialEntry, JournalAccount
from retaguarda.finance.services.accounts import account_problem
from retaguarda.finance.services.chart import category_of, cost_center_of
from retaguarda.finance.services.journal import JLine, category_line, post_journal
from retaguarda.finance.services.ledger import append_entries
from retaguarda.finance.services.titles import _party

DIRECT_SOURCE = "finance.entry"


def record_direct(
    *,
    actor: Actor,
    account_id: int,
    category_id: int,
    amount: Decimal,
    on: date | None = None,
    party_id: int | None = None,
    cost_center_id: int | None = None,
    memo: str = "",
) -> FinancialEntry:
    """`amount` (positive) comes into the account for an income category, goes out for an expense one."""
    company_id = company_id_of(actor)
    on = on or timezone.localdate()
    details = []
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or money(amount) != amount:
        details.append({"field": "amount", "message": _("Enter an amount greater than zero (2 decimal places).")})
    elif amount >= Decimal("1e14"):
        details.append({"field": "amount", "message": _("Amount too large.")})
    if len(memo) > 200:
        details.append({"field": "memo", "message": _("Text too long.")})
    account = CashAccount.objects.filter(company_id=company_id, pk=account_id).first()
    if problem := account_problem(account):
        details.append(problem)
    if details:
        raise ValidationFailed(details=details)
    category = category_of(company_id, category_id)
    center = cost_center_of(company_id, cost_center_id)
    party = _party(company_id, party_id)
    sign = 1 if category.kind == CategoryKind.INCOME else -1
    with transaction.atomic():
        [entry] = append_entries(
            [
                FinancialEntry(
                    company_id=company_id,
                    kind=EntryKind.DIRECT,
                    date=on,
                    account=account,
                    party=party,
                    category=category,
                    cost_center=center,
                    amount=amount,
                    cash_delta=sign * amount,
                    memo=memo.strip(),
                )
            ],
            actor=actor,
        )
        post_journal(
            company_id=company_id,
            on=on,
            description=memo.strip() or str(category),
            source_type=DIRECT_SOURCE,
            source_ref=str(entry.pk),
            lines=[
                JLine(JournalAccount.CASH, sign * amount, cash_account_id=account.pk),
                category_line(
                    category,
                    -sign * amount,
                    cost_center_id=center.pk if center else None,
                    party_id=party.pk if party else None,
                ),
            ],
            actor=actor,
        )
        audit.record_created(actor, entry, company_id=company_id)
    return entry
