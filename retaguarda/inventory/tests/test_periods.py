"""Closed stock periods: month-end snapshots, and reads at a date that start from them."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from retaguarda.core import periodic
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.models import AuditRecord
from retaguarda.inventory import selectors, services
from retaguarda.inventory.errors import InsufficientStock, PeriodAlreadyClosed, PeriodNotFinished, PeriodOutOfOrder
from retaguarda.inventory.models import StockMove, StockPeriod, StockSnapshot
from retaguarda.inventory.services import TransferLineIn
from retaguarda.inventory.tasks import close_stock_periods

from .conftest import D


class Clock:
    """`timezone.now()` for the code under test: moves are dated when posted."""

    def __init__(self, monkeypatch, start: dt.datetime):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, day: dt.date, hour: int = 12) -> None:
        self.now = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, timezone.make_aware(dt.datetime(2025, 1, 10, 12)))


def test_closing_a_month_snapshots_its_balances_and_records_the_period(clock, stock, product, warehouse, actor):
    clock.at(dt.date(2025, 1, 10))
    stock.receive(product, warehouse, "10", cost="2")
    stock.issue(product, warehouse, "3")
    clock.at(dt.date(2025, 2, 5))
    stock.receive(product, warehouse, "5", cost="4")

    period = services.close_period(product.company_id, dt.date(2025, 1, 31), actor=actor)

    [snap] = StockSnapshot.objects.filter(period_end=dt.date(2025, 1, 31))
    assert (snap.product_id, snap.on_hand, snap.value) == (product.pk, D("7"), D("14"))
    assert period.closed_by == actor.user and period.last_move_id == StockMove.objects.order_by("id")[1].pk
    assert AuditRecord.objects.filter(object_type="inventory.stockperiod", action="closed").count() == 1


def test_closing_a_closed_period_is_refused(clock, stock, product, warehouse, actor):
    clock.at(dt.date(2025, 1, 10))
    stock.receive(product, warehouse, "10")
    clock.at(dt.date(2025, 3, 1))
    services.close_period(product.company_id, dt.date(2025, 1, 31), actor=actor)

    with pytest.raises(PeriodAlreadyClosed) as info:
        services.close_period(product.company_id, dt.date(2025, 1, 31), actor=actor)

    assert info.value.message == "Este período de estoque já está fechado."
    assert StockSnapshot.objects.count() == 1


def test_periods_close_in_order_but_months_without_moves_may_be_skipped(clock, stock, product, warehouse, actor):
    clock.at(dt.date(2025, 1, 10))
    stock.receive(product, warehouse, "10")
    clock.at(dt.date(2025, 3, 10))
    stock.receive(product, warehouse, "1")
    clock.at(dt.date(2025, 5, 2))
    company_id = product.company_id

    with pytest.raises(PeriodOutOfOrder):  # January has moves and is open
        services.close_period(company_id, dt.date(2025, 3, 31), actor=actor)
    services.close_period(company_id, dt.date(2025, 1, 31), actor=actor)
    services.close_period(company_id, dt.date(2025, 3, 31), actor=actor)  # February had no moves
    with pytest.raises(PeriodOutOfOrder):  # a later period is closed
        services.close_period(company_id, dt.date(2025, 2, 28), actor=actor)

    assert StockSnapshot.objects.get(period_end=dt.date(2025, 3, 31)).on_hand == D("11")


def test_a_month_closes_only_after_it_ends_and_only_on_its_last_day(clock, stock, product, warehouse, actor):
    clock.at(dt.date(2025, 1, 31), hour=23)
    stock.receive(product, warehouse, "10")

    with pytest.raises(PeriodNotFinished):
        services.close_period(product.company_id, dt.date(2025, 1, 31), actor=actor)
    clock.at(dt.date(2025, 2, 1), hour=0)  # midnight: within the grace hour
    with pytest.raises(PeriodNotFinished):
        services.close_period(product.company_id, dt.date(2025, 1, 31), actor=actor)
    with pytest.raises(ValidationFailed):
        services.close_period(product.company_id, dt.date(2025, 1, 30), actor=actor)
    clock.at(dt.date(2025, 2, 1), hour=2)
    services.close_period(product.company_id, dt.date(2025, 1, 31), actor=actor)


def test_the_command_closes_every_finished_month_up_to_a_date(clock, stock, product, warehouse):
    clock.at(dt.date(2025, 1, 10))
    stock.receive(product, warehouse, "10")
    clock.at(dt.date(2025, 6, 10))

    call_command("close_stock_periods", "--until", "2025-03-31")

    assert list(StockPeriod.objects.order_by("period_end").values_list("period_end", flat=True)) == [
        dt.date(2025, 1, 31),
        dt.date(2025, 2, 28),
        dt.date(2025, 3, 31),
    ]
    assert close_stock_periods.call() == 2  # April and May; June has not ended
    assert StockSnapshot.objects.filter(period_end=dt.date(2025, 5, 31)).get().on_hand == D("10")


def test_closing_runs_every_six_hours():
    assert periodic.REGISTRY[close_stock_periods.module_path].every == dt.timedelta(hours=6)


def test_check_ledgers_reports_a_snapshot_that_drifts_from_the_moves(clock, stock, product, warehouse, actor):
    clock.at(dt.date(2025, 1, 10))
    stock.receive(product, warehouse, "10", cost="2")
    clock.at(dt.date(2025, 2, 10))
    services.close_period(product.company_id, dt.date(2025, 1, 31), actor=actor)
    assert selectors.drift() == []
    location = services.stock_location(warehouse)
    StockSnapshot.objects.create(
        company_id=product.company_id,
        period_end=dt.date(2025, 1, 31),
        location=location,
        product=product,
        lot_key=99,
        on_hand=D("1"),
        value=D("2"),
    )

    found = selectors.drift()

    assert [(d.field, d.stored, d.expected) for d in found] == [
        ("snapshot 2025-01-31 on_hand", D("1"), D("0")),
        ("snapshot 2025-01-31 value", D("2"), D("0")),
    ]
    with pytest.raises(SystemExit):
        call_command("check_ledgers")


def test_large_snapshot_values_stay_exact_and_check_ledgers_compares_to_the_last_place(
    clock, stock, make_product, warehouse, actor
):
    # 12,345.6789 units at 98,765.432109 is worth 1,219,318,442.6360... with 10 places (20 digits),
    # beyond what SQLite's NUMERIC keeps.
    clock.at(dt.date(2025, 1, 10))
    big, other = make_product(), make_product()
    stock.receive(big, warehouse, "12345.6789", cost="98765.432109")
    stock.receive(big, warehouse, "0.0001", cost="0.000001")
    stock.receive(other, warehouse, "1", cost="1")
    clock.at(dt.date(2025, 2, 10))
    services.close_period(big.company_id, dt.date(2025, 1, 31), actor=actor)

    snap = StockSnapshot.objects.get(product=big)
    assert snap.value == D("12345.6789") * D("98765.432109") + D("0.0000000001")
    assert selectors.drift() == []

    StockSnapshot.objects.create(
        company_id=big.company_id,
        period_end=dt.date(2025, 1, 31),
        location=snap.location,
        product=big,
        lot_key=7,
        on_hand=D("0"),
        value=D("0.0000000001"),  # one ten-billionth off: a drift all the same
    )
    assert [(d.field, d.stored) for d in selectors.drift()] == [("snapshot 2025-01-31 value", D("0.0000000001"))]


def test_snapshots_are_append_only(clock, stock, product, warehouse, actor):
    from django.db import DatabaseError, transaction

    clock.at(dt.date(2025, 1, 10))
    stock.receive(product, warehouse, "10")
    clock.at(dt.date(2025, 2, 10))
    services.close_period(product.company_id, dt.date(2025, 1, 31), actor=actor)

    with pytest.raises(DatabaseError), transaction.atomic():
        StockSnapshot.objects.update(on_hand=D("3"))
    with pytest.raises(DatabaseError), transaction.atomic():
        StockPeriod.objects.all().delete()


def _reads(company, products, houses, days):
    """Every read that may use a snapshot: balances at each day (per warehouse and in all), and every
    kardex page (per warehouse and company-wide) with its opening and running figures."""
    out = {}
    for day in days:
        for wid in [None, *(h.pk for h in houses)]:
            rows, cursor, pages = [], None, 0
            while True:
                page, cursor = selectors.balances_at(company, end_of(day), warehouse_id=wid, cursor=cursor, limit=3)
                rows += [(r.product.pk, r.on_hand) for r in page]
                pages += 1
                if not cursor or pages > 50:
                    break
            out[("at", day, wid)] = rows
    for product in products:
        for wid in [None, *(h.pk for h in houses)]:
            cursor, pages = None, 0
            while True:
                k = selectors.kardex(company, product, warehouse_id=wid, cursor=cursor, limit=4)
                out[("kardex", product.pk, wid, pages)] = (
                    k.opening,
                    k.opening_value,
                    [(line.move.pk, line.balance, line.balance_value) for line in k.lines],
                )
                cursor, pages = k.next_cursor, pages + 1
                if not cursor:
                    break
            assert _screen_pages(company, product, wid) == [out[("kardex", product.pk, wid, n)] for n in range(pages)]
    return out


def _screen_pages(company, product, wid) -> list:
    """The kardex screen's pages (`kardex_window`, one statement each) walked forward to the last, then
    back to the first: each one as the API's page (its opening, its moves and running figures)."""

    def read(cursor):
        k = selectors.kardex_window(company, product, warehouse_id=wid, cursor=cursor, limit=4)
        lines = [(line.move["id"], line.balance, line.balance_value) for line in k.lines]
        return (k.opening, k.opening_value, lines), k.window

    pages, window = [], None
    while window is None or window.next_cursor:
        page, window = read(window.next_cursor if window else None)
        pages.append(page)
    back = [pages[-1]]
    while window.previous_cursor:
        page, window = read(window.previous_cursor)
        back.insert(0, page)
    assert back == pages
    return pages


def _reference_at(moves, scope_ids, at):
    totals = {}
    for m in moves:
        if m.created_at > at:
            continue
        into, out_of = m.to_location_id in scope_ids, m.from_location_id in scope_ids
        sign = 1 if into and not out_of else -1 if out_of and not into else 0
        totals[m.product_id] = totals.get(m.product_id, Decimal(0)) + sign * m.quantity
    return {pid: q for pid, q in totals.items() if q}


def test_reads_from_snapshots_equal_reads_from_the_whole_ledger(
    clock, stock, make_product, make_warehouse, company, actor
):
    rng = random.Random(20250101)
    products = [make_product() for _ in range(4)]
    houses = [make_warehouse(), make_warehouse()]
    day = dt.date(2025, 1, 1)
    for _ in range(90):
        day += dt.timedelta(days=rng.randint(0, 9))
        clock.at(day, hour=rng.randint(1, 22))
        product, house = rng.choice(products), rng.choice(houses)
        kind = rng.random()
        try:
            if kind < 0.5:
                stock.receive(product, house, str(rng.randint(1, 40)), cost=str(Decimal(rng.randint(100, 9999)) / 100))
            elif kind < 0.85:
                stock.issue(product, house, str(Decimal(rng.randint(1, 60)) / 4))
            else:
                other = houses[1 - houses.index(house)]
                t = services.create_transfer(
                    from_warehouse_id=house.pk,
                    to_warehouse_id=other.pk,
                    lines=[TransferLineIn(product.pk, D(rng.randint(1, 10)))],
                    actor=actor,
                )
                services.ship_transfer(t.pk, actor=actor)
                if rng.random() < 0.7:
                    services.receive_transfer(t.pk, actor=actor)
        except InsufficientStock:
            pass
    clock.at(day + dt.timedelta(days=40))
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, (day - dt.date(2025, 1, 1)).days)) for _ in range(6)]
    days += [services.periods.month_end(d) for d in days[:3]]
    before = _reads(company, products, houses, days)

    closed = services.close_periods(company.pk, until=day + dt.timedelta(days=40), actor=actor)

    assert len(closed) >= 6
    assert selectors.drift() == []
    assert _reads(company, products, houses, days) == before
    moves = list(StockMove.objects.filter(company=company))
    for d in days:
        for house in houses:
            scope = {services.stock_location(house).pk}
            assert dict(before[("at", d, house.pk)]) == _reference_at(moves, scope, end_of(d))
