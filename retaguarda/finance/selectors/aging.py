"""Receivables aging (a vencer, vencidos 1-30, 31-60, 61-90, 90+) per party, payables by due date, and a
party's statement (its receivables and payables in the journal, with a running balance)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.core.decimal_sql import DecimalSum
from retaguarda.core.money import ZERO, amount
from retaguarda.finance.models import Installment, JournalAccount, JournalLine, TitleKind

BUCKETS = (
    ("current", _("Not yet due"), None, 0),
    ("d1_30", _("1-30 days"), 1, 30),
    ("d31_60", _("31-60 days"), 31, 60),
    ("d61_90", _("61-90 days"), 61, 90),
    ("d90_plus", _("Over 90 days"), 91, None),
)


@dataclass
class AgingRow:
    party_id: int | None
    party: str
    buckets: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def overdue(self) -> Decimal:
        return self.total - self.buckets["current"]


@dataclass
class Aging:
    today: date
    kind: str
    rows: list[AgingRow] = field(default_factory=list)

    def totals(self) -> dict[str, Decimal]:
        return {key: sum((r.buckets[key] for r in self.rows), ZERO) for key, *_rest in BUCKETS}


def _bucket_condition(today: date, low: int | None, high: int | None) -> Q:
    if low is None:  # not yet due: due today or later
        return Q(due_date__gte=today)
    condition = Q(due_date__lte=today - timedelta(days=low))
    if high is not None:
        condition &= Q(due_date__gte=today - timedelta(days=high))
    return condition


def aging(company_id: int, *, kind: str = TitleKind.RECEIVABLE, today: date | None = None) -> Aging:
    """One query: open installments summed per party and bucket, largest overdue first."""
    today = today or timezone.localdate()
    annotations = {
        key: DecimalSum("amount_open", filter=_bucket_condition(today, low, high), default=ZERO)
        for key, _label, low, high in BUCKETS
    }
    rows = (
        Installment.objects.filter(company_id=company_id, kind=kind, amount_open__gt=0)
        .values("party_id", "party__legal_name", "party__trade_name")
        .annotate(**annotations)
        .order_by()
    )
    result = Aging(today, kind)
    for row in rows:
        name = row["party__trade_name"] or row["party__legal_name"] or str(_("(no party)"))
        result.rows.append(AgingRow(row["party_id"], name, {key: amount(row[key] or ZERO) for key, *_r in BUCKETS}))
    result.rows.sort(key=lambda r: (-r.overdue, -r.total, r.party))
    return result


def open_installments(
    company_id: int, *, kind: str, due_from: date | None = None, due_to: date | None = None, party_id=None
):
    """Open installments by due date (payables by due date, collections' detail)."""
    qs = Installment.objects.filter(company_id=company_id, kind=kind, amount_open__gt=0).select_related(
        "title", "party"
    )
    if due_from:
        qs = qs.filter(due_date__gte=due_from)
    if due_to:
        qs = qs.filter(due_date__lte=due_to)
    if party_id:
        qs = qs.filter(party_id=party_id)
    return qs.order_by("due_date", "id")


@dataclass
class StatementRow:
    date: date
    description: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    source_type: str
    source_ref: str


@dataclass
class PartyStatement:
    opening: Decimal
    rows: list[StatementRow]

    @property
    def closing(self) -> Decimal:
        return self.rows[-1].balance if self.rows else self.opening


def party_statement(company_id: int, party_id: int, *, start: date, end: date) -> PartyStatement:
    """What the party owes us (positive) or we owe it (negative), from the journal: titles, settlements,
    credits and cancellations, each on its date with the running balance. Two queries."""
    lines = JournalLine.objects.filter(
        company_id=company_id, party_id=party_id, account__in=[JournalAccount.RECEIVABLES, JournalAccount.PAYABLES]
    )
    opening = amount(lines.filter(date__lt=start).aggregate(v=DecimalSum("amount", default=ZERO))["v"])
    balance = opening
    rows = []
    for line in (
        lines.filter(date__gte=start, date__lte=end).select_related("entry").order_by("date", "entry__created_at", "id")
    ):
        balance += line.amount
        rows.append(
            StatementRow(
                line.date,
                line.entry.description,
                line.amount if line.amount > 0 else ZERO,
                -line.amount if line.amount < 0 else ZERO,
                balance,
                line.entry.source_type,
                line.entry.source_ref,
            )
        )
    return PartyStatement(opening, rows)
