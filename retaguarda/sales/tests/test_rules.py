"""Sales' watch rules: an order not shipped on its promised date, and an authorized note whose goods have not
left, open for Logística and clear when the order ships or is cancelled; confirming an order re-checks the
stock rules of its products at once (inventory's triggers)."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retaguarda.core.models import OutboxEvent
from retaguarda.sales import rules, services
from retaguarda.sales.models import SalesOrder
from retaguarda.sales.tests.conftest import deliver_all, invoiced_order
from retaguarda.watch import services as watch
from retaguarda.watch.models import Occurrence

pytestmark = pytest.mark.django_db
RULE = "sales.order_late"


def test_a_late_confirmed_order_opens_for_logistics_and_resolves_as_soon_as_it_is_cancelled(
    actor, company, make_order, product, warehouse, stock, django_capture_on_commit_callbacks
):
    stock.receive(product, warehouse, "10", cost="4.00")
    today = timezone.localdate()
    late = make_order([(product, "1", "10")], promised_ship_date=today - timedelta(days=2))
    services.confirm_order(late.pk, actor=actor)
    on_time = make_order([(product, "1", "10")], promised_ship_date=today)
    services.confirm_order(on_time.pk, actor=actor)
    make_order([(product, "1", "10")], promised_ship_date=today - timedelta(days=5))  # a draft promises nothing

    watch.evaluate(company.pk, codes=[RULE])
    occ = Occurrence.objects.get(company=company, rule=RULE)
    assert (occ.subject_type, occ.subject_id, occ.department) == ("sales.order", str(late.pk), "logistics")
    assert occ.figures["days"]["value"] == 2
    assert str(late.number) in occ.explanation

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(late.pk, actor=actor, reason="Cliente desistiu")
    deliver_all()  # the worker's delivery of the order's timeline event: no 15-minute wait
    occ.refresh_from_db()
    assert occ.state == "resolved"


def test_grace_days_hold_the_occurrence_back(actor, company, make_order, product, warehouse, stock):
    stock.receive(product, warehouse, "10", cost="4.00")
    order = make_order([(product, "1", "10")], promised_ship_date=timezone.localdate() - timedelta(days=1))
    services.confirm_order(order.pk, actor=actor)
    assert rules.order_late(company.pk, {"grace_days": 1}) == []
    assert [f.subject_id for f in rules.order_late(company.pk, {"grace_days": 0})] == [order.pk]


def test_an_order_taken_and_confirmed_in_one_call_reaches_watch_like_a_confirmation(
    api, company, channel, customer, product, warehouse, stock
):
    """`?confirm=true` writes its two timeline events in one INSERT and tells watch itself: the late
    order opens on the delivery of that event, with no 15-minute run, and the draft event stays quiet."""
    stock.receive(product, warehouse, "10", cost="4.00")
    promised = timezone.localdate() - timedelta(days=3)
    body = {
        "channel_id": channel.pk,
        "external_id": "LATE-1",
        "customer_id": customer.pk,
        "promised_ship_date": promised.isoformat(),
        "lines": [{"sku": product.sku, "quantity": "1", "unit_price": "10"}],
    }
    response = api.post(
        "/api/v1/sales/orders?confirm=true",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": "late-1"},
    )
    assert response.status_code == 201, response.content
    order_id = response.json()["id"]
    changed = OutboxEvent.objects.filter(type="watch.document_changed", payload__document_id=order_id)
    assert [(e.company_id, e.payload["to_state"]) for e in changed] == [(company.pk, "confirmed")]

    deliver_all()
    occ = Occurrence.objects.get(company=company, rule=RULE)
    assert (occ.subject_id, occ.state, occ.figures["days"]["value"]) == (str(order_id), "open", 3)


NOT_SHIPPED = "sales.invoiced_not_shipped"


def test_an_authorized_note_not_shipped_in_time_opens_for_logistics_and_resolves_when_the_order_ships(
    fiscal_ready, actor, company, make_order, product, warehouse, stock, django_capture_on_commit_callbacks
):
    order = invoiced_order(actor, make_order, product, warehouse, stock)
    assert rules.invoiced_not_shipped(company.pk, {"hours": 24}) == []  # authorized a moment ago

    SalesOrder.objects.filter(pk=order.pk).update(invoiced_at=timezone.now() - timedelta(hours=30))
    watch.evaluate(company.pk, codes=[NOT_SHIPPED])
    occ = Occurrence.objects.get(company=company, rule=NOT_SHIPPED)
    assert (occ.subject_type, occ.subject_id, occ.department, occ.state) == (
        "sales.order",
        str(order.pk),
        "logistics",
        "open",
    )
    assert occ.figures["hours"]["value"] == 30
    assert rules.invoiced_not_shipped(company.pk, {"hours": 31}) == []  # the threshold is the company's

    with django_capture_on_commit_callbacks(execute=True):
        services.ship_order(order.pk, actor=actor, carrier="Transportadora Paulista")
    deliver_all()  # the order's timeline event re-checks it: no 15-minute wait
    occ.refresh_from_db()
    assert (occ.state, occ.resolution) == ("resolved", "cleared")


def test_confirming_an_order_rechecks_its_products_minimum_at_once_and_cancelling_clears_it(
    actor, company, make_order, make_product, warehouse, stock, django_capture_on_commit_callbacks
):
    products = [make_product(minimum_stock=5) for _ in range(4)]
    for product in products:
        stock.receive(product, warehouse, "8", cost="4.00")
    below = "inventory.below_minimum"

    def confirmed(lines):
        order = make_order([(p, "4", "10") for p in lines])
        with django_capture_on_commit_callbacks(execute=True):
            services.confirm_order(order.pk, actor=actor)
        with CaptureQueriesContext(connection) as delivery:
            deliver_all()
        return order, len(delivery.captured_queries)

    one, _cost = confirmed(products[:1])
    occ = Occurrence.objects.get(company=company, rule=below)  # opened by the event, not by a run
    assert (occ.subject_id, occ.state) == (str(products[0].pk), "open")
    assert Decimal(occ.figures["available"]["value"]) == 4
    _one_line, one_line_cost = confirmed(products[1:2])
    _two_lines, two_line_cost = confirmed(products[2:])
    assert Occurrence.objects.filter(company=company, rule=below, state="open").count() == 4
    assert one_line_cost == two_line_cost  # the re-check costs the same queries for 1 and 2 lines

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(one.pk, actor=actor, reason="Cliente desistiu")
    deliver_all()
    occ.refresh_from_db()
    assert (occ.state, occ.resolution) == ("resolved", "cleared")
