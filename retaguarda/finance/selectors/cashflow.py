"""Cash flow: realized (the entries' cash effects) and projected (open installments by due date, and the
recurring bills' occurrences not yet turned into titles), by day, week or month, with the balance line
and the first day it goes negative. A fixed number of queries whatever the period.

Overdue open installments are projected on today (they are still expected, only late). Transfers
between the company's own accounts are left out of the consolidated view (they net to zero) and shown
in a single account's. The projection is the company's, so it is only drawn on the consolidated view."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from retaguarda.core.decimal_sql import DecimalSub, DecimalSum
from retaguarda.core.money import ZERO, MoneyField, amount
from retaguarda.finance.models import (
    CashAccount,
    EntryKind,
    FinancialEntry,
    Installment,
    RecurringBill,
    Title,
    TitleKind,
)
from retaguarda.finance.services.recurring import occurrences

GRANULARITIES = ("day", "week", "month")
MONEY = MoneyField()
MAX_DAYS = 800


@dataclass
class CashFlowRow:
    start: date
    end: date
    realized_in: Decimal = ZERO
    realized_out: Decimal = ZERO
    projected_in: Decimal = ZERO
    projected_out: Decimal = ZERO
    balance: Decimal = ZERO  # at the end of the period

    @property
    def net(self) -> Decimal:
        return self.realized_in + self.projected_in - self.realized_out - self.projected_out


@dataclass
class CashFlow:
    start: date
    end: date
    today: date
    granularity: str
    account: CashAccount | None
    opening_balance: Decimal
    overdue_in: Decimal
    overdue_out: Decimal
    rows: list[CashFlowRow] = field(default_factory=list)
    first_negative_day: date | None = None
    lowest_balance: Decimal = ZERO

    @property
    def closing_balance(self) -> Decimal:
        return self.rows[-1].balance if self.rows else self.opening_balance

    def totals(self) -> dict[str, Decimal]:
        keys = ("realized_in", "realized_out", "projected_in", "projected_out")
        return {k: sum((getattr(r, k) for r in self.rows), ZERO) for k in keys}


def period_of(day: date, granularity: str) -> date:
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    return day


def _period_end(start: date, granularity: str) -> date:
    if granularity == "month":
        following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    if granularity == "week":
        return start + timedelta(days=6)
    return start


def _money(value) -> Decimal:
    return amount(value) if value is not None else ZERO


def opening_balance(accounts, start: date) -> Decimal:
    """What `accounts` opened before `start` held at its beginning: their balance (a projection kept with
    the ledger) less what moved them since, so only the entries from `start` on are read, never the years
    before it. One statement, so the balances and the entries come from the same snapshot (a settlement
    committing meanwhile is in both or in neither)."""
    since = (
        FinancialEntry.objects.filter(account=OuterRef("pk"), date__gte=start)
        .exclude(cash_delta=0)
        .order_by()
        .values("account")
        .annotate(total=DecimalSum("cash_delta"))
        .values("total")
    )
    return _money(
        accounts.filter(opening_date__lt=start)
        .annotate(since=Coalesce(Subquery(since, output_field=MONEY), Value(ZERO), output_field=MONEY))
        .aggregate(v=DecimalSum(DecimalSub("balance", "since")))["v"]
    )


def cash_flow(
    company_id: int,
    *,
    start: date,
    end: date,
    granularity: str = "day",
    account_id: int | None = None,
    today: date | None = None,
) -> CashFlow:
    today = today or timezone.localdate()
    if granularity not in GRANULARITIES:
        granularity = "day"
    end = min(end, start + timedelta(days=MAX_DAYS))
    account = CashAccount.objects.filter(company_id=company_id, pk=account_id).first() if account_id else None
    accounts = CashAccount.objects.filter(company_id=company_id)
    entries = FinancialEntry.objects.filter(company_id=company_id).exclude(cash_delta=0)
    if account is not None:
        accounts = accounts.filter(pk=account.pk)
        entries = entries.filter(account=account)
    else:
        entries = entries.exclude(kind=EntryKind.TRANSFER)

    opening = opening_balance(accounts, start)
    daily_in: dict[date, Decimal] = defaultdict(lambda: ZERO)
    daily_out: dict[date, Decimal] = defaultdict(lambda: ZERO)
    # Accounts opened inside the period come in with their opening balance on their opening date.
    for day, value in accounts.filter(opening_date__gte=start, opening_date__lte=end).values_list(
        "opening_date", "opening_balance"
    ):
        (daily_in if value > 0 else daily_out)[day] += abs(value)
    realized = (
        entries.filter(date__gte=start, date__lte=min(end, today))
        .values("date")
        .annotate(
            inflow=DecimalSum("cash_delta", filter=Q(cash_delta__gt=0)),
            outflow=DecimalSum("cash_delta", filter=Q(cash_delta__lt=0)),
        )
        .order_by()
    )
    for row in realized:
        daily_in[row["date"]] += _money(row["inflow"])
        daily_out[row["date"]] -= _money(row["outflow"])

    flow = CashFlow(start, end, today, granularity, account, opening, ZERO, ZERO)
    projected_in: dict[date, Decimal] = defaultdict(lambda: ZERO)
    projected_out: dict[date, Decimal] = defaultdict(lambda: ZERO)
    if account is None and end >= today:
        first = max(start, today)
        open_rows = (
            Installment.objects.filter(company_id=company_id, amount_open__gt=0, due_date__lte=end)
            .filter(Q(due_date__gte=first) | Q(due_date__lt=today))
            .values("due_date", "kind")
            .annotate(v=DecimalSum("amount_open"))
            .order_by()
        )
        for row in open_rows:
            late = row["due_date"] < today
            day = today if late else row["due_date"]
            value = _money(row["v"])
            if row["kind"] == TitleKind.RECEIVABLE:
                projected_in[day] += value
                if late:
                    flow.overdue_in += value
            else:
                projected_out[day] += value
                if late:
                    flow.overdue_out += value
        bills = list(RecurringBill.objects.filter(company_id=company_id, is_active=True, start_date__lte=end))
        made = set(
            Title.objects.filter(
                recurring_bill__in=bills, recurrence_date__gte=first, recurrence_date__lte=end
            ).values_list("recurring_bill_id", "recurrence_date")
        )
        for bill in bills:
            for day in occurrences(bill, start=first, until=end):
                if (bill.pk, day) not in made:
                    (projected_in if bill.kind == TitleKind.RECEIVABLE else projected_out)[day] += bill.amount

    # Day by day for the balance line and its first negative day; rows by the chosen granularity.
    balance = opening
    flow.lowest_balance = opening
    rows: dict[date, CashFlowRow] = {}
    day = start
    while day <= end:
        key = period_of(day, granularity)
        row = rows.get(key)
        if row is None:
            row = rows[key] = CashFlowRow(max(key, start), min(_period_end(key, granularity), end))
        row.realized_in += daily_in.get(day, ZERO)
        row.realized_out += daily_out.get(day, ZERO)
        row.projected_in += projected_in.get(day, ZERO)
        row.projected_out += projected_out.get(day, ZERO)
        balance += (
            daily_in.get(day, ZERO)
            - daily_out.get(day, ZERO)
            + projected_in.get(day, ZERO)
            - projected_out.get(day, ZERO)
        )
        row.balance = balance
        if balance < flow.lowest_balance:
            flow.lowest_balance = balance
        if balance < 0 and flow.first_negative_day is None:
            flow.first_negative_day = day
        day += timedelta(days=1)
    flow.rows = list(rows.values())
    return flow
