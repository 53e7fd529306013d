"""Suggested matches for bank lines: unreconciled entries of the same account with the same cash effect
near the line's date, and open installments for the line's amount whose party's name or document
appears in the line's text. A fixed number of queries for a whole page of lines."""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from retaguarda.core.text import fold
from retaguarda.finance.models import FinancialEntry, Installment, StatementLine, TitleKind

ENTRY_WINDOW = timedelta(days=7)
INSTALLMENT_BEFORE = timedelta(days=45)  # paid late
INSTALLMENT_AFTER = timedelta(days=15)  # paid early


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "entry" or "installment"
    target_id: int
    label: str
    date: object
    amount: Decimal
    score: int  # higher is better


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", fold(text)) if len(w) >= 3}


def _score(line: StatementLine, day, party) -> int:
    score = 100 - abs((line.date - day).days)
    if party is not None:
        text = f"{line.memo} {line.name}"
        digits = re.sub(r"\D", "", text)
        if party.document and party.document in digits:
            score += 100
        name_words = _words(party.legal_name) | _words(party.trade_name)
        common = _words(text) & (name_words - {"ltda", "eireli", "comercio", "servicos", "me", "epp"})
        score += 30 * len(common)
    return score


def suggestions(lines: list[StatementLine], *, limit: int = 3) -> dict[int, list[Suggestion]]:
    """Up to `limit` suggestions per unreconciled line, best first (two queries for any number of lines)."""
    open_lines = [ln for ln in lines if ln.state == "unreconciled"]
    result: dict[int, list[Suggestion]] = {ln.pk: [] for ln in lines}
    if not open_lines:
        return result
    first, last = min(ln.date for ln in open_lines), max(ln.date for ln in open_lines)
    amounts = {ln.amount for ln in open_lines}
    entries = (
        FinancialEntry.objects.filter(
            account_id__in={ln.account_id for ln in open_lines},
            cash_delta__in=amounts,
            date__gte=first - ENTRY_WINDOW,
            date__lte=last + ENTRY_WINDOW,
            reconciliation__isnull=True,
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
        .select_related("party")
        .order_by("date", "id")
    )
    installments = (
        Installment.objects.filter(
            company_id=open_lines[0].company_id,
            amount_open__gt=0,
            amount_open__in={abs(a) for a in amounts},
            due_date__gte=first - INSTALLMENT_AFTER,
            due_date__lte=last + INSTALLMENT_BEFORE,
        )
        .select_related("party", "title")
        .order_by("due_date", "id")
    )
    entries, installments = list(entries), list(installments)
    for line in open_lines:
        found = []
        for e in entries:
            if (
                e.account_id == line.account_id
                and e.cash_delta == line.amount
                and abs((e.date - line.date).days) <= ENTRY_WINDOW.days
            ):
                label = f"{e.get_kind_display()} {e.party or ''} {e.memo}".strip()
                found.append(Suggestion("entry", e.pk, label, e.date, e.cash_delta, _score(line, e.date, e.party) + 50))
        kind = TitleKind.RECEIVABLE if line.amount > 0 else TitleKind.PAYABLE
        for inst in installments:
            if inst.kind != kind or inst.amount_open != abs(line.amount):
                continue
            if not (line.date - INSTALLMENT_BEFORE <= inst.due_date <= line.date + INSTALLMENT_AFTER):
                continue
            label = f"{inst.title} ({inst.number}) {inst.party or ''}".strip()
            found.append(
                Suggestion(
                    "installment",
                    inst.pk,
                    label,
                    inst.due_date,
                    inst.amount_open,
                    _score(line, inst.due_date, inst.party),
                )
            )
        found.sort(key=lambda s: (-s.score, s.kind, s.target_id))
        result[line.pk] = found[:limit]
    return result
