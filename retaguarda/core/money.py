"""Decimal types with the NF-e scales and the one rounding rule used everywhere."""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

# NF-e scales: amounts 2 places, quantities 4, unit prices 10, costs 6, rates 4.
AMOUNT_PLACES = 2
QUANTITY_PLACES = 4
PRICE_PLACES = 10
COST_PLACES = 6
RATE_PLACES = 4
# Digits before the point of a quantity column (max_digits 18 with 4 places).
QUANTITY_WHOLE_DIGITS = 14

ZERO = Decimal("0")
# 1, 0.1, 0.01, ...: the exponents `quantize` rounds to, made once (it runs for every figure a page shows).
_EXPONENTS = tuple(Decimal(1).scaleb(-places) for places in range(PRICE_PLACES + 1))


def quantize(value, places: int) -> Decimal:
    """Round half up (the rule the NF-e manual and SEFAZ use) to `places` decimal places."""
    if not isinstance(value, Decimal):
        if isinstance(value, float):
            raise TypeError("money and quantities are Decimal, never float")
        value = Decimal(value)
    exponent = _EXPONENTS[places] if 0 <= places <= PRICE_PLACES else Decimal(1).scaleb(-places)
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def amount(value) -> Decimal:
    return quantize(value, AMOUNT_PLACES)


def quantity(value) -> Decimal:
    return quantize(value, QUANTITY_PLACES)


def cost(value) -> Decimal:
    return quantize(value, COST_PLACES)


def spread(total: Decimal, weights: Sequence[Decimal], places: int = AMOUNT_PLACES) -> list[Decimal]:
    """Split `total` over `weights` so the parts sum exactly to `total` (largest remainder).

    Used for freight, discounts, returns and credit notes spread over lines. Each line gets its exact
    share cut towards zero to `places`; the units left over go one each to the lines whose cut lost
    the most, the first line winning a tie. A negative total is spread as the mirror of the positive
    one, so `spread(-t, w) == [-p for p in spread(t, w)]`. All weights zero spreads evenly.
    """
    if any(w < 0 for w in weights):
        raise ValueError("spread() weights cannot be negative")
    if not weights:
        return []
    units = int(quantize(total, places).scaleb(places))
    if not units:  # nothing to spread (an order's insurance, most of the time): every part zero
        return [Decimal(0).scaleb(-places)] * len(weights)
    if sum(weights, ZERO) == 0:
        weights = [Decimal(1)] * len(weights)
    # Exact shares in integers (Fractions cost 20x more on a 1,000-line receipt): the weights scaled to
    # whole numbers, each share units * w / total_weight, so equal remainders really tie.
    scale = max(0, -min(w.as_tuple().exponent for w in weights))
    ints = [int(w.scaleb(scale)) for w in weights]
    weight_sum = sum(ints)
    negative = units < 0
    magnitude = -units if negative else units
    cuts, lost = [], []
    for w in ints:
        cut, rest = divmod(magnitude * w, weight_sum)  # rest / weight_sum: what the cut lost
        cuts.append(cut)
        lost.append(rest)
    leftover = magnitude - sum(cuts)
    for i in sorted(range(len(cuts)), key=lambda i: (-lost[i], i))[:leftover]:
        cuts[i] += 1
    return [Decimal(-c if negative else c).scaleb(-places) for c in cuts]


class _DecimalField(models.DecimalField):
    max_digits_default = 18
    places = 2

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", self.max_digits_default)
        kwargs.setdefault("decimal_places", self.places)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # Migrations store a plain DecimalField: the subclass only picks the scale.
        return name, "django.db.models.DecimalField", args, kwargs


class MoneyField(_DecimalField):
    places = AMOUNT_PLACES


class QuantityField(_DecimalField):
    places = QUANTITY_PLACES


class PriceField(_DecimalField):
    max_digits_default = 22
    places = PRICE_PLACES


class CostField(_DecimalField):
    max_digits_default = 20
    places = COST_PLACES


class RateField(_DecimalField):
    max_digits_default = 9
    places = RATE_PLACES


class ExactDecimalField(models.DecimalField):
    """A decimal column that keeps every digit on SQLite too.

    SQLite's NUMERIC keeps 15 significant digits, so a value with 10 places above 10^5 would lose its
    last ones. This field is NUMERIC on PostgreSQL and text on SQLite (written and read exactly by
    Django's Decimal adapter). Sum it with `core.decimal_sql.DecimalSum`; on SQLite do not sort or
    compare it in SQL (text compares as text), which is why it is kept for values that are summed,
    such as a stock snapshot's exact value."""

    def db_type(self, connection):
        if connection.vendor == "sqlite":
            return "text"
        return super().db_type(connection)
