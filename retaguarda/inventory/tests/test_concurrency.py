"""Threads against the real database (SQLite file or PostgreSQL): no oversell, no deadlock."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from retaguarda.core import audit
from retaguarda.inventory import selectors, services
from retaguarda.inventory.errors import InsufficientStock
from retaguarda.inventory.models import LocationKind
from retaguarda.inventory.services import ManualLine, MoveIn, Need, Source

from .conftest import D

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _run_threads(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_twenty_buyers_for_ten_units_exactly_ten_get_one(stock, product, warehouse, actor):
    stock.receive(product, warehouse, "10")

    results = _run_threads(
        20,
        lambda i: services.reserve(
            [Need(product.pk, warehouse.pk, D(1), Source("manual.order", 1000 + i, 1))], actor=actor
        ),
    )

    won = [r for r in results if isinstance(r, list)]
    lost = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(won), len(lost)) == (10, 10), results
    assert all(e.code == "inventory.insufficient_stock" for e in lost)
    assert stock.available(product, warehouse) == D(0)
    assert stock.reserved(product, warehouse) == D(10)
    assert selectors.drift() == []


def test_concurrent_issues_and_receipts_of_several_products_keep_balances_exact(
    stock, make_product, warehouse, company, actor
):
    products = [make_product() for _ in range(3)]
    for p in products:
        stock.receive(p, warehouse, "10")
    loc = services.stock_location(warehouse).pk
    customer = services.virtual_location(company.pk, LocationKind.CUSTOMER).pk
    supplier = services.virtual_location(company.pk, LocationKind.SUPPLIER).pk

    def work(i):
        # Each thread touches every product, in a different order, to tempt a deadlock.
        order = products[i % 3 :] + products[: i % 3]
        if i % 2:
            moves = [MoveIn(p.pk, D(1), loc, customer, Source("t.issue", i, n)) for n, p in enumerate(order)]
        else:
            moves = [
                MoveIn(p.pk, D(1), supplier, loc, Source("t.receipt", i, n), unit_cost=Decimal(i))
                for n, p in enumerate(order)
            ]
        return services.post_moves(moves, actor=actor)

    results = _run_threads(16, work)

    assert all(isinstance(r, list) for r in results), results
    for p in products:
        assert stock.on_hand(p, warehouse) == D(10)  # 8 receipts and 8 issues of one unit each
    assert selectors.drift() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite lets one writer in at a time by design")
def test_eight_manual_entries_at_once_do_not_wait_for_each_others_numbers(
    make_product, warehouse, company, actor, monkeypatch
):
    """Each entry takes its number, posts its moves, then holds its transaction open at a barrier:
    all eight get there only if none waits for another's number (the old counter row made them queue)."""
    products = [make_product() for _ in range(8)]
    services.stock_location(warehouse)
    services.virtual_location(company.pk, LocationKind.ADJUSTMENT)  # created once, outside the race
    inside = threading.Barrier(8)
    record_created = audit.record_created

    def record_then_wait(*args, **kwargs):
        result = record_created(*args, **kwargs)
        inside.wait(timeout=20)  # every transaction is open here at the same time
        return result

    monkeypatch.setattr(audit, "record_created", record_then_wait)

    results = _run_threads(
        8,
        lambda i: services.manual_move(
            actor=actor,
            warehouse_id=warehouse.pk,
            direction="in",
            reason="inventário inicial",
            lines=[ManualLine(products[i].pk, D(1), unit_cost=D(5))],
        ),
    )

    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(op.number for op, _moves in results) == list(range(1, 9))
    assert selectors.drift() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: SQLite's writers take turns whole")
def test_editing_a_warehouse_does_not_hold_up_documents_that_refer_to_it(
    stock, make_product, warehouse, actor, monkeypatch
):
    """An edit locks the row it changes, not its key: a document written meanwhile checks its foreign key to
    the warehouse at COMMIT and must not wait for the edit (with FOR UPDATE it did, and an intake holding
    balance locks could deadlock with an edit that changes the warehouse's balances)."""
    product = make_product()
    services.stock_location(warehouse)
    services.virtual_location(warehouse.company_id, LocationKind.ADJUSTMENT)
    edited, moved = threading.Event(), threading.Event()
    record_changed = audit.record_changed
    seen = {}

    def record_then_wait(*args, **kwargs):
        result = record_changed(*args, **kwargs)
        edited.set()
        seen["moved while the edit was open"] = moved.wait(timeout=10)
        return result

    monkeypatch.setattr(audit, "record_changed", record_then_wait)

    def work(i):
        if i == 0:
            return services.update_warehouse(warehouse.pk, actor=actor, version=None, name="Depósito renomeado")
        assert edited.wait(timeout=20)
        result = services.manual_move(
            actor=actor,
            warehouse_id=warehouse.pk,
            direction="in",
            reason="inventário inicial",
            lines=[ManualLine(product.pk, D(1), unit_cost=D(5))],
        )
        moved.set()
        return result

    results = _run_threads(2, work)

    assert not any(isinstance(r, Exception) for r in results), results
    assert seen == {"moved while the edit was open": True}
