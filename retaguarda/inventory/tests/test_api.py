import json

import pytest
from django.utils import timezone

from retaguarda.inventory.models import StockMove

from .conftest import D

BASE = "/api/v1/inventory"


def post(client, path, body, **headers):
    return client.post(BASE + path, json.dumps(body), content_type="application/json", headers=headers)


def test_manual_entry_is_idempotent_with_a_key(api, product, warehouse):
    body = {
        "warehouse_id": warehouse.pk,
        "direction": "in",
        "counterpart": "supplier",
        "reason": "Saldo inicial",
        "lines": [{"product_id": product.pk, "quantity": "5", "unit_cost": "3.20"}],
    }

    first = post(api, "/moves", body, **{"Idempotency-Key": "k1"})
    again = post(api, "/moves", body, **{"Idempotency-Key": "k1"})

    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert first.json()["moves"][0]["quantity"] == "5"
    assert StockMove.objects.filter(product=product).count() == 1


def test_a_shortfall_answers_409_with_every_product(api, make_product, warehouse, stock):
    a, b = make_product("A"), make_product("B")
    stock.receive(a, warehouse, "1")
    body = {
        "warehouse_id": warehouse.pk,
        "direction": "out",
        "reason": "Venda balcão",
        "counterpart": "customer",
        "lines": [{"product_id": a.pk, "quantity": "2"}, {"product_id": b.pk, "quantity": "1"}],
    }

    response = post(api, "/moves", body)

    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "inventory.insufficient_stock"
    assert [(d["sku"], d["requested"], d["available"]) for d in data["details"]] == [
        ("A", "2", "1"),
        ("B", "1", "0"),
    ]


def test_balances_list_on_hand_reserved_available_and_value(api, stock, product, warehouse):
    stock.receive(product, warehouse, "10", cost="2.5")
    post(
        api,
        "/reservations",
        {
            "source_type": "manual.order",
            "source_id": 1,
            "lines": [{"line": 1, "product_id": product.pk, "warehouse_id": warehouse.pk, "quantity": "4"}],
        },
    )

    [row] = api.get(f"{BASE}/balances").json()["items"]

    assert (row["on_hand"], row["reserved"], row["available"]) == ("10", "4", "6")
    assert (row["average_cost"], row["value"]) == ("2.5", "25.00")


def test_reservations_oversold_answer_409_and_release_works(api, stock, product, warehouse):
    stock.receive(product, warehouse, "2")
    line = {"line": 1, "product_id": product.pk, "warehouse_id": warehouse.pk, "quantity": "2"}
    created = post(api, "/reservations", {"source_type": "manual.order", "source_id": 1, "lines": [line]})
    assert created.status_code == 201
    refused = post(api, "/reservations", {"source_type": "manual.order", "source_id": 2, "lines": [line]})
    assert refused.status_code == 409 and refused.json()["code"] == "inventory.insufficient_stock"

    released = api.post(f"{BASE}/reservations/{created.json()[0]['id']}/release")

    assert released.status_code == 200 and released.json()["state"] == "released"
    assert stock.available(product, warehouse) == D(2)


def test_a_reservation_answers_what_ninja_writes_for_its_rows(api, stock, make_product, warehouse):
    """The route writes its answer itself (`core.answers`): the same text as through `ReservationOut`."""
    from ninja.responses import NinjaJSONEncoder

    from retaguarda.inventory.models import Reservation
    from retaguarda.inventory.schemas import ReservationOut

    products = [make_product(), make_product()]
    for p in products:
        stock.receive(p, warehouse, "5")
    lines = [
        {"line": i, "product_id": p.pk, "warehouse_id": warehouse.pk, "quantity": q}
        for i, (p, q) in enumerate(zip(products, ["2.5", "1"], strict=True), 1)
    ]
    created = post(api, "/reservations", {"source_type": "manual.order", "source_id": 9, "lines": lines})

    assert created.status_code == 201, created.content
    rows = Reservation.objects.filter(source_id=9).select_related("product", "location").order_by("id")
    written = [ReservationOut.from_orm(r).model_dump() for r in rows]
    assert created.content.decode() == json.dumps(written, cls=NinjaJSONEncoder)
    assert created.json()[0]["quantity"] == "2.5"


def test_a_refused_reservation_does_not_burn_its_key_and_a_done_one_replays(api, stock, product, warehouse):
    line = {"line": 1, "product_id": product.pk, "warehouse_id": warehouse.pk, "quantity": "2"}
    body = {"source_type": "manual.order", "source_id": 5, "lines": [line]}
    refused = post(api, "/reservations", body, **{"Idempotency-Key": "r-1"})
    assert refused.status_code == 409, refused.content

    stock.receive(product, warehouse, "2")
    created = post(api, "/reservations", body, **{"Idempotency-Key": "r-1"})
    again = post(api, "/reservations", body, **{"Idempotency-Key": "r-1"})

    assert created.status_code == again.status_code == 201, again.content
    assert "Idempotent-Replayed" not in created and again["Idempotent-Replayed"] == "true"
    assert again.json() == created.json()
    assert stock.reserved(product, warehouse) == D(2)


def test_a_transfer_through_the_api(api, stock, product, make_warehouse):
    depot, shop = make_warehouse("CD"), make_warehouse("LOJA")
    stock.receive(product, depot, "5")
    created = post(
        api,
        "/transfers",
        {
            "from_warehouse_id": depot.pk,
            "to_warehouse_id": shop.pk,
            "lines": [{"product_id": product.pk, "quantity": "2"}],
        },
    )
    assert created.status_code == 201, created.content
    tid = created.json()["id"]

    shipped = api.post(f"{BASE}/transfers/{tid}/ship").json()
    assert shipped["state"] == "shipped" and shipped["allowed"] == ["received"]
    assert api.post(f"{BASE}/transfers/{tid}/ship").json()["code"] == "core.invalid_transition"
    received = api.post(f"{BASE}/transfers/{tid}/receive").json()

    assert [e["to_state"] for e in received["events"]] == ["draft", "shipped", "received"]
    assert stock.on_hand(product, shop) == D(2)


def test_a_count_through_the_api(api, stock, product, warehouse):
    stock.receive(product, warehouse, "5")
    cid = post(api, "/counts", {"warehouse_id": warehouse.pk}).json()["id"]
    api.post(f"{BASE}/counts/{cid}/start")
    post(api, f"/counts/{cid}/quantities", {"entries": [{"product_id": product.pk, "quantity": "4"}]})

    posted = api.post(f"{BASE}/counts/{cid}/post").json()

    assert posted["state"] == "posted"
    assert posted["lines"][0]["difference"] == "-1"
    kardex = api.get(f"{BASE}/products/{product.pk}/kardex").json()
    assert [(line["quantity_out"], line["balance"]) for line in kardex["lines"]][-1] == ("1", "4")


def test_balance_at_a_past_moment(api, stock, product, warehouse):
    stock.receive(product, warehouse, "5")
    moment = timezone.now()
    stock.issue(product, warehouse, "2")

    then = api.get(f"{BASE}/balances/at", {"at": moment.isoformat()}).json()["items"]
    now = api.get(f"{BASE}/balances/at", {"at": timezone.now().isoformat()}).json()["items"]

    assert [i["on_hand"] for i in then] == ["5"]
    assert [i["on_hand"] for i in now] == ["3"]


def test_reading_needs_inventory_view_and_posting_inventory_post(api_client_for, make_user, product, warehouse):
    sales = api_client_for(make_user("sales"))
    logistics = api_client_for(make_user("logistics"))
    body = {
        "warehouse_id": warehouse.pk,
        "direction": "in",
        "reason": "x",
        "lines": [{"product_id": product.pk, "quantity": "1"}],
    }

    assert sales.get(f"{BASE}/balances").status_code == 200
    assert post(sales, "/moves", body).status_code == 403
    assert post(logistics, "/reservations", {"source_type": "s", "source_id": 1, "lines": []}).status_code == 403


def test_other_companies_warehouses_are_not_found(api, make_company, make_warehouse):
    foreign = make_warehouse(company=make_company())

    assert api.get(f"{BASE}/warehouses/{foreign.pk}").status_code == 404
    assert foreign.pk not in [w["id"] for w in api.get(f"{BASE}/warehouses").json()["items"]]


@pytest.mark.parametrize("limit", [2, 10])
def test_balance_and_kardex_pages_run_a_fixed_number_of_queries(
    api, stock, make_product, warehouse, limit, django_assert_max_num_queries
):
    products = [make_product() for _ in range(12)]
    for p in products:
        stock.receive(p, warehouse, "3")
        stock.issue(p, warehouse, "1")
    for _ in range(10):
        stock.receive(products[0], warehouse, "1")

    with django_assert_max_num_queries(8):  # session/token, user, company + the selector's own
        assert len(api.get(f"{BASE}/balances", {"limit": limit}).json()["items"]) == limit
    with django_assert_max_num_queries(9):
        assert len(api.get(f"{BASE}/products/{products[0].pk}/kardex", {"limit": limit}).json()["lines"]) == limit
    with django_assert_max_num_queries(8):
        assert len(api.get(f"{BASE}/moves", {"limit": limit}).json()["items"]) == limit
