"""Threads against the real database (SQLite file or PostgreSQL): receipts of one order posted at once
never receive more than was ordered, and the average cost is that of the receipts that got in."""

import threading

import pytest
from django.db import connection

from retaguarda.finance.models import Title
from retaguarda.inventory import selectors
from retaguarda.inventory.models import ProductCost
from retaguarda.purchasing import services
from retaguarda.purchasing.errors import OverReceipt
from retaguarda.purchasing.models import PurchaseOrder, Receipt
from retaguarda.purchasing.services import OrderIn, OrderLineIn, ReceiptIn, ReceiptLineIn
from retaguarda.purchasing.states import OrderState, ReceiptState

from .conftest import D

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _post_at_once(receipts, actor) -> list:
    barrier = threading.Barrier(len(receipts))
    results: list = [None] * len(receipts)

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = services.post_receipt(receipts[i].pk, actor=actor)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(receipts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return results


def _drafts(actor, supplier, warehouse, order, product, quantities_and_costs):
    line = order.lines.get()
    return [
        services.create_receipt(
            ReceiptIn(
                supplier.pk,
                warehouse.pk,
                [ReceiptLineIn(product.pk, D(qty), D(cost), order_line_id=line.pk)],
                invoice_number=str(n),
            ),
            actor=actor,
        )
        for n, (qty, cost) in enumerate(quantities_and_costs, start=1)
    ]


def _sent_order(actor, supplier, warehouse, product, qty):
    order = services.create_order(
        OrderIn(supplier.pk, warehouse.pk, [OrderLineIn(product.pk, D(qty), D("10"))]), actor=actor
    )
    return services.send_order(order.pk, actor=actor)


def test_the_same_order_received_twice_at_once_enters_once(actor, make_product, supplier, warehouse, stock):
    product = make_product()
    stock.receive(product, warehouse, "10", cost="4")
    order = _sent_order(actor, supplier, warehouse, product, "10")
    receipts = _drafts(actor, supplier, warehouse, order, product, [("10", "10"), ("10", "16")])

    results = _post_at_once(receipts, actor)

    won = [r for r in results if isinstance(r, Receipt)]
    lost = [r for r in results if isinstance(r, OverReceipt)]
    assert (len(won), len(lost)) == (1, 1), results
    assert lost[0].code == "purchasing.over_receipt"
    assert stock.on_hand(product, warehouse) == D("20")
    assert PurchaseOrder.objects.get(pk=order.pk).state == OrderState.RECEIVED
    assert order.lines.get().received_quantity == D("10")
    winner_cost = won[0].lines.get().unit_stock_cost
    assert ProductCost.objects.get(product=product).average_cost == (10 * D("4") + 10 * winner_cost) / 20
    assert Title.objects.filter(source_type=Receipt.SOURCE).count() == 1
    assert Receipt.objects.filter(state=ReceiptState.DRAFT).count() == 1  # the loser stays a draft, untouched
    assert selectors.drift() == []


def test_six_partial_receipts_at_once_take_only_what_is_open_with_the_average_cost_of_the_winners(
    actor, make_product, supplier, warehouse, stock
):
    product = make_product()
    stock.receive(product, warehouse, "10", cost="4")
    order = _sent_order(actor, supplier, warehouse, product, "10")
    costs = ["8", "9", "10", "11", "12", "13"]
    receipts = _drafts(actor, supplier, warehouse, order, product, [("4", c) for c in costs])

    results = _post_at_once(receipts, actor)

    won = [r for r in results if isinstance(r, Receipt)]
    lost = [r for r in results if isinstance(r, OverReceipt)]
    assert (len(won), len(lost)) == (2, 4), results  # 4 + 4 fit in 10; a third 4 does not
    assert stock.on_hand(product, warehouse) == D("18")
    assert order.lines.get().received_quantity == D("8")
    assert PurchaseOrder.objects.get(pk=order.pk).state == OrderState.PARTIALLY_RECEIVED
    won_value = sum(4 * r.lines.get().unit_stock_cost for r in won)
    expected = (10 * D("4") + won_value) / 18
    assert abs(ProductCost.objects.get(product=product).average_cost - expected) < D("0.000001")
    assert Title.objects.filter(source_type=Receipt.SOURCE).count() == 2
    assert selectors.drift() == []
