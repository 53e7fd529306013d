"""The catalog API: status codes, error bodies, idempotency, versions, permissions."""

import json

from retaguarda.catalog.models import Product
from retaguarda.catalog.tests.conftest import gtin13


def _post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def _patch(client, path, body):
    return client.patch(path, json.dumps(body), content_type="application/json")


PRODUCT = {"sku": "POTE-1", "name": "Pote hermético 1 L", "ncm": "39241000", "cest": "1400600", "price": "19.90"}


def test_create_a_product_with_two_variations(api):
    body = {
        **PRODUCT,
        "sku": "CAM",
        "name": "Camiseta",
        "ncm": "61091000",
        "cest": None,
        "variations": {"Tamanho": ["P", "M"]},
        "variants": [{"attributes": {"Tamanho": "M"}, "gtin": gtin13(42), "price": "21.90"}],
    }

    response = _post(api, "/api/v1/products", body)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["is_variant_parent"] is True
    assert [(v["sku"], v["price"], v["gtin"]) for v in data["variants"]] == [
        ("CAM-P", "19.9", "SEM GTIN"),
        ("CAM-M", "21.9", gtin13(42)),
    ]


def test_create_a_kit_with_components(api, make_product):
    pot = make_product()
    body = {**PRODUCT, "sku": "KIT", "product_type": "kit", "components": [{"product_id": pot.pk, "quantity": "2"}]}

    response = _post(api, "/api/v1/products", body)

    assert response.status_code == 201, response.content
    assert response.json()["components"] == [{"product_id": pot.pk, "sku": pot.sku, "name": pot.name, "quantity": "2"}]


def test_validation_errors_name_each_field_in_portuguese(api):
    response = _post(api, "/api/v1/products", {**PRODUCT, "gtin": "123", "ncm": "11111111", "origin": 12})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "catalog.invalid_product"
    assert {d["field"] for d in body["details"]} == {"gtin", "ncm", "origin"}
    messages = " ".join(d["message"] for d in body["details"])
    assert "dígito verificador" in messages and "não existe" in messages


def test_the_same_idempotency_key_creates_once(api):
    first = _post(api, "/api/v1/products", PRODUCT, **{"Idempotency-Key": "abc-1"})
    second = _post(api, "/api/v1/products", PRODUCT, **{"Idempotency-Key": "abc-1"})

    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == second.json()["id"]
    assert Product.objects.count() == 1


def test_retrieve_list_and_filter(api, make_product):
    pot = make_product(name="Pote azul", gtin=gtin13(5))
    make_product(name="Copo", ncm="70133700", cest=None)

    assert api.get(f"/api/v1/products/{pot.pk}").json()["sku"] == pot.sku
    assert api.get("/api/v1/products/999999").status_code == 404
    assert [p["sku"] for p in api.get("/api/v1/products?q=azul").json()["items"]] == [pot.sku]
    assert [p["sku"] for p in api.get(f"/api/v1/products?gtin={gtin13(5)}").json()["items"]] == [pot.sku]
    assert [p["name"] for p in api.get("/api/v1/products?ncm=7013").json()["items"]] == ["Copo"]


def test_cursor_pagination_walks_every_product_once(api, make_product):
    for i in range(5):
        make_product(name=f"Produto {i}")

    page = api.get("/api/v1/products?limit=2").json()
    seen = [p["name"] for p in page["items"]]
    while page["next_cursor"]:
        page = api.get(f"/api/v1/products?limit=2&cursor={page['next_cursor']}").json()
        seen += [p["name"] for p in page["items"]]

    assert seen == [f"Produto {i}" for i in range(5)]


def test_patch_with_the_current_version_then_a_stale_one(api, make_product):
    pot = make_product()

    ok = _patch(api, f"/api/v1/products/{pot.pk}", {"version": 1, "price": "21.00"})
    stale = _patch(api, f"/api/v1/products/{pot.pk}", {"version": 1, "price": "22.00"})

    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["price"] == "21"
    assert stale.status_code == 409 and stale.json()["code"] == "core.stale_version"


def test_deactivate(api, make_product):
    pot = make_product()

    response = _post(api, f"/api/v1/products/{pot.pk}/deactivate", {"version": 1})

    assert response.status_code == 200 and response.json()["is_active"] is False


def test_add_and_remove_variants_and_replace_kit_components(api, make_product):
    parent = make_product(sku="CAM", ncm="61091000", cest=None, variations={"Tamanho": ["P"]})
    pot = make_product()
    kit = make_product(sku="KIT", product_type="kit", components=[{"product_id": pot.pk, "quantity": 1}])

    added = _post(api, f"/api/v1/products/{parent.pk}/variants", {"attributes": {"Tamanho": "G"}})
    removed = _post(api, f"/api/v1/products/{parent.pk}/variants/{added.json()['id']}/remove", {})
    replaced = api.put(
        f"/api/v1/products/{kit.pk}/components",
        json.dumps({"version": kit.version, "components": [{"sku": pot.sku, "quantity": "4"}]}),
        content_type="application/json",
    )
    inner_kit = api.put(
        f"/api/v1/products/{kit.pk}/components",
        json.dumps({"version": kit.version + 1, "components": [{"product_id": kit.pk, "quantity": "1"}]}),
        content_type="application/json",
    )

    assert added.status_code == 201 and added.json()["sku"] == "CAM-G"
    assert [v["sku"] for v in removed.json()["variants"]] == ["CAM-P"]
    assert replaced.json()["components"][0]["quantity"] == "4"
    assert inner_kit.status_code == 422 and inner_kit.json()["code"] == "catalog.invalid_kit"


def test_reading_needs_catalog_view_and_writing_catalog_change(api_client_for, make_user):
    finance = api_client_for(make_user("finance"))
    sales = api_client_for(make_user("sales"))

    assert finance.get("/api/v1/products").status_code == 403
    assert sales.get("/api/v1/products").status_code == 200
    assert _post(sales, "/api/v1/products", PRODUCT).status_code == 403
    assert _post(sales, "/api/v1/price-lists", {"name": "X"}).status_code == 403


def test_another_companys_product_is_not_found(api, actor, make_company):
    from retaguarda.catalog import services

    other = make_company()
    theirs = services.create_product(
        actor=type(actor)(actor.user, actor.origin, other.pk), sku="T", name="Deles", ncm="39241000"
    )

    assert api.get(f"/api/v1/products/{theirs.pk}").status_code == 404


def test_price_lists_create_patch_price_and_deactivate(api, make_product):
    pot = make_product()
    created = _post(
        api,
        "/api/v1/price-lists",
        {
            "name": "Atacado",
            "customer_group": "Revendedores",
            "valid_from": "2026-01-01",
            "items": [{"product_id": pot.pk, "percentage": "-10"}],
        },
        **{"Idempotency-Key": "pl-1"},
    )
    assert created.status_code == 201, created.content
    pl = created.json()
    assert pl["items"][0]["percentage"] == "-10"

    price = api.get(f"/api/v1/price-lists/{pl['id']}/prices/{pot.pk}?date=2026-03-01").json()
    assert price["price"] == "11.61"

    patched = _patch(
        api, f"/api/v1/price-lists/{pl['id']}", {"version": 1, "items": [{"sku": pot.sku, "fixed_price": "9.99"}]}
    )
    assert patched.status_code == 200 and patched.json()["items"][0]["fixed_price"] == "9.99"
    assert _patch(api, f"/api/v1/price-lists/{pl['id']}", {"version": 1, "name": "Y"}).status_code == 409
    bad = _post(api, "/api/v1/price-lists", {"name": "Atacado"})
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "name"
    deactivated = _post(api, f"/api/v1/price-lists/{pl['id']}/deactivate", {})
    assert deactivated.json()["is_active"] is False
    assert [p["name"] for p in api.get("/api/v1/price-lists?active=false").json()["items"]] == ["Atacado"]


def test_the_api_writes_prices_without_meaningless_zeros_and_says_so_in_its_schema(api):
    created = _post(api, "/api/v1/products", {**PRODUCT, "price": "300.90", "cost": "48"})

    assert (created.json()["price"], created.json()["cost"]) == ("300.9", "48")
    schema = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
    price = schema["ProductOut"]["properties"]["price"]
    assert price["type"] == "string" and "trailing zeros" in price["description"]
    balance = schema["BalanceOut"]["properties"]
    assert balance["value"]["pattern"] == r"^-?\d+\.\d{2}$"
