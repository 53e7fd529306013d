"""The OpenAPI document, read as an integrator reads it: every request body refuses fields it does not
name, every schema name means one shape, every route declares the failures it may answer.

Nothing is listed route by route: the document and the API's own operations are walked, so a route added
tomorrow is held to the same rules.
"""

import typing
from collections import defaultdict
from decimal import Decimal

import jsonschema_rs
import pydantic
import pytest
from django.test import Client

from retaguarda.catalog.models import Product
from retaguarda.config.api import api

OPENAPI = "/api/v1/openapi.json"


@pytest.fixture(scope="module")
def document():
    return Client().get(OPENAPI).json()


def _refs(node, components: dict, seen: set) -> set:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            name = ref.split("/")[-1]
            if name not in seen:
                seen.add(name)
                _refs(components[name], components, seen)
        for value in node.values():
            _refs(value, components, seen)
    elif isinstance(node, list):
        for value in node:
            _refs(value, components, seen)
    return seen


def _operations(document):
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            yield path, method, spec


def test_every_request_body_refuses_unknown_fields(document):
    components = document["components"]["schemas"]
    inputs = set()
    for _path, _method, spec in _operations(document):
        _refs(spec.get("requestBody", {}), components, inputs)
    assert len(inputs) > 50  # the document really was walked
    loose = sorted(
        n for n in inputs if "properties" in components[n] and components[n].get("additionalProperties") is not False
    )
    assert loose == [], f"request bodies that would silently drop unknown fields: {loose}"


def _models_in(annotation, found: set):
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _models_in(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, found)


def test_a_schema_name_means_one_shape():
    """Two classes with one name share a single entry in the document: one route would be documented with
    the other's body (inventory's and finance's `TransferIn` were)."""
    models: set = set()
    for bound in api._get_bound_routers():
        for view in bound.path_operations.values():
            for operation in view.operations:
                for model in operation.models:
                    _models_in(model, models)
                for model in operation.response_models.values():
                    _models_in(model, models)
    by_name = defaultdict(dict)
    for model in models:
        if model.__module__.startswith("retaguarda."):
            by_name[model.__name__][f"{model.__module__}.{model.__qualname__}"] = str(model.model_json_schema())
    assert len(by_name) > 100
    # The same name is harmless only for the same shape (four `CancelIn` that each take a reason).
    assert {name: sorted(where) for name, where in by_name.items() if len(set(where.values())) > 1} == {}


def test_every_route_declares_the_failures_it_may_answer(document):
    for path, method, spec in _operations(document):
        responses = spec["responses"]
        assert {"400", "422"} <= responses.keys(), (method, path)
        if spec.get("security"):
            assert {"401", "403"} <= responses.keys(), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        error = responses["422"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/ErrorOut"}
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {"code", "message"}


def test_idempotent_writes_document_their_header(document):
    header = [
        (path, method)
        for path, method, spec in _operations(document)
        if any(p["name"] == "Idempotency-Key" for p in spec.get("parameters", []))
    ]
    assert ("/api/v1/products", "post") in header
    assert all(method != "get" for _path, method in header)


@pytest.mark.django_db
def test_an_unknown_field_is_refused_naming_it(api):
    response = api.post(
        "/api/v1/products",
        {"sku": "X-1", "name": "Caneta", "unit": "UN", "preco": "12.90"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "core.validation"
    named = {d["field"]: d["message"] for d in body["details"]}
    assert "preco" in named["preco"]
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_an_unknown_query_parameter_is_refused_naming_it(api):
    response = api.get("/api/v1/products?warehouse=3&limit=5")
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["details"]] == ["?warehouse"]
    assert api.get("/api/v1/products?limit=5").status_code == 200


def test_every_page_size_states_its_bounds(document):
    limits = {
        (path, method): parameter["schema"]
        for path, method, spec in _operations(document)
        for parameter in spec.get("parameters", [])
        if parameter["in"] == "query" and parameter["name"] == "limit"
    }
    assert len(limits) > 30  # the document really was walked
    unbounded = sorted(
        key for key, schema in limits.items() if (schema.get("minimum"), schema.get("maximum")) != (1, 200)
    )
    assert unbounded == [], f"page sizes without their 1-200 bounds: {unbounded}"


def test_every_integer_in_a_path_or_query_states_its_64_bit_bounds(document):
    """No column holds an id beyond 64 bits: the document says so, and such an id is refused (4xx)."""
    integers = {
        (path, method, parameter["name"]): branch
        for path, method, spec in _operations(document)
        for parameter in spec.get("parameters", [])
        if parameter["in"] in ("path", "query")
        for branch in parameter["schema"].get("anyOf", [parameter["schema"]])
        if branch.get("type") == "integer"
    }
    assert len([key for key in integers if "{" + key[2] + "}" in key[0]]) > 100  # path ids were walked
    unbounded = sorted(
        key
        for key, schema in integers.items()
        if not (schema.get("minimum", -(2**63)) > -(2**63) and schema.get("maximum", 2**63) < 2**63)
    )
    assert unbounded == [], f"integers without 64-bit bounds: {unbounded}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "where, field",
    [("/api/v1/products/{}", "product_id"), ("/api/v1/watch/occurrences?assignee_id={}", "?assignee_id")],
)
def test_an_integer_beyond_64_bits_in_a_path_or_query_is_refused_naming_it(api, where, field):
    refused = api.get(where.format(-(2**70)))
    assert refused.status_code == 422 and [d["field"] for d in refused.json()["details"]] == [field]
    assert api.get(where.format(2**63 - 1)).status_code in (200, 404)  # the largest id a column holds


def test_every_pattern_is_a_regex_a_json_schema_validator_reads(document):
    """A pattern a validator cannot compile (a class of lone surrogates) is dropped by tools generating
    data from the document: they would send what it forbids."""
    parameters = {
        f"{method} {path} {p['name']}": p["schema"]
        for path, method, spec in _operations(document)
        for p in spec.get("parameters", [])
    }
    jsonschema_rs.Draft202012Validator({"components": document["components"], "$defs": parameters})


@pytest.mark.django_db
@pytest.mark.parametrize("limit", ["0", "201", "-5"])
def test_a_page_size_outside_the_bounds_is_refused(api, limit):
    response = api.get(f"/api/v1/products?limit={limit}")

    assert response.status_code == 422
    [detail] = response.json()["details"]
    assert detail["field"] == "limit"
    assert detail["message"] in ("Deve ser no mínimo 1.", "Deve ser no máximo 200.")


@pytest.mark.django_db
@pytest.mark.parametrize("limit", ["1", "200"])
def test_a_page_size_at_the_bounds_is_taken(api, limit):
    assert api.get(f"/api/v1/parties?limit={limit}").status_code == 200


def _bare_decimals(annotation) -> bool:
    """A bare `Decimal` in an annotation (`Decimal`, `Decimal | None`, `list[Decimal]`, `dict[str, Decimal]`);
    `Amount` and `Measure` are `Annotated[Decimal, ...]` and do not count."""
    if annotation is Decimal:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return False
    return any(_bare_decimals(arg) for arg in typing.get_args(annotation))


def test_every_number_an_answer_carries_says_how_it_is_written():
    """Answers write money at 2 places (`Amount`) and quantities, prices, costs and rates without meaningless
    zeros (`Measure`), and the document says which: a bare `Decimal` would write "300.9000000000"."""
    answers: set = set()
    for bound in api._get_bound_routers():
        for view in bound.path_operations.values():
            for operation in view.operations:
                for model in operation.response_models.values():
                    _models_in(model, answers)
    assert len(answers) > 100
    bare = sorted(
        f"{model.__module__}.{model.__name__}.{name}"
        for model in answers
        for name, field in model.model_fields.items()
        if _bare_decimals(field.annotation) and not field.metadata
    )
    assert bare == [], f"answer fields without Amount or Measure: {bare}"


@pytest.mark.django_db
def test_a_purchase_order_answers_money_at_2_places_and_quantities_without_zeros(api, company, actor):
    from retaguarda.catalog import services as catalog
    from retaguarda.inventory import services as inventory
    from retaguarda.parties import services as parties

    supplier = parties.create_party(
        actor=actor, kind="company", document="45723174000110", legal_name="Fornecedor", is_supplier=True
    )
    product = catalog.create_product(actor=actor, sku="P-1", name="Parafuso", ncm="73181500", price=Decimal("1"))
    warehouse = inventory.create_warehouse(actor=actor, company_id=company.pk, code="CD", name="CD")
    body = {
        "supplier_id": supplier.pk,
        "warehouse_id": warehouse.pk,
        "lines": [{"product_id": product.pk, "quantity": "12.5", "unit_cost": "0.3"}],
    }
    created = api.post("/api/v1/purchasing/orders", body, content_type="application/json")
    assert created.status_code == 201, created.content
    order = created.json()

    assert order["total"] == "3.75"
    assert (order["lines"][0]["quantity"], order["lines"][0]["unit_cost"]) == ("12.5", "0.3")
    assert order["freight"] == "0.00"
