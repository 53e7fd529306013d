"""core.raw_rows: a hand-written SELECT's rows become the instances the ORM would have built."""

import pytest
from django.db import connection

from retaguarda.companies.models import Company
from retaguarda.core.raw_rows import Columns, ids_in, prepared_cursor, unsaved


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


needs_health_checks = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="CONN_HEALTH_CHECKS: on PostgreSQL only (settings)"
)


@needs_health_checks
@pytest.mark.django_db(transaction=True)
def test_a_requests_first_read_is_the_connections_health_check(monkeypatch):
    """No `SELECT 1` of Django's before it: the read itself finds the connection alive."""
    from retaguarda.core.raw_rows import first_read

    connection.ensure_connection()
    connection.health_check_done = False  # as at the start of a request
    monkeypatch.setattr(connection, "is_usable", lambda: pytest.fail("a SELECT 1 was sent"))

    assert first_read("SELECT %s::int", [7]) == [(7,)]
    assert connection.health_check_done


@needs_health_checks
@pytest.mark.django_db(transaction=True)
def test_a_first_read_on_a_dead_connection_is_sent_again_on_a_new_one():
    from retaguarda.core.raw_rows import first_read

    connection.ensure_connection()
    dead = connection.connection
    dead.close()  # the server went away between two requests
    connection.health_check_done = False

    assert first_read("SELECT %s::int", [7]) == [(7,)]
    assert connection.connection is not dead and not connection.connection.closed


@needs_health_checks
@pytest.mark.django_db(transaction=True)
def test_a_first_reads_own_error_is_not_retried():
    from django.db import ProgrammingError

    from retaguarda.core.raw_rows import first_read

    connection.ensure_connection()
    alive = connection.connection
    connection.health_check_done = False
    with pytest.raises(ProgrammingError):
        first_read("SELECT * FROM no_such_table_here", [])
    assert connection.connection is alive


@pytest.mark.django_db
def test_a_built_instance_is_what_the_orm_builds(company):
    columns = Columns(Company, "c")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql} FROM {Company._meta.db_table} c WHERE c.id = %s", [company.pk])
        [built] = [columns.build(row) for row in cursor.fetchall()]
    read = Company.objects.get(pk=company.pk)

    assert columns.direct  # filled without Model.__init__
    assert {f.attname: getattr(built, f.attname) for f in Company._meta.concrete_fields} == {
        f.attname: getattr(read, f.attname) for f in Company._meta.concrete_fields
    }
    assert (built._state.adding, built._state.db, built.get_deferred_fields()) == (False, "default", set())
    assert built == read


def test_a_model_someone_listens_to_is_built_through_from_db():
    from django.db.models.signals import post_init

    from retaguarda.core.raw_rows import _built_directly

    def listener(**kwargs):
        pass

    post_init.connect(listener, sender=Company)
    try:
        assert not _built_directly(Company)
    finally:
        post_init.disconnect(listener, sender=Company)
    assert _built_directly(Company)


def _same_as_init(model, **values):
    fast, slow = unsaved(model, **values), model(**values)
    assert type(fast) is model
    assert {k: v for k, v in fast.__dict__.items() if k != "_state"} == {
        k: v for k, v in slow.__dict__.items() if k != "_state"
    }
    assert (fast._state.adding, fast._state.db, fast._state.fields_cache) == (
        slow._state.adding,
        slow._state.db,
        slow._state.fields_cache,
    )
    return fast


def test_unsaved_builds_what_the_models_init_builds():
    from decimal import Decimal

    from retaguarda.catalog.models import Product
    from retaguarda.core.models import AuditRecord, DocumentEvent
    from retaguarda.inventory.models import Reservation
    from retaguarda.sales.models import Quote, SalesOrder, SalesOrderLine

    product, order = Product(id=5, company_id=1, sku="X"), SalesOrder(id=9, company_id=1)
    line = _same_as_init(
        SalesOrderLine, number=1, product=product, quantity=Decimal("2"), total=Decimal(3), order=order
    )
    assert (line.product_id, line.order_id, line.product) == (5, 9, product)  # the objects cached, as by __init__
    _same_as_init(Reservation, company_id=1, product_id=5, location_id=3, quantity=Decimal(2), source_line=1)
    _same_as_init(DocumentEvent, document_type="sales.salesorder", document_id=9, to_state="draft", user=None)
    _same_as_init(AuditRecord, company_id=1, action="created", changes={"a": [None, 1]}, user=None)
    _same_as_init(SalesOrder)  # every column its default
    converted = _same_as_init(SalesOrder, quote=Quote(id=4), customer=None)  # a one-to-one by its object too
    assert converted.quote_id == 4


def test_unsaved_leaves_what_is_not_a_column_to_the_models_init():
    from retaguarda.catalog.models import Product

    with pytest.raises(TypeError):
        unsaved(Company, not_a_field=1)
    both = unsaved(Product, company=Company(id=3), company_id=3)  # the object and its id: Django's own way
    assert both.company_id == 3
