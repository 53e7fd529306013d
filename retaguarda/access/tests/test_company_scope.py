"""No company, no business: a user without a company is refused everywhere, and `X-Company` is checked."""

import json

import pytest
from django.test import Client

from retaguarda.core.actor import Actor, Origin
from retaguarda.core.scope import NoCompany, scoped
from retaguarda.parties import services as parties
from retaguarda.parties.models import Party

pytestmark = pytest.mark.django_db

NO_COMPANY = "Você ainda não trabalha em nenhuma empresa. Peça a um administrador que lhe dê acesso a uma."


@pytest.fixture
def party(actor):
    return parties.create_party(
        actor=actor, kind="company", document="11222333000181", legal_name="Cliente da Empresa A", is_customer=True
    )


@pytest.fixture
def homeless(make_user):
    """A Vendas user who belongs to no company."""
    return make_user("sales", companies=[])


def test_a_user_without_a_company_cannot_change_another_companys_party(api_client_for, homeless, party):
    # The reproduction: this PATCH was committed and answered 404.
    response = api_client_for(homeless).patch(
        f"/api/v1/parties/{party.pk}",
        json.dumps({"version": party.version, "legal_name": "Alterado"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "access.no_company"
    assert response.json()["message"] == NO_COMPANY
    party.refresh_from_db()
    assert party.legal_name == "Cliente da Empresa A"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/parties"),
        ("get", "/api/v1/products"),
        ("get", "/api/v1/inventory/reservations"),
        ("post", "/api/v1/inventory/warehouses"),
        ("post", "/api/v1/inventory/reservations/release"),
        ("get", "/api/v1/access/users"),
        ("get", "/api/v1/audit"),
    ],
)
def test_business_routes_answer_no_company(api_client_for, homeless, method, path):
    client = api_client_for(homeless)
    response = getattr(client, method)(path, *(["{}"] if method == "post" else []), content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"code": "access.no_company", "message": NO_COMPANY, "details": []}


def test_own_account_companies_and_reference_tables_need_no_company(api_client_for, homeless):
    client = api_client_for(homeless)
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["company_id"] is None
    assert client.get("/api/v1/auth/tokens").status_code == 200
    assert client.get("/api/v1/companies").json()["items"] == []
    assert client.get("/api/v1/br/municipalities?q=campinas").status_code == 200


def test_pages_tell_a_user_without_a_company_to_ask_an_administrator(client, homeless):
    client.force_login(homeless)
    for url in ("/", "/cadastros/", "/produtos/", "/estoque/", "/auditoria/", "/usuarios/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert NO_COMPANY in response.content.decode(), url
    for url in ("/conta/senha/", "/conta/tokens/", "/empresas/", "/tabelas/ncm/?q=3924"):
        assert client.get(url).status_code == 200, url


def test_services_refuse_an_actor_without_a_company(homeless, party):
    actor = Actor(homeless, Origin.API)
    with pytest.raises(NoCompany):
        scoped(Party, actor)
    with pytest.raises(NoCompany):
        parties.update_party(party.pk, actor=actor, version=party.version, legal_name="Alterado")
    with pytest.raises(NoCompany):
        parties.create_party(actor=actor, kind="company", document="11444777000161", legal_name="X", is_customer=True)
    party.refresh_from_db()
    assert party.legal_name == "Cliente da Empresa A"
    assert Party.objects.count() == 1


def test_system_work_names_its_company(party, company):
    assert list(scoped(Party, Actor.system(company_id=company.pk))) == [party]
    assert list(scoped(Party, company)) == [party]
    with pytest.raises(NoCompany):
        scoped(Party, Actor.system())


@pytest.mark.parametrize("header", ["abc", "1.5", "-1", "1 OR 1=1", "١٢", "9" * 40])
def test_a_malformed_company_header_answers_400(api, header):
    response = api.get("/api/v1/parties", headers={"X-Company": header})
    assert response.status_code == 400
    assert response.json()["code"] == "access.invalid_company"
    assert response.json()["details"] == []


def test_a_foreign_company_header_answers_403(api_client_for, make_user, make_company):
    other = make_company()
    user = make_user("sales")
    response = api_client_for(user).get("/api/v1/parties", headers={"X-Company": str(other.pk)})
    assert response.status_code == 403
    assert response.json()["code"] == "access.foreign_company"
    missing = api_client_for(user).get("/api/v1/parties", headers={"X-Company": "999999"})
    assert missing.status_code == 403


def test_the_company_header_chooses_among_the_users_companies(api_client_for, make_user, make_company, company):
    other = make_company()
    user = make_user("sales", companies=[company, other])
    client = api_client_for(user)
    assert client.get("/api/v1/auth/me").json()["company_id"] == company.pk
    assert client.get("/api/v1/auth/me", headers={"X-Company": str(other.pk)}).json()["company_id"] == other.pk


def test_a_malformed_company_header_on_a_page_shows_the_error_page(client, sales_user):
    client.force_login(sales_user)
    response = client.get("/cadastros/", headers={"X-Company": "abc"})
    assert response.status_code == 400
    assert "X-Company" in response.content.decode()


def test_an_anonymous_request_is_still_401_whatever_its_company_header():
    response = Client().get("/api/v1/parties", headers={"X-Company": "abc"})
    assert response.status_code == 401
