"""The one reader of decimals from outside, and the API refusing what it refuses, naming the field."""

from decimal import Decimal

import pytest

from retaguarda.core.decimals import read_decimal
from retaguarda.inventory.models import StockMove


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.5", Decimal("12.5")),
        ("12,5", Decimal("12.5")),
        (3, Decimal(3)),
        ("-0.0001", Decimal("-0.0001")),
        (5.0, Decimal(5)),  # a whole JSON number written with a point is still that integer
    ],
)
def test_plain_numbers_are_read_exactly(value, expected):
    assert read_decimal(value, places=4) == expected


@pytest.mark.parametrize(
    "value",
    [
        "NaN",
        "Infinity",
        "-inf",
        "1e30",
        "1E3",
        1e30,
        2.5,
        float("nan"),
        "9" * 41,
        "99999999999999999999",
        99999999999999999999,
        "1.12345",
        "",
        " 1",
        "R$ 12",
        True,
        None,
        Decimal("NaN"),
    ],
)
def test_what_could_be_stored_wrong_is_refused(value):
    with pytest.raises(ValueError):
        read_decimal(value, places=4, whole_digits=14)


def test_a_person_may_type_the_brazilian_way():
    assert read_decimal(" R$ 1.234,56 ", places=2, typed=True) == Decimal("1234.56")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("quantity", "says"),
    [
        ('"1.1234567"', "4 casas"),
        ("1e30", "ponto flutuante"),
        ('"1e30"', "expoente"),
        ('"NaN"', "NaN"),
        ("99999999999999999999", "grande demais"),
        ("2.5", "ponto flutuante"),
    ],
)
def test_a_bad_quantity_on_a_stock_move_is_422_naming_the_field(api, company, quantity, says):
    line = '{"product_id": 1, "quantity": ' + quantity + "}"
    body = '{"direction": "in", "warehouse_id": 1, "reason": "x", "lines": [' + line + "]}"
    response = api.post("/api/v1/inventory/moves", body, content_type="application/json")
    assert response.status_code == 422, response.content
    details = {d["field"]: d["message"] for d in response.json()["details"]}
    assert says in details["lines.0.quantity"]
    assert not StockMove.objects.exists()
