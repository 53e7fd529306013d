"""`check-ledgers` for finance: every projection recomputed from the ledgers, exactly (Decimal sums in
Python, read row by row, so the answer does not depend on the engine's arithmetic).

- every journal entry balances;
- each installment's open amount = its amount - Σ its entries' principal; a title's open amount and
  amount = Σ of its installments';
- each cash account's balance = opening balance + Σ its entries' cash effect = its journal balance;
- the journal's receivables = Σ open receivable installments, its payables = -Σ open payable ones."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from retaguarda.core.money import ZERO
from retaguarda.finance.models import (
    CashAccount,
    FinancialEntry,
    Installment,
    JournalAccount,
    JournalLine,
    Title,
    TitleKind,
)


@dataclass(frozen=True)
class Drift:
    what: str  # "journal", "installment", "title", "account", "receivables", "payables"
    ref: str
    stored: Decimal
    expected: Decimal


def _sums(qs, key_fields, value_field) -> dict:
    totals: dict = defaultdict(lambda: ZERO)
    for *key, value in qs.values_list(*key_fields, value_field).iterator(chunk_size=5000):
        totals[tuple(key) if len(key) > 1 else key[0]] += value
    return totals


def drift(company_id: int | None = None) -> list[Drift]:
    def scoped(qs):
        return qs.filter(company_id=company_id) if company_id else qs

    found: list[Drift] = []
    for entry_id, total in _sums(scoped(JournalLine.objects), ["entry_id"], "amount").items():
        if total != 0:
            found.append(Drift("journal", str(entry_id), total, ZERO))

    principal = _sums(scoped(FinancialEntry.objects).exclude(installment=None), ["installment_id"], "principal_delta")
    open_by_title: dict = defaultdict(lambda: ZERO)
    amount_by_title: dict = defaultdict(lambda: ZERO)
    open_by_kind: dict = defaultdict(lambda: ZERO)
    rows = scoped(Installment.objects).values_list("pk", "title_id", "company_id", "kind", "amount", "amount_open")
    for pk, title_id, company, kind, amount, amount_open in rows.iterator(chunk_size=5000):
        expected = amount - principal.get(pk, ZERO)
        if amount_open != expected:
            found.append(Drift("installment", str(pk), amount_open, expected))
        open_by_title[title_id] += amount_open
        amount_by_title[title_id] += amount
        open_by_kind[(company, kind)] += amount_open
    for pk, amount, amount_open in scoped(Title.objects).values_list("pk", "amount", "amount_open").iterator():
        if amount_open != open_by_title[pk]:
            found.append(Drift("title", f"{pk} open", amount_open, open_by_title[pk]))
        if amount != amount_by_title[pk]:
            found.append(Drift("title", f"{pk} amount", amount, amount_by_title[pk]))

    cash = _sums(scoped(FinancialEntry.objects).exclude(account=None), ["account_id"], "cash_delta")
    journal_cash = _sums(scoped(JournalLine.objects).filter(account=JournalAccount.CASH), ["cash_account_id"], "amount")
    for pk, opening, balance in scoped(CashAccount.objects).values_list("pk", "opening_balance", "balance"):
        expected = opening + cash.get(pk, ZERO)
        if balance != expected:
            found.append(Drift("account", str(pk), balance, expected))
        if journal_cash.get(pk, ZERO) != balance:
            found.append(Drift("account journal", str(pk), journal_cash.get(pk, ZERO), balance))

    by_account = _sums(
        scoped(JournalLine.objects).filter(account__in=[JournalAccount.RECEIVABLES, JournalAccount.PAYABLES]),
        ["company_id", "account"],
        "amount",
    )
    companies = {c for c, _k in open_by_kind} | {c for c, _a in by_account}
    for company in sorted(companies):
        receivables = by_account.get((company, JournalAccount.RECEIVABLES), ZERO)
        expected = open_by_kind[(company, TitleKind.RECEIVABLE)]
        if receivables != expected:
            found.append(Drift("receivables", f"company {company}", receivables, expected))
        payables = -by_account.get((company, JournalAccount.PAYABLES), ZERO)
        expected = open_by_kind[(company, TitleKind.PAYABLE)]
        if payables != expected:
            found.append(Drift("payables", f"company {company}", payables, expected))
    return found
