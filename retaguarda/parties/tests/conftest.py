"""Factories for parties: valid documents and a believable address by default."""

import itertools

import pytest

from retaguarda.core.validators import _cnpj_digit, _cpf_digit
from retaguarda.parties import services

_serial = itertools.count(1)


def make_cpf(base9: str) -> str:
    d1 = _cpf_digit(base9)
    return base9 + d1 + _cpf_digit(base9 + d1)


def make_cnpj(base12: str) -> str:
    d1 = _cnpj_digit(base12)
    return base12 + d1 + _cnpj_digit(base12 + d1)


ADDRESS = {
    "postal_code": "13015-904",
    "street": "Rua Barão de Jaguara",
    "number": "1200",
    "district": "Centro",
    "municipality_id": "3509502",  # Campinas/SP
}


@pytest.fixture
def make_party(actor):
    def make(**fields):
        n = next(_serial)
        data = {
            "kind": "company",
            "document": make_cnpj(f"{40000000 + n:08d}0001"),
            "legal_name": f"Comercial Teste {n} Ltda",
            "is_customer": True,
            "addresses": [dict(ADDRESS)],
        }
        data.update(fields)
        return services.create_party(actor=actor, **data)

    return make
