"""Purchasing's watch rule: an order past its expected date opens for Compras and clears once received."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from retaguarda.purchasing import rules, services
from retaguarda.purchasing.models import PurchaseOrder
from retaguarda.purchasing.services import OrderIn, OrderLineIn
from retaguarda.watch import services as watch
from retaguarda.watch.models import Occurrence

pytestmark = pytest.mark.django_db
D = Decimal
RULE = "purchasing.order_late"


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
