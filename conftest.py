"""Fixtures shared by every app's tests: a company, users by department, API clients."""

import itertools

import pytest
from django.test import Client

from retaguarda.access import services as access
from retaguarda.companies import services as companies
from retaguarda.companies.models import TaxRegime
from retaguarda.core.actor import Actor, Origin
from retaguarda.core.validators import complete_cnpj

_serial = itertools.count(1)


valid_cnpj = complete_cnpj  # the name the tests know


@pytest.fixture
def make_company(db):
    def make(**fields):
        n = next(_serial)
        data = {
            "legal_name": f"Empresa Teste {n} Ltda",
            "trade_name": f"Teste {n}",
            "cnpj": valid_cnpj(f"{n:08d}0001"),
            "state_registration": "110042490114",
            "tax_regime": TaxRegime.SIMPLES,
            "postal_code": "01310100",
            "street": "Avenida Paulista",
            "number": "1000",
            "district": "Bela Vista",
            "municipality_id": "3550308",
        }
        data.update(fields)
        return companies.create_company(actor=Actor(None, Origin.CLI), **data)

    return make


@pytest.fixture
def company(make_company):
    return make_company()


@pytest.fixture
def make_user(db, company):
    def make(*departments, username=None, password="senha-forte-123", companies=None, **extra):
        return access.create_user(
            username or f"user{next(_serial)}",
            password,
            actor=Actor(None, Origin.CLI),
            departments=list(departments),
            companies=companies if companies is not None else [company],
            **extra,
        )

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", username="admin")


@pytest.fixture
def sales_user(make_user):
    return make_user("sales", username="vendas")


@pytest.fixture
def accountant_user(make_user):
    return make_user("accountant", username="contador")


@pytest.fixture
def actor(admin_user, company):
    """An actor for calling services directly, as the admin user working in `company`."""
    return Actor(admin_user, Origin.CLI, company.pk)


@pytest.fixture
def api_client_for(db):
    """`api_client_for(user)`: a test client that sends that user's bearer token on every request."""

    def make(user) -> Client:
        _token, raw = access.issue_token(user, "tests", actor=Actor(user, Origin.CLI))
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make


@pytest.fixture
def api(api_client_for, admin_user):
    return api_client_for(admin_user)


@pytest.fixture
def web(client, admin_user):
    """A browser-like client signed in as the admin user."""
    client.force_login(admin_user)
    return client
