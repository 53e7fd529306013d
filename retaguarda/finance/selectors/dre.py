"""The income statement (DRE) by month over a period, on the accrual basis (competência: the journal's
result lines, where titles are booked on their competence date and the cost of goods sold comes from
the stock issues' cost posted by sales) or the cash basis (caixa: what was received and paid, by the
date of the entry). Two queries whatever the period; every line drills down to what is behind it."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from retaguarda.core.decimal_sql import DecimalSum
from retaguarda.core.money import ZERO, amount
from retaguarda.finance.models import (
    Category,
    CategoryKind,
    DreGroup,
    EntryKind,
    FinancialEntry,
    JournalAccount,
    JournalLine,
)

BASES = ("accrual", "cash")
# Entries that are income or expense on the cash basis: money received or paid (withheld taxes count as
# received: the buyer paid them to the tax authorities on our behalf). Discounts moved no money.
CASH_KINDS = (EntryKind.PAYMENT, EntryKind.WITHHOLDING, EntryKind.INTEREST, EntryKind.FINE, EntryKind.DIRECT)

# (group, sign in the result); subtotals are computed between them.
GROUPS = (
    (DreGroup.GROSS_REVENUE, 1),
    (DreGroup.DEDUCTIONS, -1),
    (DreGroup.COST_OF_GOODS, -1),
    (DreGroup.OPERATING_EXPENSES, -1),
    (DreGroup.OTHER_OPERATING_INCOME, 1),
    (DreGroup.FINANCIAL_INCOME, 1),
    (DreGroup.FINANCIAL_EXPENSES, -1),
    (DreGroup.INCOME_TAXES, -1),
)
SUBTOTALS = {
    DreGroup.DEDUCTIONS: ("net_revenue", _("Net revenue")),
    DreGroup.COST_OF_GOODS: ("gross_profit", _("Gross profit")),
    DreGroup.OTHER_OPERATING_INCOME: ("operating_result", _("Operating result")),
    DreGroup.FINANCIAL_EXPENSES: ("result_before_taxes", _("Result before income taxes")),
    DreGroup.INCOME_TAXES: ("net_result", _("Net result")),
}


@dataclass
class DreRow:
    key: str  # group value, "category:<id>" or a subtotal key
    label: str
    values: list[Decimal]
    kind: str  # "group", "category" or "subtotal"
    group: str = ""
    category_id: int | None = None

    @property
    def total(self) -> Decimal:
        return sum(self.values, ZERO)


@dataclass
class Dre:
    start: date
    end: date
    basis: str
    months: list[date]
    rows: list[DreRow] = field(default_factory=list)

    def row(self, key: str) -> DreRow:
        return next(r for r in self.rows if r.key == key)


def months_between(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = _next_month(current)
    return months


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _amounts(company_id: int, start: date, end: date, basis: str, cost_center_id: int | None):
    """{(category_id, month): Σ} on the basis' sign convention (positive = the category's own direction)."""
    if basis == "cash":
        qs = FinancialEntry.objects.filter(company_id=company_id, kind__in=CASH_KINDS, date__gte=start, date__lte=end)
    else:
        qs = JournalLine.objects.filter(
            company_id=company_id, account=JournalAccount.RESULT, date__gte=start, date__lte=end
        )
    if cost_center_id:
        qs = qs.filter(cost_center_id=cost_center_id)
    rows = qs.values("category_id").annotate(month=TruncMonth("date"), v=DecimalSum("amount")).order_by()
    return {
        (r["category_id"], r["month"].date() if hasattr(r["month"], "date") else r["month"]): amount(r["v"])
        for r in rows
    }


def income_statement(
    company_id: int, *, start: date, end: date, basis: str = "accrual", cost_center_id: int | None = None
) -> Dre:
    basis = basis if basis in BASES else "accrual"
    months = months_between(start, end)
    index = {m: i for i, m in enumerate(months)}
    categories = {c.pk: c for c in Category.objects.filter(company_id=company_id)}
    by_category: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * len(months))
    for (category_id, month), value in _amounts(company_id, start, end, basis, cost_center_id).items():
        category = categories.get(category_id)
        if category is None or category.dre_group == DreGroup.NONE:
            continue
        if basis == "accrual":
            # Journal lines are debit-positive: income is a credit, so its value is the negated sum.
            value = -value if category.kind == CategoryKind.INCOME else value
        by_category[category_id][index[month]] += value
    dre = Dre(start, end, basis, months)
    running = [ZERO] * len(months)
    financial = [ZERO] * len(months)
    labels = dict(DreGroup.choices)
    for group, sign in GROUPS:
        members = sorted(
            (categories[pk] for pk in by_category if categories[pk].dre_group == group), key=lambda c: c.code
        )
        group_values = [ZERO] * len(months)
        children = []
        for category in members:
            # An income category inside an expense group (or the reverse) reduces it.
            own = 1 if (category.kind == CategoryKind.INCOME) == (sign > 0) else -1
            values = [own * v for v in by_category[category.pk]]
            group_values = [a + b for a, b in zip(group_values, values, strict=True)]
            children.append(DreRow(f"category:{category.pk}", str(category), values, "category", group, category.pk))
        dre.rows.append(DreRow(group, str(labels[group]), group_values, "group", group))
        dre.rows.extend(children)
        running = [r + sign * v for r, v in zip(running, group_values, strict=True)]
        if group == DreGroup.FINANCIAL_INCOME:
            financial = list(group_values)
        if group == DreGroup.FINANCIAL_EXPENSES:
            values = [a - b for a, b in zip(financial, group_values, strict=True)]
            dre.rows.append(DreRow("financial_result", str(_("Financial result")), values, "subtotal"))
        if group in SUBTOTALS:
            key, label = SUBTOTALS[group]
            dre.rows.append(DreRow(key, str(label), list(running), "subtotal"))
    return dre
