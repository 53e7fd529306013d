"""Purchasing's watch rule: an order past its expected date opens for Compras and clears once received."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from retaguarda.core import outbox
from retaguarda.purchasing import rules, selectors, services
from retaguarda.purchasing.models import PurchaseOrder, Receipt, SupplierProduct
from retaguarda.purchasing.services import OrderIn, OrderLineIn
from retaguarda.watch import registry
from retaguarda.watch import services as watch
from retaguarda.watch.models import Occurrence

pytestmark = pytest.mark.django_db
D = Decimal
RULE = "purchasing.order_late"


def delivered():
    """What the worker does after the commits: the outbox events (timeline changes that watch follows)."""
    while outbox.deliver_due():
        pass


def sent_order(actor, supplier, warehouse, product, *, days_late):
    order = services.create_order(
        OrderIn(supplier.pk, warehouse.pk, [OrderLineIn(product.pk, D("2"), D("5"))]), actor=actor
    )
    services.send_order(order.pk, actor=actor)
    PurchaseOrder.objects.filter(pk=order.pk).update(expected_date=timezone.localdate() - timedelta(days=days_late))
    return order


def test_a_late_purchase_order_opens_for_purchasing_and_resolves_once_received(
    actor, company, make_product, supplier, warehouse
):
    product = make_product()
    late = sent_order(actor, supplier, warehouse, product, days_late=3)
    sent_order(actor, supplier, warehouse, make_product(), days_late=0)  # due today: not late yet

    watch.evaluate(company.pk, codes=[RULE])
    occ = Occurrence.objects.get(company=company, rule=RULE)
    assert (occ.subject_type, occ.subject_id, occ.department) == ("purchasing.order", str(late.pk), "purchasing")
    assert occ.figures["days"]["value"] == 3

    lines = services.lines_from_orders(actor, [late.pk])
    receipt = services.create_receipt(services.ReceiptIn(supplier.pk, warehouse.pk, lines), actor=actor)
    services.post_receipt(receipt.pk, actor=actor)
    watch.evaluate(company.pk, codes=[RULE])
    occ.refresh_from_db()
    assert occ.state == "resolved"


def test_grace_days_and_drafts_do_not_fire(actor, company, make_product, supplier, warehouse):
    sent_order(actor, supplier, warehouse, make_product(), days_late=2)
    draft = services.create_order(
        OrderIn(supplier.pk, warehouse.pk, [OrderLineIn(make_product().pk, D("1"), D("1"))]), actor=actor
    )
    PurchaseOrder.objects.filter(pk=draft.pk).update(expected_date=timezone.localdate() - timedelta(days=9))
    assert rules.order_late(company.pk, {"grace_days": 2}) == []
    assert len(rules.order_late(company.pk, {"grace_days": 1})) == 1


# ---------------------------------------------------------------------------- price above the last receipt

PRICE = "purchasing.price_above_last"


def received(actor, supplier, warehouse, product, unit_cost, *, quantity="10", discount="0", freight="0"):
    line = services.ReceiptLineIn(product.pk, D(quantity), D(unit_cost), discount=D(discount))
    receipt = services.create_receipt(
        services.ReceiptIn(supplier.pk, warehouse.pk, [line], charges=services.Charges(freight=D(freight))),
        actor=actor,
    )
    return services.post_receipt(receipt.pk, actor=actor)


def test_a_price_raised_above_the_suppliers_last_opens_for_purchasing_and_resolves_with_the_next_receipt(
    actor, company, make_product, make_supplier, supplier, warehouse
):
    product, other = make_product(), make_supplier()
    received(actor, supplier, warehouse, product, "5.00")
    received(actor, other, warehouse, product, "9.00")  # another supplier's price: not compared
    # 5.50 with 0.50 discount on 10 is 5.00 net: unchanged, though the freight lifts the landed cost.
    received(actor, supplier, warehouse, product, "5.50", discount="5.00", freight="30.00")
    watch.evaluate(company.pk, codes=[PRICE])
    assert not Occurrence.objects.filter(company=company, rule=PRICE).exists()

    raised = received(actor, supplier, warehouse, product, "6.00", quantity="4")  # 20 % above 5.00
    delivered()  # the receipt's timeline event reaches watch through the outbox: no 15-minute wait
    occ = Occurrence.objects.get(company=company, rule=PRICE)
    assert (occ.subject_type, occ.subject_id, occ.department) == (
        "purchasing.receipt_line",
        str(raised.lines.get().pk),
        "purchasing",
    )
    assert occ.figures["increase"]["value"] == "20.0" and occ.figures["previous"]["value"] == "5.0000"
    assert "20% acima" in occ.explanation and "R$\xa05,00" in occ.explanation

    # The supplier's next delivery at the new price: the rise is known and accepted, the alert clears.
    received(actor, supplier, warehouse, product, "6.00")
    delivered()
    occ.refresh_from_db()
    assert occ.state == "resolved"
    assert not Occurrence.objects.filter(company=company, rule=PRICE, state="open").exists()


def test_the_percent_and_the_window_are_thresholds(actor, company, make_product, supplier, warehouse):
    product = make_product()
    received(actor, supplier, warehouse, product, "10.00")
    received(actor, supplier, warehouse, product, "11.00")  # exactly 10 %: not above
    assert rules.price_above_last(company.pk, {"percent": 10, "days": 30}) == []
    assert len(rules.price_above_last(company.pk, {"percent": 9, "days": 30})) == 1
    Receipt.objects.filter(company=company).update(posted_at=timezone.now() - timedelta(days=31))
    assert rules.price_above_last(company.pk, {"percent": 9, "days": 30}) == []


def test_the_price_rule_runs_one_query_whatever_the_receipts(
    actor, company, make_product, supplier, warehouse, django_assert_num_queries
):
    for n in (1, 4):
        for _ in range(n):
            product = make_product()
            received(actor, supplier, warehouse, product, "1.00")
            received(actor, supplier, warehouse, product, "2.00")
        with django_assert_num_queries(1):
            found = rules.price_above_last(company.pk, {"percent": 10, "days": 30})
    assert len(found) == 5


# ---------------------------------------------------------------------------- suggestion not acted on

SUGGESTION = "purchasing.suggestion_not_acted"


def running_out(make_product, warehouse, stock):
    """Minimum 10, 2 available, selling 1 a day: below the minimum for 8 days; a 7-day supplier made the
    order due 15 days ago."""
    product = make_product(minimum_stock=10, maximum_stock=D("40"))
    stock.receive(product, warehouse, "32")
    stock.issue(product, warehouse, "30")
    return product


def test_a_suggestion_left_while_stock_runs_out_opens_for_purchasing_and_resolves_once_ordered(
    actor, company, make_product, supplier, warehouse, stock
):
    product = running_out(make_product, warehouse, stock)
    first = services.create_order(
        OrderIn(supplier.pk, warehouse.pk, [OrderLineIn(product.pk, D("1"), D("5"))]), actor=actor
    )
    services.cancel_order(first.pk, actor=actor)  # names the supplier (lead time 7), orders nothing
    stocked = make_product(minimum_stock=5)
    stock.receive(stocked, warehouse, "50")  # above its minimum: no suggestion

    watch.evaluate(company.pk, codes=[SUGGESTION])
    occ = Occurrence.objects.get(company=company, rule=SUGGESTION)
    assert (occ.subject_type, occ.subject_id, occ.department, occ.severity) == (
        "catalog.product",
        str(product.pk),
        "purchasing",
        "high",
    )
    assert occ.figures["days"]["value"] == 15 and occ.figures["quantity"]["value"] == "45.0000"
    assert occ.figures["lead"]["value"] == 7

    (suggestion,) = selectors.reorder_suggestions(company)
    services.orders_from_suggestions(
        [services.PickedSuggestion(product.pk, warehouse.pk, supplier.pk, suggestion.quantity)], actor=actor
    )
    delivered()
    occ.refresh_from_db()
    assert occ.state == "resolved"
    # A planning alarm: a sales order's confirmation does not re-check it (the 15-minute run does).
    assert SUGGESTION not in {r.code for r, _t in registry.triggered_by("sales.salesorder", "confirmed")}


def test_an_open_request_covering_the_shortfall_counts_as_acted_on(
    actor, company, make_product, supplier, warehouse, stock
):
    product = running_out(make_product, warehouse, stock)
    assert len(rules.suggestion_not_acted(company.pk, {"days": 2})) == 1
    assert rules.suggestion_not_acted(company.pk, {"days": 15}) == []  # due 15 days ago: not more than 15
    small = services.create_request(actor=actor, lines=[services.RequestLineIn(product.pk, D("5"))], reason="Falta")
    assert len(rules.suggestion_not_acted(company.pk, {"days": 2})) == 1  # 5 does not cover the 10 missing
    services.cancel_request(small.pk, actor=actor)
    services.create_request(actor=actor, lines=[services.RequestLineIn(product.pk, D("10"))], reason="Falta")
    assert rules.suggestion_not_acted(company.pk, {"days": 2}) == []


def test_the_suggestion_rule_queries_do_not_grow_with_the_products(
    actor, company, make_product, supplier, warehouse, stock, django_assert_num_queries
):
    for n in (1, 5):
        for _ in range(n):
            product = running_out(make_product, warehouse, stock)
            SupplierProduct.objects.create(
                company=company, supplier=supplier, supplier_code=product.sku, product=product
            )
        # products (with their last supplier), warehouses, stock, on order, sales, suppliers, requests
        with django_assert_num_queries(7):
            found = rules.suggestion_not_acted(company.pk, {"days": 2})
    assert len(found) == 6
