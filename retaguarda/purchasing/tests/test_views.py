"""Purchasing pages: they render, forms keep what was typed, lists cost fixed queries, the NF-e preview confirms."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from retaguarda.purchasing import services
from retaguarda.purchasing.demo import SAMPLE
from retaguarda.purchasing.models import PurchaseOrder, Receipt

D = Decimal
SAMPLES = SAMPLE  # nfelib's own sample notes, installed with it
MEDICAL = "26180875335849000115550010000016871192213331-nfe.xml"


@pytest.fixture
def buyer(make_user):
    client = Client()
    client.force_login(make_user("purchasing"))
    return client


def test_a_purchase_order_is_created_sent_and_received_from_its_pages(buyer, make_product, supplier, warehouse):
    make_product("CX-COPO", purchase_unit="CX", purchase_factor=D("12"))
    response = buyer.post(
        "/compras/pedidos/novo/",
        {
            "supplier": supplier.pk,
            "warehouse": warehouse.pk,
            "freight": "10,00",
            "code_1": "CX-COPO",
            "quantity_1": "2",
            "cost_1": "120,00",
            "ipi_1": "12,00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    order = PurchaseOrder.objects.get()
    assert order.total == D("262.00")
    page = buyer.get(f"/compras/pedidos/{order.pk}/").content.decode()
    assert "R$\xa0262,00" in page and "Enviar ao fornecedor" in page
    pdf = buyer.get(f"/compras/pedidos/{order.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    buyer.post(f"/compras/pedidos/{order.pk}/send/")
    response = buyer.post(f"/compras/pedidos/{order.pk}/receive/")
    receipt = Receipt.objects.get()
    assert response.url == f"/compras/entradas/{receipt.pk}/"
    buyer.post(f"/compras/entradas/{receipt.pk}/post/")
    receipt.refresh_from_db()
    assert receipt.state == "posted"
    assert "Lançada" in buyer.get(f"/compras/entradas/{receipt.pk}/").content.decode()


def test_an_order_form_with_problems_keeps_what_was_typed(buyer, supplier, warehouse):
    response = buyer.post(
        "/compras/pedidos/novo/",
        {
            "supplier": supplier.pk,
            "warehouse": warehouse.pk,
            "code_1": "NAO-EXISTE",
            "quantity_1": "abc",
            "cost_1": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="NAO-EXISTE"' in page and 'value="abc"' in page and "Nada foi salvo" in page
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("url", ["/compras/", "/compras/entradas/", "/compras/solicitacoes/", "/compras/nfe/"])
def test_lists_cost_fixed_queries(buyer, url, actor, make_product, supplier, warehouse):
    def grow(n):
        for _ in range(n):
            product = make_product()
            services.create_request(actor=actor, lines=[services.RequestLineIn(product.pk, D("1"))], reason="x")
            services.create_order(
                services.OrderIn(supplier.pk, warehouse.pk, [services.OrderLineIn(product.pk, D("1"), D("1"))]),
                actor=actor,
            )
            services.create_receipt(
                services.ReceiptIn(supplier.pk, warehouse.pk, [services.ReceiptLineIn(product.pk, D("1"), D("1"))]),
                actor=actor,
            )

    buyer.get(url)
    counts = []
    for n in (2, 8):
        grow(n)
        with CaptureQueriesContext(connection) as ctx:
            assert buyer.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_nfe_preview_takes_a_product_by_hand_and_confirms(make_company, make_user, make_product, make_warehouse):
    company = make_company(cnpj="37148260000119")
    client = Client()
    client.force_login(make_user("purchasing", companies=[company]))
    products = [make_product(f"MED-{n}", company=company) for n in (1, 2, 3)]
    warehouse = make_warehouse(company=company)
    with open(SAMPLES / MEDICAL, "rb") as f:
        response = client.post("/compras/nfe/", {"files": [f]})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "880945" in page and "O fornecedor 75335849000115 ainda não está cadastrado." in page

    incomplete = client.post(response.url, {"warehouse": warehouse.pk, "create_supplier": "1", "product_1": "MED-1"})
    assert incomplete.status_code == 422 and "escolha o produto" in incomplete.content.decode()
    assert 'value="MED-1"' in incomplete.content.decode()

    done = client.post(
        response.url,
        {
            "warehouse": warehouse.pk,
            "create_supplier": "1",
            "product_1": "MED-1",
            "product_2": "MED-2",
            "product_3": "MED-3",
            "factor_3": "1",
        },
    )
    assert done.status_code == 302, done.content.decode()[:3000]
    receipt = Receipt.objects.get()
    assert receipt.total == D("5780.00") and [p.pk for p in products] == list(
        receipt.lines.order_by("id").values_list("product_id", flat=True)
    )


def test_suggestions_become_draft_orders_from_the_page_and_late_suppliers_render(
    buyer, actor, make_product, supplier, warehouse
):
    product = make_product(minimum_stock=5)
    last = services.create_order(
        services.OrderIn(supplier.pk, warehouse.pk, [services.OrderLineIn(product.pk, D("1"), D("1"))]), actor=actor
    )
    services.cancel_order(last.pk, actor=actor)
    page = buyer.get("/compras/sugestoes/").content.decode()
    assert product.sku in page
    response = buyer.post("/compras/sugestoes/", {"pick": f"{product.pk}-{warehouse.pk}"})
    assert response.status_code == 302
    assert PurchaseOrder.objects.filter(state="draft").count() == 1
    assert buyer.get("/compras/atrasos/").status_code == 200


def test_supplier_performance_shows_on_the_purchasing_page_and_on_the_suppliers_page(
    buyer, actor, make_product, supplier, warehouse
):
    product = make_product()
    order = services.create_order(
        services.OrderIn(supplier.pk, warehouse.pk, [services.OrderLineIn(product.pk, D("2"), D("10"))]), actor=actor
    )
    services.send_order(order.pk, actor=actor)
    receipt = services.create_receipt(
        services.ReceiptIn(
            supplier.pk,
            warehouse.pk,
            [services.ReceiptLineIn(product.pk, D("2"), D("12"), order_line_id=order.lines.get().pk)],
        ),
        actor=actor,
    )
    services.post_receipt(receipt.pk, actor=actor)

    page = buyer.get("/compras/fornecedores/").content.decode()
    assert supplier.legal_name in page and "100,0%" in page and "R$\xa04,00 (20,00%)" in page
    party = buyer.get(f"/cadastros/{supplier.pk}/").content.decode()
    assert f'hx-get="/compras/fornecedores/{supplier.pk}/"' in party
    card = buyer.get(f"/compras/fornecedores/{supplier.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert card.lstrip().startswith('<section class="card" id="supplier-performance">')
    assert "Preços faturados diferentes do pedido" in card and product.sku in card


def test_the_entry_cfop_page_saves_the_companys_own_and_keeps_a_bad_entry_typed(buyer):
    page = buyer.get("/compras/cfop/").content.decode()
    assert 'data-cfop="5405"' in page and "1403" in page
    bad = buyer.post("/compras/cfop/", {"supplier_cfop": "5102", "entry_cfop": "1999"})
    assert (
        bad.status_code == 422 and 'value="1999"' in bad.content.decode() and "Nada foi salvo" in bad.content.decode()
    )
    assert buyer.post("/compras/cfop/", {"supplier_cfop": "5102", "entry_cfop": "1556"}).status_code == 302
    row = buyer.get("/compras/cfop/").content.decode().split('data-cfop="5102"')[1].split("</tr>")[0]
    assert "<strong>1556</strong>" in row
    assert buyer.post("/compras/cfop/", {"delete": "5102"}).status_code == 302
    assert "<strong>" not in buyer.get("/compras/cfop/").content.decode().split('data-cfop="5102"')[1].split("</tr>")[0]
