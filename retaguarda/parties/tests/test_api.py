import json

import pytest

from retaguarda.core.models import AuditRecord
from retaguarda.parties.models import Party
from retaguarda.parties.tests.conftest import ADDRESS, make_cnpj

BODY = {
    "document": "12.ABC.345/01DE-35",
    "legal_name": "Mercado Nova Era Ltda",
    "trade_name": "Nova Era",
    "is_customer": True,
    "ie_indicator": 1,
    "state_registration": "110042490114",
    "credit_limit": "2500.00",
    "payment_terms": "28/35/42",
    "addresses": [ADDRESS],
    "contacts": [{"name": "Rita Alves", "role": "Compras", "email": "rita@novaera.example"}],
}


def post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def patch(client, path, body):
    return client.patch(path, json.dumps(body), content_type="application/json")


def test_create_answers_201_with_addresses_and_contacts_nested(api):
    response = post(api, "/api/v1/parties", BODY)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["document"] == "12ABC34501DE35"
    assert data["document_formatted"] == "12.ABC.345/01DE-35"
    assert data["kind"] == "company"
    assert data["credit_limit"] == "2500.00"  # decimals travel as strings
    assert data["roles"] == ["customer"]
    assert data["addresses"][0]["municipality_name"] == "Campinas"
    assert data["addresses"][0]["uf"] == "SP"
    assert data["contacts"][0]["name"] == "Rita Alves"


def test_the_same_idempotency_key_and_body_create_once(api):
    first = post(api, "/api/v1/parties", BODY, **{"Idempotency-Key": "abc-1"})
    second = post(api, "/api/v1/parties", BODY, **{"Idempotency-Key": "abc-1"})

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Party.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused(api):
    post(api, "/api/v1/parties", BODY, **{"Idempotency-Key": "abc-2"})
    response = post(api, "/api/v1/parties", {**BODY, "legal_name": "Outro"}, **{"Idempotency-Key": "abc-2"})
    assert response.status_code == 422
    assert response.json()["code"] == "core.idempotency_conflict"


def test_a_duplicate_document_answers_409(api):
    post(api, "/api/v1/parties", BODY)
    response = post(api, "/api/v1/parties", {**BODY, "document": "12ABC34501DE35"})
    assert response.status_code == 409
    assert response.json()["code"] == "parties.duplicate_document"
    assert response.json()["details"][0]["field"] == "document"


def test_bad_fields_answer_422_naming_each_field(api):
    response = post(
        api,
        "/api/v1/parties",
        {**BODY, "document": "12.345.678/0001-00", "ie_indicator": 1, "state_registration": "", "is_customer": False},
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "core.validation"
    assert sorted(d["field"] for d in body["details"]) == ["document", "roles", "state_registration"]


def test_schema_errors_also_answer_422(api):
    response = post(api, "/api/v1/parties", {**BODY, "credit_limit": "muito", "ie_indicator": 5})
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["details"]} == {"credit_limit", "ie_indicator"}


def test_retrieve_answers_200_and_404_for_unknown_or_other_companys_party(api, make_party, make_company, actor):
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.parties import services

    party = make_party()
    other = make_company()
    foreign = services.create_party(
        actor=Actor(actor.user, Origin.CLI, other.pk),
        document=make_cnpj("998887770001"),
        legal_name="X",
        is_carrier=True,
    )

    assert api.get(f"/api/v1/parties/{party.pk}").status_code == 200
    assert api.get("/api/v1/parties/999999").status_code == 404
    assert api.get(f"/api/v1/parties/{foreign.pk}").status_code == 404


def test_patch_with_the_current_version_changes_and_audits(api, make_party):
    party = make_party(trade_name="Antigo")

    response = patch(api, f"/api/v1/parties/{party.pk}", {"version": party.version, "trade_name": "Novo"})

    assert response.status_code == 200, response.content
    assert response.json()["trade_name"] == "Novo"
    assert response.json()["version"] == party.version + 1
    record = AuditRecord.objects.filter(object_id=str(party.pk), action="updated").get()
    assert record.origin == "api"
    assert record.changes == {"trade_name": ["Antigo", "Novo"]}


def test_patch_with_a_stale_version_answers_409(api, make_party):
    party = make_party()
    patch(api, f"/api/v1/parties/{party.pk}", {"version": party.version, "trade_name": "Primeiro"})

    response = patch(api, f"/api/v1/parties/{party.pk}", {"version": party.version, "trade_name": "Segundo"})

    assert response.status_code == 409
    assert response.json()["code"] == "core.stale_version"


def test_deactivate_command(api, make_party):
    party = make_party()
    response = post(api, f"/api/v1/parties/{party.pk}/deactivate", {"version": party.version})
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    listed = api.get("/api/v1/parties").json()["items"]
    assert party.pk not in [p["id"] for p in listed]
    assert party.pk in [p["id"] for p in api.get("/api/v1/parties?active=false").json()["items"]]


def test_list_filters_by_role_and_search_and_paginates_by_cursor(api, make_party):
    for n in range(5):
        make_party(legal_name=f"Fornecedor {n}", is_customer=False, is_supplier=True)
    make_party(legal_name="Cliente Único")

    first = api.get("/api/v1/parties?role=supplier&limit=3").json()
    second = api.get(f"/api/v1/parties?role=supplier&limit=3&cursor={first['next_cursor']}").json()

    assert [p["legal_name"] for p in first["items"]] == ["Fornecedor 0", "Fornecedor 1", "Fornecedor 2"]
    assert [p["legal_name"] for p in second["items"]] == ["Fornecedor 3", "Fornecedor 4"]
    assert second["next_cursor"] is None
    assert [p["legal_name"] for p in api.get("/api/v1/parties?q=unico").json()["items"]] == ["Cliente Único"]
    assert api.get("/api/v1/parties?role=boss").status_code == 422


def test_addresses_and_contacts_have_their_own_routes(api, make_party):
    party = make_party()
    added = post(
        api,
        f"/api/v1/parties/{party.pk}/addresses",
        {**ADDRESS, "number": "77", "is_delivery": True},
    )
    assert added.status_code == 201
    address_id = added.json()["id"]
    changed = patch(api, f"/api/v1/parties/{party.pk}/addresses/{address_id}", {"complement": "Fundos"})
    assert changed.status_code == 200 and changed.json()["complement"] == "Fundos"
    assert api.delete(f"/api/v1/parties/{party.pk}/addresses/{address_id}").status_code == 204

    contact = post(api, f"/api/v1/parties/{party.pk}/contacts", {"name": "João", "phone": "11 3333-4444"})
    assert contact.status_code == 201 and contact.json()["phone"] == "1133334444"
    assert api.delete(f"/api/v1/parties/{party.pk}/contacts/{contact.json()['id']}").status_code == 204
    assert api.delete(f"/api/v1/parties/{party.pk}/contacts/999999").status_code == 404


@pytest.mark.parametrize(("method", "path"), [("get", "/api/v1/parties"), ("post", "/api/v1/parties")])
def test_a_user_without_the_department_gets_403(api_client_for, make_user, method, path):
    finance = api_client_for(make_user("finance"))  # finance reads parties but cannot change them
    stock_less = api_client_for(make_user())  # no department at all

    if method == "get":
        assert finance.get(path).status_code == 200
        assert stock_less.get(path).status_code == 403
    else:
        assert post(finance, path, BODY).status_code == 403
        assert post(stock_less, path, BODY).status_code == 403
    assert not Party.objects.exists()


def test_without_credentials_the_api_answers_401(client):
    assert client.get("/api/v1/parties").status_code == 401
