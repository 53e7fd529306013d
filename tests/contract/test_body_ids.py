"""An id in a request body is answered as one in the path: another company's row, or none, is a 404 naming
the field (`core.errors.missing_row`), and nothing is written. With another problem besides, the body is
invalid and the answer is a 422 listing every problem."""

import json

import pytest
from django.apps import apps

from retaguarda.core.actor import Actor
from retaguarda.inventory.services.warehouses import create_warehouse

pytestmark = pytest.mark.django_db
NOWHERE = 10**12


@pytest.fixture
def theirs(make_company):
    """A warehouse of another company."""
    other = make_company()
    return create_warehouse(actor=Actor.system(company_id=other.pk), company_id=other.pk, code="B1", name="Deles")


def _rows() -> dict:
    return {model._meta.label_lower: model._base_manager.count() for model in apps.get_models()}


def _post(api, path: str, body: dict):
    return api.post(path, json.dumps(body), content_type="application/json")


def _cases(warehouse_id: int) -> list[tuple[str, dict, list[str]]]:
    line = {"product_id": NOWHERE, "quantity": "1"}
    return [
        (
            "/api/v1/inventory/moves",
            {"warehouse_id": warehouse_id, "direction": "in", "reason": "x", "lines": [line]},
            ["warehouse_id"],
        ),
        ("/api/v1/inventory/counts", {"warehouse_id": warehouse_id}, ["warehouse_id"]),
        (
            "/api/v1/sales/channels",
            {"code": "LOJA", "name": "Loja", "kind": "shop", "warehouse_id": warehouse_id},
            ["warehouse_id"],
        ),
        ("/api/v1/purchasing/requests", {"reason": "reposição", "lines": [line]}, ["lines.0.product_id"]),
        (
            "/api/v1/finance/entries",
            {"account_id": NOWHERE, "category_id": NOWHERE, "amount": "10.00"},
            ["account_id"],
        ),
    ]


@pytest.mark.parametrize("index", range(5))
def test_an_id_in_the_body_that_names_no_row_of_the_company_is_a_404_naming_it(api, theirs, index):
    for warehouse_id in (theirs.pk, NOWHERE):
        path, body, fields = _cases(warehouse_id)[index]
        before = _rows()

        response = _post(api, path, body)

        assert response.status_code == 404, response.content
        assert response.json()["code"] == "core.not_found"
        assert [d["field"] for d in response.json()["details"]] == fields
        assert _rows() == before


def test_an_id_that_names_nothing_beside_another_problem_is_a_422_listing_both(api, theirs):
    body = {"from_account_id": NOWHERE, "to_account_id": NOWHERE, "amount": "10.00"}

    response = _post(api, "/api/v1/finance/transfers", body)

    assert response.status_code == 422
    assert [d["field"] for d in response.json()["details"]] == ["to_account_id", "from_account_id", "to_account_id"]
