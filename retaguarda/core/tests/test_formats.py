"""`grouped` writes numbers as Django's pt-BR formatter would, rounded half up, only faster."""

import random
from decimal import Decimal

import pytest
from django.utils import numberformat

from retaguarda.core.formats import grouped
from retaguarda.core.money import quantize


def _django(number, places: int) -> str:
    if isinstance(number, Decimal) and number.is_finite():
        number = quantize(number, places)
    return numberformat.format(
        number, decimal_sep=",", decimal_pos=places, grouping=3, thousand_sep=".", force_grouping=True
    )


@pytest.mark.parametrize(
    ("number", "places", "written"),
    [
        (Decimal("1234567.895"), 2, "1.234.567,90"),
        (Decimal("-1234.5"), 1, "-1.234,5"),
        (Decimal("-0.004"), 2, "0,00"),  # rounds to zero: no sign
        (Decimal("999.995"), 2, "1.000,00"),
        (1500, 0, "1.500"),
        (-7, 2, "-7,00"),
        (Decimal("0.125"), 4, "0,1250"),
    ],
)
def test_grouped_writes_brazilian_numbers(number, places, written):
    assert grouped(number, places) == written


def test_grouped_agrees_with_djangos_formatter_on_many_numbers():
    rnd = random.Random(20261202)
    numbers = [Decimal(rnd.randint(-(10**12), 10**12)).scaleb(-rnd.randint(0, 8)) for _ in range(3000)]
    numbers += [rnd.randint(-(10**12), 10**12) for _ in range(500)]
    for number in numbers:
        for places in (0, 1, 2, 4, 6):
            assert grouped(number, places) == _django(number, places), (number, places)
