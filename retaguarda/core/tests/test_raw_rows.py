"""core.raw_rows: a hand-written SELECT's rows become the instances the ORM would have built."""

import pytest
from django.db import connection

from retaguarda.companies.models import Company
from retaguarda.core.raw_rows import Columns, ids_in, prepared_cursor


@pytest.mark.django_db
def test_some_columns_in_any_order_come_back_in_their_own_fields(company):
    columns = Columns(Company, "c", ("trade_name", "legal_name"))  # not the model's order
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql} FROM {Company._meta.db_table} c WHERE c.id = %s", [company.pk])
        [built] = [columns.build(row) for row in cursor.fetchall()]

    assert columns.attnames[0] == "id"
    assert (built.pk, built.legal_name, built.trade_name) == (company.pk, company.legal_name, company.trade_name)
    assert built.get_deferred_fields() >= {"cnpj"}


def test_a_column_the_model_does_not_have_is_refused():
    with pytest.raises(ValueError):
        Columns(Company, "c", ("legal_nam",))


@pytest.mark.django_db
def test_ids_in_finds_the_rows_named_and_keeps_one_text_on_postgresql(make_company):
    companies = [make_company() for _ in range(3)]
    texts = set()
    for wanted in ([companies[0].pk], [c.pk for c in companies], []):
        condition, params = ids_in("c.id", wanted)
        texts.add(condition)
        with prepared_cursor() as cursor:
            cursor.execute(f"SELECT c.id FROM {Company._meta.db_table} c WHERE {condition} OR 1 = 0", params)
            assert sorted(row[0] for row in cursor.fetchall()) == sorted(wanted)
    if connection.vendor == "postgresql":  # one array parameter: the statement can stay prepared
        assert texts == {"c.id = ANY(CAST(%s AS bigint[]))"}


def test_ids_in_takes_only_integers():
    with pytest.raises((TypeError, ValueError)):
        ids_in("c.id", ["1}"])
