"""Factories for parties: valid documents and a believable address by default."""

import itertools

import pytest

from retaguarda.core.validators import complete_cnpj, complete_cpf
from retaguarda.parties import services

_serial = itertools.count(1)


make_cpf, make_cnpj = complete_cpf, complete_cnpj


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
