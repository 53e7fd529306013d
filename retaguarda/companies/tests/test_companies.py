import json

import pytest

from conftest import valid_cnpj
from retaguarda.companies import services
from retaguarda.companies.errors import DuplicateCompany
from retaguarda.companies.models import Company
from retaguarda.core.errors import StaleVersion, ValidationFailed
from retaguarda.core.models import AuditRecord

BODY = {
    "legal_name": "Casa Carioca Utilidades Ltda",
    "trade_name": "Casa Carioca",
    "cnpj": "12.ABC.345/01DE-35",
    "state_registration": "86.123.452",
    "tax_regime": 1,
    "postal_code": "20040-002",
    "street": "Avenida Rio Branco",
    "number": "100",
    "district": "Centro",
    "municipality_id": "3304557",
}


def post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_a_company_with_an_alphanumeric_cnpj_is_registered(actor):
    company = services.create_company(actor=actor, **BODY)
    assert company.cnpj == "12ABC34501DE35"
    assert company.state_registration == "86123452"
    assert company.uf == "RJ"


def test_every_problem_of_a_company_is_reported_at_once(actor):
    with pytest.raises(ValidationFailed) as err:
        services.create_company(
            actor=actor, **{**BODY, "cnpj": "123", "state_registration": "", "postal_code": "01310-100", "street": ""}
        )
    fields = sorted(d["field"] for d in err.value.details)
    assert fields == ["cnpj", "postal_code", "state_registration", "street"]


def test_a_branch_shares_the_cnpj_root_of_its_head_office(actor, company):
    root = company.cnpj[:8]
    branch = services.create_company(
        actor=actor, **{**BODY, "cnpj": valid_cnpj(root + "0002"), "parent_id": company.pk}
    )
    assert branch.parent == company and branch.is_branch

    with pytest.raises(ValidationFailed) as err:
        services.create_company(actor=actor, **{**BODY, "cnpj": valid_cnpj("999999990002"), "parent_id": company.pk})
    assert err.value.details[0]["field"] == "cnpj"
    with pytest.raises(ValidationFailed):  # no branch of a branch
        services.create_company(actor=actor, **{**BODY, "cnpj": valid_cnpj(root + "0003"), "parent_id": branch.pk})


def test_a_new_company_is_added_to_its_creators_companies(make_user):
    from retaguarda.core.actor import Actor, Origin

    fiscal = make_user("fiscal")
    company = services.create_company(actor=Actor(fiscal, Origin.WEB), **BODY)
    assert fiscal.companies.filter(pk=company.pk).exists()


def test_the_same_cnpj_twice_is_a_conflict(actor):
    services.create_company(actor=actor, **BODY)
    with pytest.raises(DuplicateCompany):
        services.create_company(actor=actor, **{**BODY, "cnpj": "12abc34501de35"})


def test_deactivation_is_audited(actor, company):
    services.deactivate_company(company.pk, actor=actor, version=company.version)
    company.refresh_from_db()
    assert company.is_active is False
    assert AuditRecord.objects.filter(object_type="companies.company", action="deactivated").exists()


def test_stale_edit_is_refused(actor, company):
    services.update_company(company.pk, actor=actor, version=company.version, trade_name="A")
    with pytest.raises(StaleVersion):
        services.update_company(company.pk, actor=actor, version=company.version, trade_name="B")


def test_api_create_list_retrieve_patch_and_deactivate(api, company):
    created = post(api, "/api/v1/companies", BODY, **{"Idempotency-Key": "c-1"})
    again = post(api, "/api/v1/companies", BODY, **{"Idempotency-Key": "c-1"})
    assert created.status_code == 201, created.content
    assert again.json() == created.json()
    data = created.json()
    assert (data["cnpj_formatted"], data["uf"], data["municipality_name"]) == (
        "12.ABC.345/01DE-35",
        "RJ",
        "Rio de Janeiro",
    )

    listed = api.get("/api/v1/companies").json()["items"]
    assert {c["id"] for c in listed} >= {company.pk, data["id"]}
    assert api.get(f"/api/v1/companies/{data['id']}").status_code == 200
    assert api.get("/api/v1/companies/999999").status_code == 404

    patched = api.patch(
        f"/api/v1/companies/{data['id']}", json.dumps({"version": data["version"], "trade_name": "Nova"}),
        content_type="application/json",
    )  # fmt: skip
    assert patched.status_code == 200 and patched.json()["trade_name"] == "Nova"
    stale = api.patch(
        f"/api/v1/companies/{data['id']}", json.dumps({"version": data["version"], "trade_name": "Outra"}),
        content_type="application/json",
    )  # fmt: skip
    assert stale.status_code == 409 and stale.json()["code"] == "core.stale_version"
    assert post(api, f"/api/v1/companies/{data['id']}/deactivate", {}).json()["is_active"] is False


def test_api_answers_422_and_409(api):
    assert post(api, "/api/v1/companies", {**BODY, "cnpj": "1"}).status_code == 422
    post(api, "/api/v1/companies", BODY)
    conflict = post(api, "/api/v1/companies", BODY)
    assert conflict.status_code == 409 and conflict.json()["code"] == "companies.duplicate_cnpj"


def test_api_only_shows_the_users_companies_and_needs_the_permission(api_client_for, make_user, make_company):
    sales = make_user("sales")
    other = make_company()
    client = api_client_for(sales)
    assert other.pk not in [c["id"] for c in client.get("/api/v1/companies").json()["items"]]
    assert client.get(f"/api/v1/companies/{other.pk}").status_code == 404
    assert post(client, "/api/v1/companies", BODY).status_code == 403
    assert not Company.objects.filter(cnpj="12ABC34501DE35").exists()


def test_pages_list_detail_create_branch_and_edit(web, company):
    assert web.get("/empresas/").status_code == 200
    assert company.legal_name in web.get(f"/empresas/{company.pk}/").content.decode()
    form = web.get(f"/empresas/nova/?matriz={company.pk}").content.decode()
    assert 'data-mask="document"' in form and 'hx-get="/tabelas/municipios/"' in form

    root = company.cnpj[:8]
    response = web.post(
        f"/empresas/nova/?matriz={company.pk}", {**BODY, "cnpj": valid_cnpj(root + "0002"), "parent_id": company.pk}
    )
    assert response.status_code == 302
    branch = Company.objects.get(parent=company)
    assert branch.legal_name == BODY["legal_name"]

    edit = web.post(f"/empresas/{branch.pk}/editar/", {**BODY, "trade_name": "Filial Rio", "version": branch.version})
    assert edit.status_code == 302
    branch.refresh_from_db()
    assert branch.trade_name == "Filial Rio"


def test_the_form_shows_the_problems(web):
    html = web.post("/empresas/nova/", {**BODY, "cnpj": "11.111.111/1111-11"}).content.decode()
    assert "CNPJ inválido" in html
    assert not Company.objects.filter(legal_name=BODY["legal_name"]).exists()


def test_a_reader_cannot_register_companies(client, make_user):
    client.force_login(make_user("sales"))
    assert client.get("/empresas/").status_code == 200
    assert client.get("/empresas/nova/").status_code == 403
