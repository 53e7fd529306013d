"""Threads against the real database (SQLite file or PostgreSQL): no oversell, no deadlock."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from retaguarda.inventory import selectors, services
from retaguarda.inventory.errors import InsufficientStock
from retaguarda.inventory.models import LocationKind
from retaguarda.inventory.services import MoveIn, Need, Source

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
            [Need(product.pk, warehouse.pk, D(1), Source("sales.order", 1000 + i, 1))], actor=actor
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
