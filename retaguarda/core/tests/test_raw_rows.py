"""core.raw_rows: a hand-written SELECT's rows become the instances the ORM would have built."""

import pytest
from django.db import connection

from retaguarda.companies.models import Company
from retaguarda.core.raw_rows import Columns


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
