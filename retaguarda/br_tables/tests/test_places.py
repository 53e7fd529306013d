"""An address's CEP and municipality checked against each other (companies and parties share it)."""

import pytest

from retaguarda.br_tables.places import clean_place, municipalities
from retaguarda.core.problems import Problems

pytestmark = pytest.mark.django_db


def test_a_good_place():
    problems = Problems()
    cep, city = clean_place("01310-100", "3550308", problems)
    assert (cep, city.name, problems.items) == ("01310100", "São Paulo", [])


@pytest.mark.parametrize(
    ("cep", "code", "field", "words"),
    [
        ("", "3550308", "postal_code", "CEP"),
        ("0131", "3550308", "postal_code", "0131"),
        ("01310-100", "", "municipality_id", "munic"),
        ("01310-100", "9999999", "municipality_id", "9999999"),
        ("20040-020", "3550308", "postal_code", "RJ"),  # a Rio CEP given to São Paulo
    ],
)
def test_each_problem_names_its_field(cep, code, field, words):
    problems = Problems()
    clean_place(cep, code, problems)
    assert [p["field"] for p in problems] == [field]
    assert words in problems.items[0]["message"]


def test_many_addresses_take_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        known = municipalities(["3550308", "3304557", "", None])
    with django_assert_num_queries(0):
        problems = Problems()
        clean_place("20040-020", "3304557", problems, known=known, cep_field="cep")
    assert problems.items == []
