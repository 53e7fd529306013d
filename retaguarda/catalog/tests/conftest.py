"""Catalog fixtures: products made through the services, GTINs with correct check digits."""

import itertools
from decimal import Decimal

import pytest

from retaguarda.catalog import services
from retaguarda.core.validators import gtin_check_digit

_serial = itertools.count(1)


def gtin13(n: int) -> str:
    body = f"789{n:09d}"
    return body + gtin_check_digit(body)


@pytest.fixture
def make_product(actor):
    def make(**fields):
        n = next(_serial)
        data = {
            "sku": f"P{n:05d}",
            "name": f"Pote plástico {n}",
            "ncm": "39241000",
            "cest": "1400600",
            "price": Decimal("12.90"),
            "cost": Decimal("6.50"),
        }
        data.update(fields)
        return services.create_product(actor=actor, **data)

    return make
