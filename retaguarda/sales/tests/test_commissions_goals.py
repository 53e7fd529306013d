"""Commissions per salesperson (rules by category, reduced above a discount band; invoiced or paid
basis) and monthly goals with their progress, on orders invoiced through the fake SEFAZ."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from retaguarda.finance import services as finance
from retaguarda.finance.models import Installment
from retaguarda.sales import services
from retaguarda.sales.services import LineIn, OrderIn

from .conftest import D, deliver_all

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seller(actor):
    return services.create_salesperson(actor=actor, name="Ana Ribeiro")


def invoice(actor, order):
    services.confirm_order(order.pk, actor=actor)
    services.invoice_order(order.pk, actor=actor)
    deliver_all()
    order.refresh_from_db()
    return order


def test_the_statement_applies_the_category_rule_and_the_reduced_rate_above_the_band(
    fiscal_ready, actor, channel, customer, make_product, warehouse, stock, seller
):
    mugs, pans = make_product(category="Canecas"), make_product(category="Panelas")
    stock.receive(mugs, warehouse, "10", cost="3")
    stock.receive(pans, warehouse, "10", cost="30")
    services.save_rule(actor=actor, salesperson_id=seller.pk, rate=D("5"), discount_band=D("10"), reduced_rate=D("2"))
    services.save_rule(actor=actor, salesperson_id=seller.pk, rate=D("8"), category="Canecas")
    order = services.create_order(
        OrderIn(
            channel_id=channel.pk,
            customer_id=customer.pk,
            salesperson_id=seller.pk,
            lines=(
                LineIn(quantity=D(2), product_id=mugs.pk, unit_price=D("50.00")),
                # a 25 % discount: above the rule's 10 % band, so the reduced rate applies
                LineIn(quantity=D(1), product_id=pans.pk, unit_price=D("200.00"), discount=D("50.00")),
            ),
        ),
        actor=actor,
    )
    invoice(actor, order)

    today = timezone.localdate()
    lines = services.statement(order.company_id, today, today)

    assert [(line.sku, line.base, line.rate, line.commission) for line in lines] == [
        (mugs.sku, D("100.00"), D("8.0000"), D("8.00")),
        (pans.sku, D("150.00"), D("2.0000"), D("3.00")),
    ]
    assert services.totals_by_salesperson(lines) == [("Ana Ribeiro", D("250.00"), D("11.00"))]


def test_on_the_paid_basis_an_order_counts_as_far_as_it_was_paid(
    fiscal_ready, actor, make_order, product, warehouse, stock, seller
):
    stock.receive(product, warehouse, "10", cost="3")
    services.save_rule(actor=actor, salesperson_id=seller.pk, rate=D("10"))
    services.set_basis("paid", actor=actor)
    order = invoice(actor, make_order([(product, "2", "50.00")], salesperson_id=seller.pk, payment_terms="30/60"))
    today = timezone.localdate()
    assert services.statement(order.company_id, today, today) == []  # nothing paid yet

    account = finance.create_account(
        actor=actor, kind="cash", name="Caixa", bank_id=None, opening_balance=D("0"), opening_date=timezone.localdate()
    )
    first = Installment.objects.filter(title_id=order.receivable_id).order_by("due_date").first()
    finance.settle(first.pk, actor=actor, account_id=account.pk)

    lines = services.statement(order.company_id, today, today)
    assert [(line.base, line.commission) for line in lines] == [(D("50.00"), D("5.00"))]


def test_goals_show_what_was_achieved_and_the_pace_still_needed(
    fiscal_ready, actor, make_order, product, warehouse, stock, seller, channel
):
    stock.receive(product, warehouse, "10", cost="4")
    invoice(actor, make_order([(product, "3", "50.00")], salesperson_id=seller.pk))
    today = timezone.localdate()
    services.save_goal(actor=actor, month=today, metric="revenue", target=D("1000.00"))
    services.save_goal(actor=actor, month=today, metric="orders", target=D("4"), salesperson_id=seller.pk)
    services.save_goal(actor=actor, month=today, metric="margin", target=D("100.00"), channel_id=channel.pk)

    rows = {p.goal.metric: p for p in services.progress(seller.company_id, today)}

    assert rows["revenue"].achieved == D("150.00") and rows["revenue"].percent == D("15.0")
    assert rows["orders"].achieved == 1
    assert rows["margin"].achieved == D("138.00")  # 150 of goods - 12 of cost, no channel fee
    days_left = rows["revenue"].days_left
    assert rows["revenue"].daily_pace == (D("850.00") / days_left).quantize(D("0.01"))


def test_goal_and_commission_pages_and_api(fiscal_ready, web, api, actor, seller):
    services.save_rule(actor=actor, salesperson_id=seller.pk, rate=D("3"))
    for name in ("goals", "commissions", "salespeople"):
        assert web.get(reverse(f"sales:{name}")).status_code == 200, name
    csv = web.get(reverse("sales:commissions"), {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and "Vendedor" in csv.content.decode()
    saved = api.post(
        "/api/v1/sales/goals",
        json.dumps({"month": str(timezone.localdate()), "metric": "revenue", "target": "500.00"}),
        content_type="application/json",
    )
    assert saved.status_code == 201 and saved.json()["achieved"] == "0"
    assert api.get("/api/v1/sales/goals").json()[0]["target"] == "500"
    assert (
        api.get(f"/api/v1/sales/commissions?start={timezone.localdate()}&end={timezone.localdate()}").status_code == 200
    )
    refused = web.post(reverse("sales:goals"), {"metric": "revenue", "target": "-1"})
    assert refused.status_code == 200 and Decimal(-1) not in [g.target for g in seller.goals.all()]
