"""Closing stock periods: month-end snapshots of every balance, so reads at a date start from one.

A period is a calendar month in `settings.TIME_ZONE`; it holds the moves dated before the next
month's first midnight. Closing it writes one `StockSnapshot` per non-zero (location, product, lot)
= the previous period's snapshot + the month's moves (one aggregate query), and a `StockPeriod`.

Rules:
- periods close in order: a month closes only when no earlier month with moves is still open
  (the months between the last closed period and this one must have no moves);
- a period closes once: closing it again is refused (`inventory.period_already_closed`);
- a period closes only after it has ended and `CLOSE_GRACE` has passed, so no posting that dated its
  moves before midnight can still be in flight. Moves are always dated when posted (`created_at` is
  "now"), so a closed period can never receive a move.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.decimal_sql import DecimalMul, DecimalSum
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.money import ZERO, quantity
from retaguarda.inventory.errors import PeriodAlreadyClosed, PeriodNotFinished, PeriodOutOfOrder
from retaguarda.inventory.models import OWNED_KINDS, Location, StockMove, StockPeriod, StockSnapshot

CLOSE_GRACE = dt.timedelta(hours=1)
VALUE_PLACES = Decimal("0.0000000001")
VALUE_FIELD = DecimalField(max_digits=30, decimal_places=10)
# How far after a period's end a move with a lower id than the period's last one may be dated: a
# posting dates its moves before inserting them, so such a move is at most one transaction late.
STRAGGLER_WINDOW = dt.timedelta(days=1)

SnapshotKey = tuple[int, int, int]  # (location, product, lot_key)


def month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def period_boundary(period_end: dt.date) -> dt.datetime:
    """The first instant after the period: moves dated before it belong to the period."""
    return timezone.make_aware(dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time.min))


def last_closed(company_id: int, before: dt.date | None = None) -> StockPeriod | None:
    qs = StockPeriod.objects.filter(company_id=company_id)
    if before is not None:
        qs = qs.filter(period_end__lt=before)
    return qs.order_by("-period_end").first()


def move_totals(
    company_id: int, start: dt.datetime | None, end: dt.datetime | None, owned: set[int] | None = None
) -> tuple[dict[SnapshotKey, Decimal], dict[SnapshotKey, Decimal]]:
    """Net quantity and value per (owned location, product, lot_key) of the moves dated in [start, end),
    from one aggregate query grouped by both ends of the moves."""
    if owned is None:
        owned = set(Location.objects.filter(company_id=company_id, kind__in=OWNED_KINDS).values_list("pk", flat=True))
    qs = StockMove.objects.filter(company_id=company_id)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    grouped = (
        qs.values("from_location_id", "to_location_id", "product_id", "lot_id")
        .order_by()
        .annotate(q=DecimalSum("quantity"), v=DecimalSum(DecimalMul("quantity", "unit_cost"), output_field=VALUE_FIELD))
        .values_list("from_location_id", "to_location_id", "product_id", "lot_id", "q", "v")
    )
    quantities: dict[SnapshotKey, Decimal] = defaultdict(lambda: ZERO)
    values: dict[SnapshotKey, Decimal] = defaultdict(lambda: ZERO)
    for src, dst, pid, lot, q, v in grouped:
        q, v = quantity(q), Decimal(v).quantize(VALUE_PLACES)
        if dst in owned:
            quantities[(dst, pid, lot or 0)] += q
            values[(dst, pid, lot or 0)] += v
        if src in owned:
            quantities[(src, pid, lot or 0)] -= q
            values[(src, pid, lot or 0)] -= v
    return quantities, values


def snapshot_totals(company_id: int, period_end: dt.date) -> tuple[dict, dict]:
    quantities: dict[SnapshotKey, Decimal] = defaultdict(lambda: ZERO)
    values: dict[SnapshotKey, Decimal] = defaultdict(lambda: ZERO)
    for s in StockSnapshot.objects.filter(company_id=company_id, period_end=period_end).only(
        "location_id", "product_id", "lot_key", "on_hand", "value"
    ):
        quantities[(s.location_id, s.product_id, s.lot_key)] = s.on_hand
        values[(s.location_id, s.product_id, s.lot_key)] = s.value
    return quantities, values


def close_period(company_id: int, period_end: dt.date, *, actor: Actor) -> StockPeriod:
    """Close the month ending on `period_end`: write its snapshots and record the period."""
    if period_end != month_end(period_end):
        raise ValidationFailed(
            details=[{"field": "period_end", "message": _("A stock period ends on the last day of a month.")}]
        )
    boundary = period_boundary(period_end)
    if timezone.now() < boundary + CLOSE_GRACE:
        raise PeriodNotFinished()
    start_of_month = period_boundary(period_end.replace(day=1) - dt.timedelta(days=1))
    with transaction.atomic():
        if StockPeriod.objects.filter(company_id=company_id, period_end__gte=period_end).exists():
            if StockPeriod.objects.filter(company_id=company_id, period_end=period_end).exists():
                raise PeriodAlreadyClosed()
            raise PeriodOutOfOrder(_("A later stock period is already closed."))
        previous = last_closed(company_id, before=period_end)
        gap = StockMove.objects.filter(company_id=company_id, created_at__lt=start_of_month)
        if previous is not None:
            gap = gap.filter(created_at__gte=period_boundary(previous.period_end))
        if gap.exists():
            raise PeriodOutOfOrder()
        quantities, values = snapshot_totals(company_id, previous.period_end) if previous else ({}, {})
        month_q, month_v = move_totals(company_id, start_of_month, boundary)
        quantities, values = defaultdict(lambda: ZERO, quantities), defaultdict(lambda: ZERO, values)
        for key, q in month_q.items():
            quantities[key] += q
            values[key] += month_v[key]
        StockSnapshot.objects.bulk_create(
            [
                StockSnapshot(
                    company_id=company_id,
                    period_end=period_end,
                    location_id=loc,
                    product_id=pid,
                    lot_key=lot,
                    on_hand=q,
                    value=values[(loc, pid, lot)],
                )
                for (loc, pid, lot), q in sorted(quantities.items())
                if q or values[(loc, pid, lot)]
            ],
            batch_size=1000,
        )
        moves = StockMove.objects.filter(company_id=company_id)
        last_id = moves.filter(created_at__lt=boundary).aggregate(m=Max("id"))["m"] or 0
        first_after = moves.filter(created_at__gte=boundary, created_at__lt=boundary + STRAGGLER_WINDOW).aggregate(
            m=Min("id")
        )["m"]
        period = StockPeriod.objects.create(
            company_id=company_id,
            period_end=period_end,
            last_move_id=last_id,
            ids_in_order=first_after is None or first_after > last_id,
            closed_by=actor.user,
        )
        audit.record(actor, period, "closed", {"period_end": [None, period_end]}, company_id=company_id)
    return period


def periods_to_close(company_id: int, until: dt.date) -> list[dt.date]:
    """The month ends not yet closed, oldest first, up to `until` and up to the last finished month:
    from the month after the last closed period, or from the month of the company's first move."""
    previous = last_closed(company_id)
    if previous is not None:
        first = previous.period_end + dt.timedelta(days=1)
    else:
        oldest = StockMove.objects.filter(company_id=company_id).aggregate(m=Min("created_at"))["m"]
        if oldest is None:
            return []
        first = timezone.localtime(oldest).date().replace(day=1)
    finished = timezone.localtime(timezone.now() - CLOSE_GRACE).date().replace(day=1) - dt.timedelta(days=1)
    last = min(until, finished)
    ends = []
    day = month_end(first)
    while day <= last:
        ends.append(day)
        day = month_end(day + dt.timedelta(days=1))
    return ends


def close_periods(company_id: int, *, until: dt.date, actor: Actor) -> list[StockPeriod]:
    """Close every finished month of the company not yet closed, in order, up to `until`."""
    return [close_period(company_id, end, actor=actor) for end in periods_to_close(company_id, until)]
