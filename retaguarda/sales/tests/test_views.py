"""Sales pages: the list with its filters in fixed queries, entry by SKU, the order's actions and timeline."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from retaguarda.sales.models import SalesChannel, SalesOrder
from retaguarda.sales.states import OrderState

from .conftest import D


def test_every_sales_page_renders(web, make_order, product, channel):
    order = make_order([(product, "1", "10")])
    for url in (
        reverse("sales:orders"),
        reverse("sales:order_new"),
        reverse("sales:channels"),
        reverse("sales:order", args=[order.pk]),
        reverse("sales:channel_edit", args=[channel.pk]),
    ):
        assert web.get(url).status_code == 200, url


def test_pages_need_the_sales_permission(client, make_user):
    client.force_login(make_user("stock"))
    assert client.get(reverse("sales:orders")).status_code == 403


@pytest.mark.parametrize("size", [2, 12])
def test_the_orders_page_runs_a_fixed_number_of_queries(web, make_order, product, size):
    for _ in range(size):
        make_order([(product, "1", "10")])
    web.get(reverse("sales:orders"))  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        response = web.get(reverse("sales:orders"), {"q": "Cliente", "late": ""})
    assert response.status_code == 200
    assert response.content.decode().count('href="/vendas/') >= size
    # session, user, departments, company switcher + channels filter + the page of orders
    assert len(ctx.captured_queries) <= 8, [q["sql"][:80] for q in ctx.captured_queries]


def test_the_late_filter_shows_promised_orders_past_their_date_never_drafts(
    web, actor, make_order, product, warehouse, stock
):
    """The day's "orders past the promised date" count and the list its link opens agree: a draft was
    never promised to anyone, so it is neither counted nor listed nor marked late."""
    from retaguarda.sales import services
    from retaguarda.web.today import today

    stock.receive(product, warehouse, "10")
    past = timezone.localdate() - timedelta(days=2)
    late = make_order([(product, "1", "10")], promised_ship_date=past)
    services.confirm_order(late.pk, actor=actor)
    draft = make_order([(product, "1", "10")], promised_ship_date=past)
    on_time = make_order([(product, "1", "10")], promised_ship_date=timezone.localdate() + timedelta(days=2))
    services.confirm_order(on_time.pk, actor=actor)

    page = web.get(reverse("sales:orders"), {"late": "1"}, headers={"HX-Request": "true"}).content.decode()

    assert reverse("sales:order", args=[late.pk]) in page
    assert reverse("sales:order", args=[draft.pk]) not in page
    assert reverse("sales:order", args=[on_time.pk]) not in page
    assert "<html" not in page  # htmx gets the table alone
    whole = web.get(reverse("sales:orders"), headers={"HX-Request": "true"}).content.decode()
    assert whole.count('class="badge danger"') == 1  # the late badge: the confirmed order only
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (late.is_late, draft.is_late, on_time.is_late) == (True, False, False)
    [logistics] = today(actor.company_id, ["logistics"])
    assert [t.count for t in logistics.tasks if t.url.endswith("?late=1")] == [1]


def test_an_order_typed_by_sku_and_barcode_then_confirmed_from_its_page(
    web, channel, customer, product, make_product, warehouse, stock
):
    coded = make_product(gtin="7891234567895")
    stock.receive(product, warehouse, "5")
    stock.receive(coded, warehouse, "5")

    response = web.post(
        reverse("sales:order_new"),
        {
            "channel": channel.pk,
            "customer": customer.document,
            "freight": "5,00",
            "lines": f"{product.sku}; 2; 10,00\n7891234567895; 1; 3,50",
        },
    )

    assert response.status_code == 302, response.content.decode()
    order = SalesOrder.objects.get()
    assert order.total == D("28.50")
    web.post(reverse("sales:order_action", args=[order.pk, "confirm"]))
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED and stock.reserved(product, warehouse) == D(2)
    page = web.get(reverse("sales:order", args=[order.pk])).content.decode()
    assert "Confirmado" in page and "Rascunho" in page  # the timeline, in Portuguese


def test_a_bad_order_form_keeps_what_was_typed(web, channel, customer):
    response = web.post(
        reverse("sales:order_new"),
        {"channel": channel.pk, "customer": customer.document, "lines": "NAO-EXISTE; 2"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "NAO-EXISTE" in page and "não encontrado" in page
    assert not SalesOrder.objects.exists()


def test_a_shortfall_on_confirm_is_shown_on_the_page(web, make_order, product, actor):
    order = make_order([(product, "3", "10")])
    response = web.post(reverse("sales:order_action", args=[order.pk, "confirm"]), follow=True)
    assert "Estoque insuficiente" in response.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT


def test_a_channel_is_created_and_edited_from_the_pages(web, warehouse):
    response = web.post(
        reverse("sales:channels"),
        {
            "code": "ml",
            "name": "Mercado Livre",
            "kind": "marketplace",
            "warehouse": warehouse.pk,
            "fee_percent": "16,5",
            "fee_fixed": "6",
        },
    )
    assert response.status_code == 302
    channel = SalesChannel.objects.get(code="ML")
    assert channel.fee_percent == D("16.5")

    refused = web.post(
        reverse("sales:channel_edit", args=[channel.pk]),
        {"version": channel.version, "code": "ML", "name": "", "kind": "marketplace", "warehouse": warehouse.pk},
    )
    assert refused.status_code == 200 and "Informe o nome" in refused.content.decode()


def test_another_companys_order_page_is_404(client, make_order, product, make_company, make_user):
    order = make_order([(product, "1", "1")])
    client.force_login(make_user("sales", companies=[make_company()]))
    assert client.get(reverse("sales:order", args=[order.pk])).status_code == 404


def test_a_drafts_lines_are_edited_in_place(web, make_order, product, make_product):
    other = make_product(gtin="7891234567895")
    order = make_order([(product, "2", "10.00")], freight=D("3.00"))

    response = web.post(
        reverse("sales:order_lines", args=[order.pk]),
        {
            "version": order.version,
            "sku_1": product.sku,
            "qty_1": "3",
            "price_1": "10",
            "sku_new": "7891234567895",
            "qty_new": "1",
            "price_new": "5,50",
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200 and "<html" not in response.content.decode()
    order.refresh_from_db()
    assert order.total == D("38.50") and order.lines.count() == 2
    assert sum(line.freight for line in order.lines.all()) == D("3.00")
    removed = web.post(
        reverse("sales:order_lines", args=[order.pk]),
        {
            "version": order.version,
            "sku_1": product.sku,
            "qty_1": "3",
            "price_1": "10",
            "sku_2": other.sku,
            "qty_2": "0",
        },
    )
    order.refresh_from_db()
    assert removed.status_code == 200 and order.lines.count() == 1 and order.total == D("33.00")


def test_a_bad_edit_keeps_what_was_typed_and_changes_nothing(web, make_order, product):
    order = make_order([(product, "2", "10.00")])
    response = web.post(
        reverse("sales:order_lines", args=[order.pk]),
        {"version": order.version, "sku_1": product.sku, "qty_1": "2", "sku_new": "NAO-EXISTE"},
    )
    page = response.content.decode()
    assert "NAO-EXISTE" in page and "não encontrado" in page
    order.refresh_from_db()
    assert order.total == D("20.00")
