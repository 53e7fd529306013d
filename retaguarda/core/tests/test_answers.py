"""`core.answers` writes what ninja writes for the same instances through the same flat schema."""

import datetime
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from ninja import Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import Field

from retaguarda.core.answers import answer
from retaguarda.core.api_numbers import Amount, Measure


class ThingOut(Schema):
    id: int
    name: str
    note: str | None
    price: Amount
    weight: Measure
    ratio: Decimal
    due: datetime.date | None
    at: datetime.datetime
    active: bool
    owner_name: str

    @staticmethod
    def resolve_owner_name(obj):
        return obj.owner.name


def _ninja(schema, objs) -> str:
    """What ninja's renderer writes for `objs` through `schema`."""
    return json.dumps([schema.from_orm(o).model_dump() for o in objs], cls=NinjaJSONEncoder)


def _thing(**over):
    values = {
        "id": 7,
        "name": 'Caneca "grande" \u00e9',
        "note": None,
        "price": Decimal("12.5"),
        "weight": Decimal("0.2500"),
        "ratio": Decimal("1.10"),
        "due": datetime.date(2026, 12, 2),
        "at": datetime.datetime(2026, 12, 2, 10, 1, 2, 345678, tzinfo=datetime.UTC),
        "active": True,
        "owner": SimpleNamespace(name="Ana"),
    }
    values.update(over)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    "things",
    [
        [_thing()],
        [_thing(note="x", due=None, at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)), _thing(id=8)],
        [_thing(price=Decimal("-0.005"), weight=Decimal("100"), ratio=Decimal("0"))],
        [],
    ],
)
def test_an_answer_is_the_text_ninja_writes(things):
    response = answer(ThingOut, things, 201)
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content.decode() == _ninja(ThingOut, things)


def test_one_instance_is_an_object():
    assert json.loads(answer(ThingOut, _thing()).content)["owner_name"] == "Ana"


class NestedOut(Schema):
    id: int
    things: list[ThingOut]


class AliasedOut(Schema):
    sku: str = Field(alias="product.sku")


@pytest.mark.parametrize("schema", [NestedOut, AliasedOut])
def test_a_schema_that_is_not_flat_is_refused(schema):
    with pytest.raises(ValueError, match="flat"):
        answer(schema, [SimpleNamespace(id=1, things=[], sku="x")])
