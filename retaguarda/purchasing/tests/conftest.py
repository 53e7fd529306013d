"""Purchasing test factories: suppliers, and the inventory factories (products, warehouses, stock)."""

import itertools

import pytest

from conftest import valid_cnpj
from retaguarda.inventory.tests.conftest import D, Stock, make_product, make_warehouse, stock, warehouse  # noqa: F401
from retaguarda.parties.models import Party, PartyKind

_seq = itertools.count(1)


@pytest.fixture
def make_supplier(company):
    def make(*, cnpj=None, company=company, payment_terms="", lead_time_days=0, name=None):
        n = next(_seq)
        return Party.objects.create(
            company=company,
            kind=PartyKind.COMPANY,
            document=cnpj or valid_cnpj(f"{90000000 + n:08d}0001"),
            legal_name=name or f"Fornecedor {n} Ltda",
            is_supplier=True,
            payment_terms=payment_terms,
            lead_time_days=lead_time_days,
            search_text=(name or f"fornecedor {n}").lower(),
        )

    return make


@pytest.fixture
def supplier(make_supplier):
    return make_supplier(payment_terms="30/60/90", lead_time_days=7)
