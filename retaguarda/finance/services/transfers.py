"""Transfers between cash accounts: one entry out of the origin, one into the destination."""

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
from retaguarda.finance.models import CashAccount, EntryKind, FinancialEntry, JournalAccount, Transfer
from retaguarda.finance.services.accounts import account_problem
from retaguarda.finance.services.journal import JLine, post_journal
from retaguarda.finance.services.ledger import append_entries

TRANSFER_SOURCE = "finance.transfer"


def transfer(
    *, actor: Actor, from_account_id: int, to_account_id: int, amount: Decimal, on: date | None = None, memo: str = ""
) -> Transfer:
    company_id = company_id_of(actor)
    on = on or timezone.localdate()
    details = []
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or money(amount) != amount:
        details.append({"field": "amount", "message": _("Enter an amount greater than zero (2 decimal places).")})
    elif amount >= Decimal("1e14"):
        details.append({"field": "amount", "message": _("Amount too large.")})
    if from_account_id == to_account_id:
        details.append({"field": "to_account_id", "message": _("Choose two different accounts.")})
    accounts = CashAccount.objects.filter(company_id=company_id).in_bulk([from_account_id, to_account_id])
    for field, pk in (("from_account_id", from_account_id), ("to_account_id", to_account_id)):
        if problem := account_problem(accounts.get(pk), field):
            details.append(problem)
    if len(memo) > 200:
        details.append({"field": "memo", "message": _("Text too long.")})
    if details:
        raise ValidationFailed(details=details)
    with transaction.atomic():
        moved = Transfer.objects.create(
            company_id=company_id,
            from_account_id=from_account_id,
            to_account_id=to_account_id,
            date=on,
            amount=amount,
            memo=memo.strip(),
            user_id=actor.user_id,
        )
        common = {"company_id": company_id, "kind": EntryKind.TRANSFER, "date": on, "transfer": moved, "amount": amount}
        append_entries(
            [
                FinancialEntry(account_id=from_account_id, cash_delta=-amount, memo=memo[:200], **common),
                FinancialEntry(account_id=to_account_id, cash_delta=amount, memo=memo[:200], **common),
            ],
            actor=actor,
        )
        post_journal(
            company_id=company_id,
            on=on,
            description=_("Transfer from %(a)s to %(b)s")
            % {"a": accounts[from_account_id], "b": accounts[to_account_id]},
            source_type=TRANSFER_SOURCE,
            source_ref=str(moved.pk),
            lines=[
                JLine(JournalAccount.CASH, amount, cash_account_id=to_account_id),
                JLine(JournalAccount.CASH, -amount, cash_account_id=from_account_id),
            ],
            actor=actor,
        )
        audit.record(actor, moved, "transferred", {"amount": str(amount)}, company_id=company_id)
    return moved
