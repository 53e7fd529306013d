"""Departments are granted per company: the same person may be Compras in one company and Contador in another."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from retaguarda.access import services
from retaguarda.access.models import Membership, User
from retaguarda.core.actor import Actor, Origin
from retaguarda.core.models import AuditRecord

pytestmark = pytest.mark.django_db

USERS = "/api/v1/access/users"
SYSTEM = Actor(None, Origin.CLI)


def send(client, method, path, body=None, **headers):
    if method == "get":
        return client.get(path, headers=headers)
    return getattr(client, method)(path, json.dumps(body or {}), content_type="application/json", headers=headers)


@pytest.fixture
def other(make_company):
    return make_company()


@pytest.fixture
def buyer_and_accountant(make_user, company, other):
    """Compras in `company`, Contador in `other`."""
    return services.create_user(
        "ana", "senha-forte-123", actor=SYSTEM, memberships={company: ["purchasing"], other: ["accountant"]}
    )


def test_permissions_follow_the_company_worked_in(api_client_for, buyer_and_accountant, company, other):
    client = api_client_for(buyer_and_accountant)
    here = client.get("/api/v1/auth/me", headers={"X-Company": str(company.pk)}).json()
    there = client.get("/api/v1/auth/me", headers={"X-Company": str(other.pk)}).json()
    assert (here["departments"], there["departments"]) == (["purchasing"], ["accountant"])
    assert "purchasing.*" in here["permissions"] and "purchasing.*" not in there["permissions"]
    assert "*.view" in there["permissions"] and "*.view" not in here["permissions"]

    product = {"sku": "X-1", "name": "Caneca", "ncm": "69120000", "unit": "UN"}
    as_buyer = send(client, "post", "/api/v1/products", product, **{"X-Company": str(company.pk)})
    as_accountant = send(client, "post", "/api/v1/products", product, **{"X-Company": str(other.pk)})
    assert as_buyer.status_code != 403
    assert as_accountant.status_code == 403


def test_an_admin_creates_a_user_with_memberships_through_the_api(api, company):
    body = {
        "username": "bruno",
        "password": "uma-senha-boa-9",
        "first_name": "Bruno",
        "last_name": "Lima",
        "email": "bruno@example.com",
        "memberships": [{"company_id": company.pk, "departments": ["sales", "stock"]}],
    }
    response = send(api, "post", USERS, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["departments"], data["last_name"]) == (["sales", "stock"], "Lima")
    assert data["memberships"] == [{"company_id": company.pk, "departments": ["sales", "stock"]}]
    user = User.objects.get(username="bruno")
    assert user.check_password("uma-senha-boa-9") and user.default_company_id == company.pk
    assert "bruno" in [u["username"] for u in api.get(USERS).json()["items"]]
    assert AuditRecord.objects.filter(object_type="access.user", object_id=str(user.pk), action="created").exists()


def test_an_admin_grants_nothing_in_a_company_they_do_not_administer(api, company, other):
    body = {
        "username": "carla",
        "password": "uma-senha-boa-9",
        "memberships": [
            {"company_id": company.pk, "departments": ["sales"]},
            {"company_id": other.pk, "departments": ["admin"]},
            {"company_id": 999999, "departments": ["nope"]},
        ],
    }
    response = send(api, "post", USERS, body)
    assert response.status_code == 422
    fields = [d["field"] for d in response.json()["details"]]
    assert fields == ["memberships.1.company_id", "memberships.2.company_id", "memberships.2.departments"]
    assert not User.objects.filter(username="carla").exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"password": "uma-senha-boa-9", "memberships": []}, "username"),
        ({"username": "d", "password": "curta", "memberships": [{"company_id": 1}]}, "password"),
        (
            {"username": "d", "password": "uma-senha-boa-9", "memberships": [{"company_id": 1}], "is_superuser": True},
            "is_superuser",
        ),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(api, body, field):
    response = send(api, "post", USERS, body)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json()["details"]]


def test_a_common_password_is_refused_in_portuguese(api, company):
    body = {"username": "d", "password": "password123", "memberships": [{"company_id": company.pk}]}
    response = send(api, "post", USERS, body)
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "password"
    assert "comum" in response.json()["details"][0]["message"]


def test_updating_memberships_keeps_those_in_companies_the_admin_does_not_administer(
    api, buyer_and_accountant, company, other
):
    user = buyer_and_accountant
    response = send(
        api,
        "patch",
        f"{USERS}/{user.pk}",
        {"first_name": "Ana", "memberships": [{"company_id": company.pk, "departments": ["sales", "finance"]}]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["departments"] == ["finance", "sales"]
    assert services.memberships_of(user) == {company.pk: ["finance", "sales"], other.pk: ["accountant"]}
    record = AuditRecord.objects.filter(object_id=str(user.pk), action="updated").get()
    assert record.changes["memberships"][1] == {str(company.pk): ["finance", "sales"]}


def test_removing_a_membership_takes_the_user_out_of_the_company(api, buyer_and_accountant, company, other):
    response = send(api, "patch", f"{USERS}/{buyer_and_accountant.pk}", {"memberships": []})
    assert response.status_code == 200
    assert services.memberships_of(buyer_and_accountant) == {other.pk: ["accountant"]}
    assert api.get(f"{USERS}/{buyer_and_accountant.pk}").status_code == 404
    assert User.objects.get(pk=buyer_and_accountant.pk).default_company_id == other.pk


def test_another_companys_user_is_not_found(api, make_user, other):
    stranger = make_user("sales", companies=[other])
    for method, path, body in (
        ("get", f"{USERS}/{stranger.pk}", None),
        ("patch", f"{USERS}/{stranger.pk}", {"first_name": "X"}),
        ("post", f"{USERS}/{stranger.pk}/deactivate", None),
    ):
        response = send(api, method, path, body)
        assert response.status_code == 404, (method, path)
    stranger.refresh_from_db()
    assert (stranger.first_name, stranger.is_active) == ("", True)


def test_deactivation(api, api_client_for, make_user, admin_user, buyer_and_accountant, company):
    clerk = make_user("sales")
    clerk_client = api_client_for(clerk)
    response = send(api, "post", f"{USERS}/{clerk.pk}/deactivate")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert clerk_client.get("/api/v1/auth/me").status_code == 401

    shared = send(api, "post", f"{USERS}/{buyer_and_accountant.pk}/deactivate")
    assert shared.status_code == 409 and shared.json()["code"] == "access.user_in_other_companies"
    myself = send(api, "post", f"{USERS}/{admin_user.pk}/deactivate")
    assert myself.status_code == 422
    own_admin = send(api, "patch", f"{USERS}/{admin_user.pk}", {"memberships": [{"company_id": company.pk}]})
    assert own_admin.status_code == 422
    assert services.memberships_of(admin_user) == {company.pk: ["admin"]}


def test_only_administrators_manage_users(api_client_for, make_user, company):
    clerk = make_user("sales")
    body = {"username": "e", "password": "uma-senha-boa-9", "memberships": [{"company_id": company.pk}]}
    assert send(api_client_for(clerk), "post", USERS, body).status_code == 403


def test_the_users_page_shows_the_departments_held_here(web, buyer_and_accountant):
    html = web.get("/usuarios/").content.decode()
    assert f'<a href="/usuarios/{buyer_and_accountant.pk}/">ana</a>' in html
    assert '<span class="badge">Compras</span>' in html and '<span class="badge">Contador</span>' not in html


def test_the_user_page_changes_the_departments_here_and_keeps_the_others(web, buyer_and_accountant, company, other):
    page = f"/usuarios/{buyer_and_accountant.pk}/"
    assert web.get(page).status_code == 200
    response = web.post(page, {"first_name": "Ana", "departments": ["sales"], "is_active": "on"})
    assert response.status_code == 302
    assert services.memberships_of(buyer_and_accountant) == {company.pk: ["sales"], other.pk: ["accountant"]}

    refused = web.post(page, {"first_name": "Ana", "departments": ["sales"]})  # unticked: deactivate
    assert refused.status_code == 200
    assert "outras empresas" in refused.content.decode() or "não administra" in refused.content.decode()
    assert User.objects.get(pk=buyer_and_accountant.pk).is_active


def test_another_companys_user_page_is_not_found(web, make_user, other):
    stranger = make_user("sales", companies=[other])
    assert web.get(f"/usuarios/{stranger.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_user_their_departments_in_each_of_their_companies(make_company):
    executor = MigrationExecutor(connection)
    executor.migrate([("access", "0002_alter_apitoken_options_alter_department_options_and_more")])
    old = executor.loader.project_state(
        [("access", "0002_alter_apitoken_options_alter_department_options_and_more")]
    ).apps
    OldUser, OldDepartment = old.get_model("access", "User"), old.get_model("access", "Department")
    a, b = make_company(), make_company()
    sales, stock = (OldDepartment.objects.get_or_create(code=c)[0] for c in ("sales", "stock"))
    both = OldUser.objects.create(username="both")
    both.departments.set([sales, stock])
    both.companies.set([a.pk, b.pk])
    alone = OldUser.objects.create(username="alone")
    alone.departments.set([sales])

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert services.memberships_of(User.objects.get(username="both")) == {
        a.pk: ["sales", "stock"],
        b.pk: ["sales", "stock"],
    }
    assert not Membership.objects.filter(user__username="alone").exists()


def test_the_creator_of_a_company_holds_there_the_departments_held_where_they_work(actor, admin_user):
    from retaguarda.companies import services as companies

    new = companies.create_company(
        actor=actor,
        legal_name="Filial Nova Ltda",
        cnpj="12.ABC.345/01DE-35",
        state_registration="ISENTO",
        tax_regime=1,
        postal_code="01310100",
        street="Avenida Paulista",
        number="1",
        district="Bela Vista",
        municipality_id="3550308",
    )
    assert services.memberships_of(admin_user)[new.pk] == ["admin"]
