"""A purchasing command runs the same number of queries for 1 line as for 20."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from retaguarda.purchasing import services
from retaguarda.purchasing.services import Charges, OrderIn, OrderLineIn, ReceiptIn

D = Decimal


def count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_ordering_and_receiving_cost_the_same_queries_at_1_and_20_lines(actor, make_product, supplier, warehouse):
    def measure(n):
        products = [make_product(purchase_unit="CX", purchase_factor=D("6")) for _ in range(n)]
        lines = [OrderLineIn(p.pk, D("2"), D("60"), ipi=D("3.00")) for p in products]
        figures = {}
        order_in = OrderIn(supplier.pk, warehouse.pk, lines, charges=Charges(freight=D("7.00")))
        figures["create_order"] = count(
            lambda: figures.setdefault("order", services.create_order(order_in, actor=actor))
        )
        order = figures.pop("order")
        figures["send_order"] = count(lambda: services.send_order(order.pk, actor=actor))
        receipt_lines = services.lines_from_orders(actor, [order.pk])
        receipt_in = ReceiptIn(supplier.pk, warehouse.pk, receipt_lines, charges=Charges(freight=D("7.00")))
        figures["create_receipt"] = count(
            lambda: figures.setdefault("receipt", services.create_receipt(receipt_in, actor=actor))
        )
        receipt = figures.pop("receipt")
        figures["post_receipt"] = count(lambda: services.post_receipt(receipt.pk, actor=actor))
        return figures

    measure(1)  # the first document of each kind creates its number series and the chart of accounts
    one, twenty = measure(1), measure(20)
    assert one == twenty
