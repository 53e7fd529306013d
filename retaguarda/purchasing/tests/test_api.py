"""The purchasing API: status codes, error codes, a foreign id is 404, queries that do not grow."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retaguarda.purchasing.demo import SAMPLE
from retaguarda.purchasing.models import NfeImport, PurchaseOrder

BASE = "/api/v1/purchasing"
D = Decimal
SAMPLES = SAMPLE  # nfelib's own sample notes, installed with it
MEDICAL = "26180875335849000115550010000016871192213331-nfe.xml"


def post(client, path, body=None):
    return client.post(BASE + path, json.dumps(body or {}), content_type="application/json")


def test_order_send_receive_and_post_through_the_api(api, make_product, supplier, warehouse):
    box = make_product(purchase_unit="CX", purchase_factor=D("12"))
    response = post(
        api,
        "/orders",
        {
            "supplier_id": supplier.pk,
            "warehouse_id": warehouse.pk,
            "freight": "12.00",
            "lines": [{"product_id": box.pk, "quantity": "2", "unit_cost": "120", "ipi": "12.00"}],
        },
    )
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["state"] == "draft" and order["total"] == "264.00" and order["allowed"] == ["cancelled", "ordered"]
    assert post(api, f"/orders/{order['id']}/send").json()["state"] == "ordered"

    response = post(
        api,
        "/receipts",
        {"supplier_id": supplier.pk, "warehouse_id": warehouse.pk, "order_ids": [order["id"]], "freight": "12.00"},
    )
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert receipt["lines"][0]["stock_quantity"] == "24"
    assert receipt["lines"][0]["unit_stock_cost"] == "11"  # (240 + 12 IPI + 12 freight) / 24
    posted = post(api, f"/receipts/{receipt['id']}/post").json()
    assert posted["state"] == "posted" and posted["title_id"]
    assert api.get(f"{BASE}/orders/{order['id']}").json()["state"] == "received"


def test_errors_have_codes_and_another_companys_order_is_404(
    api, make_product, make_supplier, make_company, supplier, warehouse
):
    response = post(api, "/orders", {"supplier_id": supplier.pk, "warehouse_id": warehouse.pk, "lines": []})
    assert response.status_code == 422 and response.json()["code"] == "core.validation"
    order = post(
        api,
        "/orders",
        {
            "supplier_id": supplier.pk,
            "warehouse_id": warehouse.pk,
            "lines": [{"product_id": make_product().pk, "quantity": "1", "unit_cost": "1"}],
        },
    ).json()
    post(api, f"/orders/{order['id']}/cancel", {"reason": "teste"})
    response = post(api, f"/orders/{order['id']}/send")
    assert response.status_code == 409 and response.json()["code"] == "core.invalid_transition"

    foreign = PurchaseOrder.objects.create(
        company=make_company(),
        number=1,
        supplier=supplier,
        warehouse=warehouse,
        order_date="2026-01-01",
    )
    assert api.get(f"{BASE}/orders/{foreign.pk}").status_code == 404
    assert post(api, f"/orders/{foreign.pk}/send").status_code == 404


def test_stock_may_ask_but_only_purchasing_approves(api_client_for, make_user, make_product):
    stock_user = make_user("stock")
    client = api_client_for(stock_user)
    response = post(
        client, "/requests", {"reason": "Acabando", "lines": [{"product_id": make_product().pk, "quantity": "10"}]}
    )
    assert response.status_code == 201, response.content
    assert post(client, f"/requests/{response.json()['id']}/approve").status_code == 403
    buyer = api_client_for(make_user("purchasing"))
    assert post(buyer, f"/requests/{response.json()['id']}/approve").json()["state"] == "approved"


def test_an_nfe_upload_answers_its_preview_and_confirm_enters_it(
    api_client_for, make_company, make_user, make_product, make_warehouse
):
    company = make_company(cnpj="37148260000119")
    client = api_client_for(make_user("purchasing", companies=[company]))
    products = [make_product(company=company) for _ in range(3)]
    warehouse = make_warehouse(company=company)
    with open(SAMPLES / MEDICAL, "rb") as f:
        response = client.post(BASE + "/nfe-imports", {"files": [f]})
    assert response.status_code == 201, response.content
    (preview,) = response.json()
    assert preview["ready"] is False and preview["supplier_id"] is None
    assert [line["supplier_code"] for line in preview["lines"]] == ["880945", "880930", "880200"]

    body = {
        "warehouse_id": warehouse.pk,
        "create_supplier": True,
        "answers": [{"item": n, "product_id": p.pk} for n, p in zip((1, 2, 3), products, strict=True)],
    }
    response = post(client, f"/nfe-imports/{preview['id']}/confirm", body)
    assert response.status_code == 200, response.content
    assert response.json()["total"] == "5780.00" and response.json()["state"] == "posted"

    with open(SAMPLES / MEDICAL, "rb") as f:
        again = client.post(BASE + "/nfe-imports", {"files": [f]})
    assert again.status_code == 409 and again.json()["code"] == "purchasing.nfe_already_imported"


def test_a_file_that_is_not_xml_is_422_in_portuguese(api_client_for, make_company, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_client_for(make_user("purchasing"))
    response = client.post(BASE + "/nfe-imports", {"files": [SimpleUploadedFile("nota.pdf", b"%PDF-1.4")]})
    assert response.status_code == 422
    assert "XML" in response.json()["details"][0]["message"]
    assert not NfeImport.objects.exists()


@pytest.mark.parametrize("path", ["/orders", "/receipts", "/requests"])
def test_lists_cost_the_same_queries_at_two_sizes(api, path, make_product, supplier, warehouse, actor):
    from retaguarda.purchasing import services

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

    api.get(BASE + path)
    counts = []
    for n in (2, 10):
        grow(n)
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(BASE + path).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_receipt_with_more_lines_costs_the_same_queries_to_read(api, make_product, supplier, warehouse, actor):
    from retaguarda.purchasing import services

    api.get(BASE + "/receipts")  # the token's first use is written once a minute: not part of a route's cost
    counts = []
    for n in (1, 20):
        lines = [services.ReceiptLineIn(make_product().pk, D("1"), D("1")) for _ in range(n)]
        receipt = services.create_receipt(services.ReceiptIn(supplier.pk, warehouse.pk, lines), actor=actor)
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"{BASE}/receipts/{receipt.pk}").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_entry_cfop_map_and_supplier_performance_through_the_api(api, actor, make_product, supplier, warehouse):
    answer = api.put(f"{BASE}/cfop-map/5102", json.dumps({"entry_cfop": "1556"}), content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {
        "supplier_cfop": "5102",
        "default_entry_cfop": "1102",
        "entry_cfop": "1556",
    }
    bad = api.put(f"{BASE}/cfop-map/5102", json.dumps({"entry_cfop": "5102"}), content_type="application/json")
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "entry_cfop"
    assert api.delete(f"{BASE}/cfop-map/5102").status_code == 204
    assert api.delete(f"{BASE}/cfop-map/5102").status_code == 404

    from retaguarda.purchasing import services

    product = make_product()
    order = services.create_order(
        services.OrderIn(supplier.pk, warehouse.pk, [services.OrderLineIn(product.pk, D("4"), D("5"))]), actor=actor
    )
    services.send_order(order.pk, actor=actor)
    response = post(
        api, "/receipts", {"supplier_id": supplier.pk, "warehouse_id": warehouse.pk, "order_ids": [order.pk]}
    )
    post(api, f"/receipts/{response.json()['id']}/post")
    (row,) = api.get(f"{BASE}/suppliers/performance").json()
    assert row["supplier_id"] == supplier.pk and row["receipts"] == 1 and row["on_time_rate"] == "100"
    assert row["variance"] == "0.00" and row["declared_lead_days"] == 7
