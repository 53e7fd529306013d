"""Threads against the real database (SQLite file or PostgreSQL): confirmations never oversell."""

import threading

import pytest
from django.db import connection

from retaguarda.inventory import selectors
from retaguarda.inventory.errors import InsufficientStock
from retaguarda.sales import services
from retaguarda.sales.models import SalesOrder
from retaguarda.sales.states import OrderState

from .conftest import D

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_sixteen_confirmations_for_ten_units_reserve_whole_orders_and_never_oversell(
    actor, make_order, product, make_product, warehouse, stock
):
    plenty = make_product()
    stock.receive(product, warehouse, "10")
    stock.receive(plenty, warehouse, "100")
    orders = [make_order([(plenty, "1", "5"), (product, "1", "10")]) for _ in range(16)]
    barrier = threading.Barrier(16)
    results: list = [None] * 16

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = services.confirm_order(orders[i].pk, actor=actor)
        except Exception as exc:  # collected and asserted below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)

    won = [r for r in results if isinstance(r, SalesOrder)]
    lost = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(won), len(lost)) == (10, 6), results
    assert stock.reserved(product, warehouse) == D(10) and stock.available(product, warehouse) == D(0)
    assert stock.reserved(plenty, warehouse) == D(10)  # the losers reserved nothing of their other line
    states = sorted(SalesOrder.objects.values_list("state", flat=True))
    assert states == sorted([OrderState.CONFIRMED] * 10 + [OrderState.DRAFT] * 6)
    assert selectors.drift() == []
