"""Quotes: priced like orders, printed as a PDF, turned into an order in one action."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from retaguarda.core.errors import InvalidTransition, ValidationFailed
from retaguarda.sales import services
from retaguarda.sales.models import SalesOrder
from retaguarda.sales.services import LineIn, OrderIn
from retaguarda.sales.states import OrderState, QuoteState

from .conftest import D


@pytest.fixture
def make_quote(actor, channel, customer):
    def make(lines, **extra):
        return services.create_quote(
            OrderIn(
                channel_id=channel.pk,
                customer_id=customer.pk,
                lines=tuple(
                    LineIn(quantity=D(q), product_id=p.pk, unit_price=D(price), discount=D(d))
                    for p, q, price, d in lines
                ),
                **{k: v for k, v in extra.items() if k != "valid_until"},
            ),
            actor=actor,
            valid_until=extra.get("valid_until"),
        )

    return make


def test_a_quote_becomes_an_order_with_the_same_lines_and_totals(actor, make_quote, product, make_product):
    other = make_product()
    quote = make_quote(
        [(product, "2", "19.90", "1.00"), (other, "3", "5.55", "0")], freight=D("9.99"), discount=D("2.00")
    )
    assert quote.valid_until == timezone.localdate() + timedelta(days=10)

    order = services.convert_quote(quote.pk, actor=actor)

    quote.refresh_from_db()
    assert quote.state == QuoteState.CONVERTED and order.quote_id == quote.pk
    assert order.total == quote.total and order.discount_total == quote.discount_total
    quoted = list(quote.lines.order_by("number").values_list("product_id", "quantity", "unit_price", "total"))
    ordered = list(order.lines.order_by("number").values_list("product_id", "quantity", "unit_price", "total"))
    assert quoted == ordered
    with pytest.raises(InvalidTransition):
        services.convert_quote(quote.pk, actor=actor)


def test_converting_with_confirmation_reserves_or_leaves_the_quote_open(actor, make_quote, product, warehouse, stock):
    quote = make_quote([(product, "4", "10", "0")])
    with pytest.raises(Exception):  # noqa: B017 - InsufficientStock; the point is what is left behind
        services.convert_quote(quote.pk, actor=actor, confirm=True)
    quote.refresh_from_db()
    assert quote.state == QuoteState.OPEN and not SalesOrder.objects.exists()

    stock.receive(product, warehouse, "4")
    order = services.convert_quote(quote.pk, actor=actor, confirm=True)
    assert order.state == OrderState.CONFIRMED and stock.reserved(product, warehouse) == D(4)


def test_a_quote_cannot_be_valid_before_its_date(make_quote, product):
    with pytest.raises(ValidationFailed):
        make_quote([(product, "1", "10", "0")], valid_until=timezone.localdate() - timedelta(days=1))


def test_the_quote_prints_as_a_pdf(web, make_quote, product):
    quote = make_quote([(product, "2", "19.90", "0")], notes="Entrega em até 5 dias úteis.")

    response = web.get(reverse("sales:quote_pdf", args=[quote.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"/Type /Page" in response.content


def test_quotes_through_the_api(api, channel, customer, product, warehouse, stock):
    stock.receive(product, warehouse, "3")
    body = {
        "channel_id": channel.pk,
        "customer_id": customer.pk,
        "lines": [{"sku": product.sku, "quantity": "3", "unit_price": "12.00"}],
    }
    created = api.post("/api/v1/sales/quotes", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    quote = created.json()
    assert quote["total"] == "36.00" and quote["state"] == "open"

    pdf = api.get(f"/api/v1/sales/quotes/{quote['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    order = api.post(f"/api/v1/sales/quotes/{quote['id']}/convert?confirm=true")
    assert order.status_code == 201 and order.json()["state"] == "confirmed"
    assert api.get(f"/api/v1/sales/quotes/{quote['id']}").json()["order_id"] == order.json()["id"]


def test_quote_pages(web, make_quote, product, channel, customer):
    quote = make_quote([(product, "1", "10", "0")])
    for url in (reverse("sales:quotes"), reverse("sales:quote_new"), reverse("sales:quote", args=[quote.pk])):
        assert web.get(url).status_code == 200, url
    response = web.post(
        reverse("sales:quote_new"),
        {"channel": channel.pk, "customer": customer.document, "lines": f"{product.sku}; 2; 7,50", "valid_until": ""},
    )
    assert response.status_code == 302
    converted = web.post(reverse("sales:quote_action", args=[quote.pk, "convert"]))
    assert converted.status_code == 302 and SalesOrder.objects.filter(quote=quote).exists()
