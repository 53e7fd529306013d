"""A bearer token's identity (user, company, departments) is one query, and it is never stale."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retaguarda.access import services as access
from retaguarda.access.models import ApiToken, Department, Membership
from retaguarda.access.token_identity import resolve_token
from retaguarda.core.actor import Actor, Origin


def _token(user) -> str:
    _t, raw = access.issue_token(user, "t", actor=Actor(user, Origin.CLI))
    ApiToken.objects.filter(user=user).update(last_used_at=timezone.now())  # not touched during the test
    return raw


def test_the_identity_of_a_token_request_is_one_query(api_client_for, make_user):
    client = api_client_for(make_user("stock"))
    client.get("/api/v1/auth/me")  # the token's first use writes last_used_at (once a minute)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/inventory/warehouses")  # needs inventory.view: departments read
    assert response.status_code == 200
    # identity (token, user, company, departments), then the route's page of warehouses
    assert len(ctx.captured_queries) == 2, [q["sql"][:80] for q in ctx.captured_queries]


def test_the_company_is_the_default_else_the_first_and_departments_are_those_held_there(make_user, make_company):
    first, second = make_company(), make_company()
    user = make_user("stock", companies=[first, second])
    membership = Membership.objects.get(user=user, company=second)
    membership.departments.set([Department.objects.get_or_create(code="finance")[0]])
    raw = _token(user)

    user.default_company = second
    user.save(update_fields=["default_company"])
    found = resolve_token(raw, header_company_id=None, preferred_company_id=None)
    assert (found.company.pk, found.department_codes) == (second.pk, {"finance"})

    user.default_company = None
    user.save(update_fields=["default_company"])
    found = resolve_token(raw, header_company_id=None, preferred_company_id=None)
    assert (found.company.pk, found.department_codes) == (first.pk, {"stock"})
    assert resolve_token(raw, header_company_id=None, preferred_company_id=second.pk).company.pk == second.pk
    assert resolve_token(raw, header_company_id=second.pk, preferred_company_id=None).company.pk == second.pk


def test_a_company_the_user_does_not_work_in_is_never_chosen(make_user, make_company):
    other = make_company()
    user = make_user("stock")
    raw = _token(user)
    assert resolve_token(raw, header_company_id=other.pk, preferred_company_id=None).company is None
    assert resolve_token(raw, header_company_id=None, preferred_company_id=other.pk).company.pk != other.pk


def test_a_superuser_may_work_in_any_company(make_user, make_company):
    other = make_company()
    user = make_user(is_superuser=True, companies=[])
    raw = _token(user)
    assert resolve_token(raw, header_company_id=other.pk, preferred_company_id=None).company.pk == other.pk
    assert resolve_token(raw, header_company_id=None, preferred_company_id=None).company is not None


def test_the_user_and_company_read_back_as_the_orm_would(make_user, company):
    user = make_user("admin")
    found = resolve_token(_token(user), header_company_id=None, preferred_company_id=None)
    assert found.user == user and found.user.date_joined == user.date_joined and found.user.is_active is True
    assert found.company.created_at == company.created_at and found.company.tax_regime == company.tax_regime
    assert found.company.legal_name == company.legal_name


def test_revoking_deactivating_and_removing_count_from_the_next_request(api_client_for, make_user, company):
    user = make_user("stock")
    client = api_client_for(user)
    assert client.get("/api/v1/inventory/warehouses").status_code == 200
    Membership.objects.get(user=user, company=company).departments.clear()
    assert client.get("/api/v1/inventory/warehouses").status_code == 403
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/api/v1/inventory/warehouses").status_code == 401
    user.is_active = True
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
    assert client.get("/api/v1/inventory/warehouses").status_code == 401


def test_the_token_is_touched_at_most_once_a_minute(make_user):
    user = make_user("stock")
    _t, raw = access.issue_token(user, "t", actor=Actor(user, Origin.CLI))
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    client.get("/api/v1/auth/me")
    first = ApiToken.objects.get(user=user).last_used_at
    assert first is not None
    client.get("/api/v1/auth/me")
    assert ApiToken.objects.get(user=user).last_used_at == first
    ApiToken.objects.filter(user=user).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/auth/me")
    assert ApiToken.objects.get(user=user).last_used_at > first


@pytest.mark.parametrize("raw", ["", "rtg_unknown", "x" * 500])
def test_an_unknown_token_has_no_identity(db, raw):
    assert resolve_token(raw, header_company_id=None, preferred_company_id=None) is None
