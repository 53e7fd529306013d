"""The fiscal API: status codes, error bodies, company scope, downloads."""

import pytest

from retaguarda.fiscal.models import FiscalDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def fiscal_api(simples, make_user, api_client_for):
    user = make_user("fiscal", companies=[simples])
    return api_client_for(user)


def _body(customer, product, **extra):
    return {
        "recipient_id": customer.pk,
        "items": [{"product_id": product.pk, "quantity": "2", "unit_price": "50.00"}],
        **extra,
    }


def test_preview_answers_each_tax_with_its_rule_and_saves_nothing(
    fiscal_api, simples, make_customer, make_item_product
):
    response = fiscal_api.post(
        "/api/v1/fiscal/preview",
        _body(make_customer(simples), make_item_product(simples)),
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    line = response.json()["lines"][0]
    assert line["cfop"] == "5102"
    icms = next(t for t in line["taxes"] if t["tax"] == "icms_sn")
    assert icms["cst"] == "102" and icms["rule_id"] and icms["why"]
    assert response.json()["total"] == "100.00"
    assert not FiscalDocument.objects.exists()


def test_create_issue_and_download_a_note(
    fiscal_api, simples, make_customer, make_item_product, django_capture_on_commit_callbacks
):
    created = fiscal_api.post(
        "/api/v1/fiscal/documents",
        _body(make_customer(simples), make_item_product(simples)),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    doc_id = created.json()["id"]
    assert created.json()["allowed_actions"] == ["discarded", "queued"]
    assert fiscal_api.get(f"/api/v1/fiscal/documents/{doc_id}/xml").status_code == 404  # a draft has no XML

    with django_capture_on_commit_callbacks(execute=True):
        issued = fiscal_api.post(f"/api/v1/fiscal/documents/{doc_id}/issue")

    assert issued.status_code == 200, issued.content
    assert issued.json()["state"] == "queued" and len(issued.json()["key"]) == 44
    xml = fiscal_api.get(f"/api/v1/fiscal/documents/{doc_id}/xml")
    assert xml.status_code == 200 and xml.content.startswith(b"<NFe")
    pdf = fiscal_api.get(f"/api/v1/fiscal/documents/{doc_id}/danfe")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    again = fiscal_api.post(f"/api/v1/fiscal/documents/{doc_id}/issue")
    assert again.status_code == 409 and again.json()["code"] == "core.invalid_transition"


def test_bad_input_answers_422_in_portuguese_and_keeps_nothing(fiscal_api, simples, make_customer, make_item_product):
    body = _body(make_customer(simples), make_item_product(simples))
    body["items"][0]["quantity"] = "0"
    response = fiscal_api.post("/api/v1/fiscal/documents", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "items.0.quantity"  # the document's rule: above zero
    assert "maior que zero" in response.json()["details"][0]["message"]
    unknown = fiscal_api.post("/api/v1/fiscal/documents", {**body, "surprise": 1}, content_type="application/json")
    assert unknown.status_code == 422
    assert not FiscalDocument.objects.exists()


def test_another_companys_document_is_404(fiscal_api, fiscal_company, make_customer, make_item_product, fiscal_actor):
    from decimal import Decimal as D

    from retaguarda.fiscal import services

    other = fiscal_company()
    foreign = services.build_document(
        services.DocumentIn(
            recipient_id=make_customer(other).pk, items=(services.ItemIn(make_item_product(other).pk, D("1"), D("1")),)
        ),
        actor=fiscal_actor(other),
    )
    assert fiscal_api.get(f"/api/v1/fiscal/documents/{foreign.pk}").status_code == 404
    assert fiscal_api.post(f"/api/v1/fiscal/documents/{foreign.pk}/issue").status_code == 404


def test_tax_rules_are_listed_and_created_with_every_problem_reported(fiscal_api, simples):
    listed = fiscal_api.get("/api/v1/fiscal/tax-rules?tax=icms_sn")
    assert listed.status_code == 200 and listed.json()["items"]
    bad = fiscal_api.post(
        "/api/v1/fiscal/tax-rules",
        {"name": "X", "tax": "icms_sn", "cst": "00", "origin_uf": "XX", "cclasstrib": "999999"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["details"]} == {"cst", "origin_uf", "cclasstrib"}
    good = fiscal_api.post(
        "/api/v1/fiscal/tax-rules",
        {"name": "Bebidas", "tax": "icms_sn", "cst": "500", "ncm_prefix": "2202"},
        content_type="application/json",
    )
    assert good.status_code == 201 and good.json()["cst"] == "500"


def test_a_sales_user_cannot_issue(simples, make_user, api_client_for):
    client = api_client_for(make_user("sales", companies=[simples]))
    assert client.get("/api/v1/fiscal/documents").status_code == 403
