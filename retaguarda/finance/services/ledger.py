"""Appending financial entries and keeping the cash balances they project in the same transaction.

Account rows are locked in id order and their new balances computed in Python (exact Decimal) and
written back, so two postings on the same accounts queue instead of deadlocking or drifting."""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from retaguarda.core.actor import Actor
from retaguarda.core.money import ZERO
from retaguarda.finance.models import CashAccount, FinancialEntry


def lock_accounts(account_ids) -> dict[int, CashAccount]:
    ids = sorted({pk for pk in account_ids if pk})
    return {a.pk: a for a in CashAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def append_entries(rows: Sequence[FinancialEntry], *, actor: Actor) -> list[FinancialEntry]:
    """Insert `rows` (the ledger: INSERT only) and apply their cash effects to the account balances."""
    for row in rows:
        row.user_id = actor.user_id
        row.origin = actor.origin
    deltas: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row.cash_delta:
            deltas[row.account_id] += row.cash_delta
    accounts = lock_accounts(deltas)
    created = FinancialEntry.objects.bulk_create(rows)
    changed = []
    for pk, delta in deltas.items():
        if delta:
            accounts[pk].balance += delta
            changed.append(accounts[pk])
    if changed:
        CashAccount.objects.bulk_update(changed, ["balance"])
    return created


def mirror(entry: FinancialEntry, *, on, memo: str = "") -> FinancialEntry:
    """The row that undoes `entry`: the same references, every amount negated."""
    return FinancialEntry(
        company_id=entry.company_id,
        kind=entry.kind,
        date=on,
        account_id=entry.account_id,
        installment_id=entry.installment_id,
        title_id=entry.title_id,
        party_id=entry.party_id,
        category_id=entry.category_id,
        cost_center_id=entry.cost_center_id,
        settlement_id=entry.settlement_id,
        transfer_id=entry.transfer_id,
        amount=-entry.amount,
        cash_delta=-entry.cash_delta,
        principal_delta=-entry.principal_delta,
        tax=entry.tax,
        reverses=entry,
        memo=memo[:200],
    )
