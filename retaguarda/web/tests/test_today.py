"""The home page shows each department the work waiting for it today, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from retaguarda.sales import services as sales
from retaguarda.watch import services as watch
from retaguarda.web import today

pytestmark = pytest.mark.django_db


def late_orders(actor, make_order, product, n):
    """`n` confirmed orders promised for yesterday, and the watch's run over them."""
    yesterday = timezone.localdate() - timedelta(days=1)
    for _ in range(n):
        order = make_order([(product, "1", "10")], promised_ship_date=yesterday)
        sales.confirm_order(order.pk, actor=actor)
    make_order([(product, "1", "10")])  # a draft for Vendas
    watch.evaluate(actor.company_id, codes=["sales.order_late"])


def card(html: str, code: str) -> str:
    start = html.index(f'data-department="{code}"')
    return html[start : html.index("</article>", start)]


def test_each_department_finds_its_own_work_on_the_home_page(
    client, make_user, actor, make_order, product, warehouse, stock
):
    stock.receive(product, warehouse, "10", cost="4.00")
    late_orders(actor, make_order, product, 2)

    client.force_login(make_user("logistics"))
    html = client.get("/").content.decode()
    logistics = card(html, "logistics")
    assert "Pedidos após a data prometida" in logistics and '<span class="badge bad">2</span>' in logistics
    assert 'href="/ocorrencias/?department=logistics"' in logistics
    assert 'data-department="sales"' not in html and 'data-department="finance"' not in html

    client.force_login(make_user("sales"))
    html = client.get("/").content.decode()
    assert "Rascunhos de pedido a confirmar" in card(html, "sales")
    assert 'data-department="logistics"' not in html


def test_the_administrator_sees_every_department(web):
    html = web.get("/").content.decode()
    for code in today.SHOWN:
        assert f'data-department="{code}"' in html


def test_the_home_page_costs_the_same_queries_for_more_work(
    web, actor, make_order, product, warehouse, stock, django_assert_max_num_queries
):
    stock.receive(product, warehouse, "100", cost="4.00")
    late_orders(actor, make_order, product, 1)
    with django_assert_max_num_queries(30) as few:
        assert web.get("/").status_code == 200
    late_orders(actor, make_order, product, 15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        web.get("/")
