"""Sales' watch rule: an order not shipped on its promised date opens for Logística and clears when it ships."""

from datetime import timedelta

import pytest
from django.utils import timezone

from retaguarda.sales import rules, services
from retaguarda.sales.tests.conftest import deliver_all
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
