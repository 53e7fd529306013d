"""Decimals as the API writes them: amounts at 2 places, everything else without meaningless zeros.

Output schemas (never input ones: the OpenAPI schema shows these as strings) declare `Amount` (money: "300.90") or `Measure` (quantities, unit prices, costs,
weights: "300.9", "12", "0.125") instead of a bare `Decimal`; both are strings in JSON, with a dot,
and the OpenAPI schema says so. Inputs keep accepting a number or a string.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

CENT = Decimal("0.01")


def amount_text(value: Decimal) -> str:
    """Money at 2 places, rounded half up: Decimal("300.9") -> "300.90"."""
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def measure_text(value: Decimal) -> str:
    """A number without meaningless zeros, never in exponent form: Decimal("300.9000000000") -> "300.9"."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


Amount = Annotated[
    Decimal,
    PlainSerializer(amount_text, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?\d+\.\d{2}$",
            "examples": ["1500.00"],
            "description": "Money: a string with exactly 2 decimal places and a dot.",
        }
    ),
]

Measure = Annotated[
    Decimal,
    PlainSerializer(measure_text, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?\d+(\.\d*[1-9])?$",
            "examples": ["12", "2.5", "300.9"],
            "description": "Quantity, unit price or cost: a string with a dot and no trailing zeros "
            "(up to 4 places for quantities, 6 for costs, 10 for unit prices).",
        }
    ),
]
