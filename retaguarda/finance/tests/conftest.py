"""Finance test factories: cash accounts, parties, titles, and a ledger check after each test that
wants it."""

import itertools
from datetime import date
from decimal import Decimal

import pytest

from retaguarda.core.validators import complete_cnpj
from retaguarda.finance import selectors, services
from retaguarda.finance.models import CashAccountKind, Category
from retaguarda.finance.services import InstallmentIn
from retaguarda.parties import services as parties

_serial = itertools.count(1)


def D(value) -> Decimal:
    return Decimal(str(value))


cnpj = complete_cnpj


@pytest.fixture
def make_customer(actor):
    def make(name=None, **fields):
        n = next(_serial)
        return parties.create_party(
            actor=actor,
            kind="company",
            document=cnpj(f"{50000000 + n:08d}0001"),
            legal_name=name or f"Cliente Teste {n} Ltda",
            is_customer=True,
            is_supplier=True,
            addresses=[
                {
                    "postal_code": "01310-100",
                    "street": "Avenida Paulista",
                    "number": "1000",
                    "district": "Bela Vista",
                    "municipality_id": "3550308",
                }
            ],
            **fields,
        )

    return make


@pytest.fixture
def customer(make_customer):
    return make_customer("Papelaria Aurora Ltda")


@pytest.fixture
def make_account(actor):
    def make(name=None, *, kind=CashAccountKind.CASH, opening="0", opening_date=date(2026, 1, 1), bank_id=None):
        n = next(_serial)
        return services.create_account(
            actor=actor,
            kind=kind,
            name=name or f"Caixa {n}",
            bank_id=bank_id,
            opening_balance=D(opening),
            opening_date=opening_date,
        )

    return make


@pytest.fixture
def bank_account(make_account):
    from retaguarda.br_tables.models import Bank

    bank = Bank.objects.filter(compe="001").first()
    return make_account("Banco do Brasil", kind=CashAccountKind.BANK, opening="1000.00", bank_id=bank.pk)


@pytest.fixture
def cash_box(make_account):
    return make_account("Caixa da loja", opening="200.00")


@pytest.fixture
def category(company):
    def get(role_or_code: str) -> Category:
        services.ensure_chart(company.pk)
        return Category.objects.filter(company=company, role=role_or_code).first() or Category.objects.get(
            company=company, code=role_or_code
        )

    return get


@pytest.fixture
def make_title(actor, category):
    def make(
        kind="receivable",
        amounts=("100.00",),
        *,
        party=None,
        due=date(2026, 3, 10),
        issue=date(2026, 3, 1),
        code=None,
        **extra,
    ):
        role = code or ("sales" if kind == "receivable" else "4.2.01")
        return services.create_title(
            actor=actor,
            kind=kind,
            installments=[InstallmentIn(date(due.year, due.month + i, due.day), D(a)) for i, a in enumerate(amounts)],
            issue_date=issue,
            category_id=category(role).pk,
            party_id=party.pk if party else None,
            **extra,
        )

    return make


@pytest.fixture
def no_drift():
    """Assert after the test body that every finance projection matches its ledger."""
    yield
    assert selectors.drift() == []
