"""A customer's (or supplier's) open position: what sales reads to check a credit limit when it confirms
an order and to show the overdue total when an order is taken."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from retaguarda.core.money import ZERO
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
    today = today or timezone.localdate()
    rows = Installment.objects.filter(
        company_id=company_id, party_id=party_id, kind=kind, amount_open__gt=0
    ).values_list("due_date", "amount_open")
    open_total = overdue_total = ZERO
    overdue_count = 0
    oldest = None
    for due, value in rows:
        open_total += value
        if due < today:
            overdue_total += value
            overdue_count += 1
            oldest = due if oldest is None or due < oldest else oldest
    return Position(open_total, overdue_total, overdue_count, oldest)
