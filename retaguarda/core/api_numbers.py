"""Decimals as the API writes them: amounts at 2 places, everything else without meaningless zeros.

Output schemas (never input ones: the OpenAPI schema shows these as strings) declare `Amount` (money: "300.90") or `Measure` (quantities, unit prices, costs,
weights: "300.9", "12", "0.125") instead of a bare `Decimal`; both are strings in JSON, with a dot,
and the OpenAPI schema says so. Inputs keep accepting a number or a string.
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Annotated, get_args, get_origin

from pydantic import PlainSerializer, WithJsonSchema

from retaguarda.core import decimals
from retaguarda.core.money import QUANTITY_PLACES, QUANTITY_WHOLE_DIGITS

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


class Scale:
    """Input metadata: the decimal places and integer digits a field's column keeps, and whether only a
    value above zero makes sense (a quantity moved, an amount paid).

    `quantity: Annotated[Decimal, Scale(4)]` refuses a fifth decimal (422 naming the field); a bare `Decimal`
    in a request body gets the widest column's limits (`core.decimals`)."""

    def __init__(self, places: int, whole_digits: int | None = None, *, above_zero: bool = False):
        self.places = places
        self.whole_digits = whole_digits
        self.above_zero = above_zero

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        schema.pop("anyOf", None)
        schema.pop("type", None)
        return {**schema, **decimal_input_schema(self.places, self.whole_digits, above_zero=self.above_zero)}


def decimal_input_schema(
    places: int | None = None, whole_digits: int | None = None, comma: bool = True, above_zero: bool = False
) -> dict:
    """What `core.decimals.read_decimal` takes, as JSON Schema: a whole number, or text with a dot or a
    comma and at most `places` decimals. Floating-point JSON numbers are refused (they are not exact).
    `above_zero`: no sign, and at least one digit that is not zero."""
    places = decimals.MAX_PLACES if places is None else places
    whole_digits = decimals.MAX_WHOLE_DIGITS if whole_digits is None else whole_digits
    largest = 10**whole_digits - 1
    point = "[.,]" if comma else r"\."
    fraction = rf"({point}[0-9]{{1,{places}}})?" if places else ""
    number = rf"[0-9]{{1,{whole_digits}}}{fraction}$"
    if above_zero:
        whole = {"type": "integer", "exclusiveMinimum": 0, "maximum": largest}
        text = {"type": "string", "pattern": rf"^(?=[0-9.,]*[1-9]){number}", "examples": ["12.5"]}
    else:
        whole = {"type": "integer", "minimum": -largest, "maximum": largest}
        text = {"type": "string", "pattern": rf"^-?{number}", "examples": ["12.5"]}
    return {"anyOf": [whole, text]}


QuantityIn = Annotated[Decimal, Scale(QUANTITY_PLACES, QUANTITY_WHOLE_DIGITS)]
MoneyIn = Annotated[Decimal, Scale(2, 16)]
# A quantity moved, ordered or counted in, an amount paid: zero or less is refused naming the field.
PositiveQuantityIn = Annotated[Decimal, Scale(QUANTITY_PLACES, QUANTITY_WHOLE_DIGITS, above_zero=True)]
PositiveMoneyIn = Annotated[Decimal, Scale(2, 16, above_zero=True)]


@cache
def decimal_fields(model) -> dict[str, tuple[int | None, int | None, bool]]:
    """{field name: (places, whole digits, above zero)} of `model`'s decimal fields (None: the widest
    column's)."""
    found = {}
    for name, field in model.model_fields.items():
        metadata = list(field.metadata)
        is_decimal = field.annotation is Decimal
        for arg in get_args(field.annotation):  # `QuantityIn | None`
            if get_origin(arg) is Annotated:
                arg, *extra = get_args(arg)
                metadata += extra
            is_decimal = is_decimal or arg is Decimal
        if is_decimal:
            scale = next((m for m in metadata if isinstance(m, Scale)), None)
            found[name] = (scale.places, scale.whole_digits, scale.above_zero) if scale else (None, None, False)
    return found


def _parts(annotation):
    """Every type and metadata item inside an annotation (`Measure | None`, `list[LotOut]`, `dict[str, Amount]`)."""
    if get_origin(annotation) is Annotated:
        base, *extra = get_args(annotation)
        yield from extra
        yield from _parts(base)
        return
    yield annotation
    for arg in get_args(annotation):
        yield from _parts(arg)


@cache
def _answer_fields(schema) -> dict[str, tuple]:
    """{field name: (its decimals' writer or None, the schema nested in it or None)} of an answer schema."""
    from pydantic import BaseModel

    found = {}
    for name, field in schema.model_fields.items():
        parts = [*field.metadata, *_parts(field.annotation)]
        writer = next((p.func for p in parts if isinstance(p, PlainSerializer)), None)
        nested = next((p for p in parts if isinstance(p, type) and issubclass(p, BaseModel)), None)
        found[name] = (writer, nested)
    return found


def field_writers(schema) -> dict[str, object]:
    """{field name: the writer of its Decimals (`amount_text`, `measure_text`) or None} of an answer schema,
    for a writer of many flat rows that applies them column by column."""
    return {name: writer for name, (writer, _nested) in _answer_fields(schema).items()}


def write_decimals(body, schema):
    """`body` (plain values: dicts, lists, Decimals) with each Decimal written as `schema` declares its field
    (`Amount`, `Measure`), for answers written straight to JSON without going through the schema."""
    if isinstance(body, list):
        return [write_decimals(item, schema) for item in body]
    if not isinstance(body, dict):
        return body
    fields = _answer_fields(schema)
    written = {}
    for name, value in body.items():
        writer, nested = fields.get(name, (None, None))
        if writer is not None and isinstance(value, Decimal):
            value = writer(value)
        elif writer is not None and isinstance(value, list | dict) and nested is None:
            value = (
                [writer(v) if isinstance(v, Decimal) else v for v in value]
                if isinstance(value, list)
                else {k: writer(v) if isinstance(v, Decimal) else v for k, v in value.items()}
            )
        elif nested is not None:
            value = write_decimals(value, nested)
        written[name] = value
    return written
