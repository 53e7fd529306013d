"""A customer's (or supplier's) open position: what sales reads to check a credit limit when it confirms
an order and to show the overdue total when an order is taken."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from retaguarda.core.decimal_sql import DecimalSum
from retaguarda.core.money import ZERO, MoneyField
from retaguarda.finance.models import Installment, TitleKind


@dataclass(frozen=True)
class Position:
    open_total: Decimal  # everything still open, due or not
    overdue_total: Decimal  # open and due before today
    overdue_count: int  # installments overdue
    oldest_overdue: date | None  # the earliest due date among them

    @property
    def has_overdue(self) -> bool:
        return self.overdue_total > 0


def customer_position(
    company_id: int, party_id: int, *, today: date | None = None, kind: str = TitleKind.RECEIVABLE
) -> Position:
    """One query over the party's open installments (exact Decimal sums in Python)."""
    return customer_positions(company_id, [party_id], today=today, kind=kind)[party_id]


def customer_positions(
    company_id: int, party_ids, *, today: date | None = None, kind: str = TitleKind.RECEIVABLE
) -> dict[int, Position]:
    """The positions of several parties in one query (a list of orders shows each customer's overdue
    total); a party with nothing open gets an empty position."""
    today = today or timezone.localdate()
    party_ids = set(party_ids)
    rows = Installment.objects.filter(
        company_id=company_id, party_id__in=party_ids, kind=kind, amount_open__gt=0
    ).values_list("party_id", "due_date", "amount_open")
    sums = {pk: [ZERO, ZERO, 0, None] for pk in party_ids}  # open, overdue, overdue count, oldest
    for party_id, due, value in rows:
        acc = sums[party_id]
        acc[0] += value
        if due < today:
            acc[1] += value
            acc[2] += 1
            acc[3] = due if acc[3] is None or due < acc[3] else acc[3]
    return {pk: Position(*acc) for pk, acc in sums.items()}


def open_total_subquery(company_id: int, party: OuterRef, *, kind: str = TitleKind.RECEIVABLE) -> Subquery:
    """`open_total` of `Position` as a correlated subquery on `party` (an `OuterRef`), exact on both
    engines: what a query over many parties (the credit-limit rule) annotates, through the same
    company-party index as `customer_positions`. NULL when nothing is open."""
    rows = (
        Installment.objects.filter(company_id=company_id, party=party, kind=kind, amount_open__gt=0)
        .order_by()
        .values("party")
        .annotate(total=DecimalSum("amount_open"))
        .values("total")
    )
    return Subquery(rows, output_field=MoneyField())
