"""Reorder suggestions and late suppliers."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retaguarda.purchasing import selectors, services
from retaguarda.purchasing.models import PurchaseOrder
from retaguarda.purchasing.services import OrderIn, OrderLineIn, PickedSuggestion

D = Decimal


def test_a_product_selling_a_unit_a_day_is_suggested_up_to_its_maximum_from_its_last_supplier(
    actor, company, make_product, supplier, warehouse, stock
):
    product = make_product(minimum_stock=10, maximum_stock=D("40"))
    last = services.create_order(
        OrderIn(supplier.pk, warehouse.pk, [OrderLineIn(product.pk, D("1"), D("5"))]), actor=actor
    )
    services.cancel_order(last.pk, actor=actor)  # cancelled: nothing on order, but it names the supplier
    stock.receive(product, warehouse, "32")
    stock.issue(product, warehouse, "30")  # 1 a day over 30 days

    (suggestion,) = selectors.reorder_suggestions(company)

    assert suggestion.supplier == supplier and suggestion.lead_time_days == 7
    assert suggestion.daily_sales == D("1") and suggestion.available == D("2")
    assert suggestion.quantity == D("45")  # 40 - (2 + 0 - 1 x 7)
    assert suggestion.order_by == timezone.localdate()


def test_what_is_on_order_counts_and_boxes_are_ordered_whole(actor, company, make_product, supplier, warehouse, stock):
    product = make_product(minimum_stock=24, purchase_factor=D("12"), purchase_unit="CX")
    order = services.create_order(
        OrderIn(supplier.pk, warehouse.pk, [OrderLineIn(product.pk, D("1"), D("60"))]), actor=actor
    )
    services.send_order(order.pk, actor=actor)
    (suggestion,) = selectors.reorder_suggestions(company)
    assert suggestion.on_order == D("12")
    assert suggestion.quantity == D("36")  # 48 - 12 = 36: three boxes of 12


def test_selected_suggestions_become_draft_orders_grouped_by_supplier(
    actor, company, make_product, make_supplier, supplier, warehouse
):
    other = make_supplier()
    a, b, c = make_product(cost=D("2")), make_product(cost=D("3")), make_product(cost=D("4"))
    orders = services.orders_from_suggestions(
        [
            PickedSuggestion(a.pk, warehouse.pk, supplier.pk, D("10")),
            PickedSuggestion(b.pk, warehouse.pk, other.pk, D("5")),
            PickedSuggestion(c.pk, warehouse.pk, supplier.pk, D("1")),
        ],
        actor=actor,
    )
    assert sorted(o.lines.count() for o in orders) == [1, 2]
    assert {o.state for o in PurchaseOrder.objects.all()} == {"draft"}


def test_suggestions_cost_the_same_queries_for_more_products(company, make_product, warehouse, stock):
    counts = []
    for n in (2, 12):
        for _ in range(n):
            stock.receive(make_product(minimum_stock=5), warehouse, "1")
        with CaptureQueriesContext(connection) as ctx:
            rows = selectors.reorder_suggestions(company)
        counts.append(len(ctx.captured_queries))
    assert len(rows) == 14 and counts[0] == counts[1]


def test_late_suppliers_list_open_orders_past_their_expected_date(
    actor, company, make_product, supplier, make_supplier, warehouse
):
    on_time = make_supplier()
    late = services.create_order(
        OrderIn(supplier.pk, warehouse.pk, [OrderLineIn(make_product().pk, D("1"), D("1"))]), actor=actor
    )
    services.send_order(late.pk, actor=actor)
    fine = services.create_order(
        OrderIn(on_time.pk, warehouse.pk, [OrderLineIn(make_product().pk, D("1"), D("1"))]), actor=actor
    )
    services.send_order(fine.pk, actor=actor)
    PurchaseOrder.objects.filter(pk=late.pk).update(expected_date=timezone.localdate() - timedelta(days=4))

    (row,) = selectors.late_suppliers(company)
    assert row.supplier == supplier and row.most_days_late == 4 and [o.pk for o in row.orders] == [late.pk]


def _received(actor, supplier, warehouse, product, *, ordered_cost, invoiced_cost, expected_in_days, sent_days_ago):
    """An order sent `sent_days_ago`, expected `expected_in_days` from today (negative: in the past),
    received today in full at `invoiced_cost`."""
    order = services.create_order(
        OrderIn(supplier.pk, warehouse.pk, [OrderLineIn(product.pk, D("10"), D(ordered_cost))]), actor=actor
    )
    services.send_order(order.pk, actor=actor)
    now = timezone.now()
    PurchaseOrder.objects.filter(pk=order.pk).update(
        sent_at=now - timedelta(days=sent_days_ago),
        expected_date=timezone.localdate() + timedelta(days=expected_in_days),
    )
    line = order.lines.get()
    receipt = services.create_receipt(
        services.ReceiptIn(
            supplier.pk,
            warehouse.pk,
            [services.ReceiptLineIn(product.pk, D("10"), D(invoiced_cost), order_line_id=line.pk)],
        ),
        actor=actor,
    )
    return services.post_receipt(receipt.pk, actor=actor)


def test_supplier_performance_counts_late_receipts_lead_time_and_price_variance(
    actor, company, make_product, supplier, make_supplier, warehouse
):
    product = make_product()
    _received(
        actor, supplier, warehouse, product, ordered_cost="10", invoiced_cost="10", expected_in_days=2, sent_days_ago=5
    )
    _received(
        actor, supplier, warehouse, product, ordered_cost="10", invoiced_cost="11", expected_in_days=-3, sent_days_ago=9
    )
    punctual = make_supplier()
    _received(
        actor, punctual, warehouse, product, ordered_cost="8", invoiced_cost="8", expected_in_days=0, sent_days_ago=2
    )

    worst, best = selectors.supplier_performance(company)
    assert worst.supplier == supplier and best.supplier == punctual
    assert (worst.receipts, worst.on_time, worst.late) == (2, 1, 1)
    assert worst.on_time_rate == D("50.0") and worst.average_days_late == D("3.0")
    assert worst.average_lead_days == D("7.0")  # 5 and 9 days
    assert worst.ordered_value == D("200.00") and worst.variance == D("10.00") and worst.variance_percent == D("5.00")
    (variation,) = worst.variations
    assert (variation.ordered, variation.invoiced, variation.percent) == (D("10"), D("11"), D("10.00"))
    assert best.on_time_rate == D("100.0") and best.variance == D("0.00") and best.variations == []


def test_supplier_performance_costs_the_same_queries_for_more_suppliers_and_receipts(
    actor, company, make_product, make_supplier, warehouse
):
    def grow(n):
        for _ in range(n):
            _received(
                actor,
                make_supplier(),
                warehouse,
                make_product(),
                ordered_cost="5",
                invoiced_cost="6",
                expected_in_days=-1,
                sent_days_ago=3,
            )

    counts = []
    for n in (1, 5):
        grow(n)
        with CaptureQueriesContext(connection) as ctx:
            rows = selectors.supplier_performance(company)
        counts.append(len(ctx.captured_queries))
    assert len(rows) == 6 and counts[0] == counts[1]
