"""`insert_instances` on the rows the intake and the outbox write: JSON (with the field's encoder), an IP
address, nulls, auto_now dates and foreign keys read back as written, ids in order, on both engines."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retaguarda.core.bulk_insert import Rider, array_params, insert_instances, insert_together
from retaguarda.core.models import AuditRecord, DocumentEvent, IdempotencyKey, OutboxDelivery, OutboxEvent
from retaguarda.core.transactions import insert_unless_conflict

pytestmark = pytest.mark.django_db


def test_timeline_events_come_back_as_written_with_their_ids_in_order(admin_user):
    events = [
        DocumentEvent(
            document_type="sales.salesorder",
            document_id=n,
            to_state="confirmed",
            user=admin_user if n != 2 else None,
            origin="api",
            payload={"n": n, "total": "10.50", "nested": {"ok": True}} if n != 3 else {},
        )
        for n in range(1, 4)
    ]
    with transaction.atomic():
        written = insert_instances(DocumentEvent, events)

    assert written == events and all(e.pk and not e._state.adding for e in events)
    assert [e.pk for e in events] == sorted(e.pk for e in events)
    again = {e.pk: e for e in DocumentEvent.objects.filter(pk__in=[e.pk for e in events])}
    for e in events:
        read = again[e.pk]
        assert (read.document_id, read.user_id, read.payload) == (e.document_id, e.user_id, e.payload)
        assert read.created_at == e.created_at is not None  # auto_now_add set on the instance too


def test_outbox_rows_and_audit_records(admin_user):
    [event] = insert_instances(OutboxEvent, [OutboxEvent(type="t", company_id=None, payload={"v": Decimal("1.10")})])
    rows = insert_instances(
        OutboxDelivery,
        [
            OutboxDelivery(event=event, company_id=7, handler=f"h{n}", next_attempt_at=event.created_at)
            for n in range(2)
        ],
    )
    assert OutboxEvent.objects.get(pk=event.pk).payload == {"v": "1.10"}  # the field's encoder, as bulk_create
    assert list(
        OutboxDelivery.objects.filter(event=event).order_by("pk").values_list("pk", "handler", "lease_until", "state")
    ) == [(rows[0].pk, "h0", None, "pending"), (rows[1].pk, "h1", None, "pending")]
    records = [
        AuditRecord(actor_label="x", origin="api", action="a", object_type="t", object_id="1", ip=ip, changes=c)
        for ip, c in (("10.0.0.1", {"total": [None, "9.90"]}), (None, {}))
    ]
    insert_instances(AuditRecord, records)
    assert [(r.ip, r.changes) for r in AuditRecord.objects.filter(pk__in=[r.pk for r in records]).order_by("pk")] == [
        ("10.0.0.1", {"total": [None, "9.90"]}),
        (None, {}),
    ]


def test_a_twin_of_a_unique_row_is_not_inserted_and_the_transaction_goes_on(admin_user):
    def key(digest):
        return IdempotencyKey(
            user=admin_user, key="k1", method="POST", path="/x", request_hash=digest, status=0, response={}
        )

    with transaction.atomic():
        assert insert_unless_conflict(first := key("a")) and first.pk is not None
        assert not insert_unless_conflict(key("b"))  # the same user and key: nothing written, nothing raised
        assert (
            IdempotencyKey.objects.filter(user=admin_user, key="k1").values_list("request_hash", flat=True).get() == "a"
        )
    with pytest.raises(ValueError):
        insert_instances(IdempotencyKey, [key("c"), key("d")], ignore_conflicts=True)


def test_events_and_audit_records_written_together_come_back_with_their_ids_in_order(admin_user):
    events = [
        DocumentEvent(document_type="t.doc", document_id=n, to_state=f"s{n}", user=admin_user, origin="api")
        for n in range(3)
    ]
    records = [
        AuditRecord(actor_label="x", origin="api", action=f"a{n}", object_type="t", object_id=str(n)) for n in range(2)
    ]
    with CaptureQueriesContext(connection) as ctx:
        insert_together((DocumentEvent, events), (AuditRecord, records), (OutboxEvent, []))
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    assert [DocumentEvent.objects.get(pk=e.pk).to_state for e in events] == ["s0", "s1", "s2"]
    assert [AuditRecord.objects.get(pk=r.pk).action for r in records] == ["a0", "a1"]
    assert all(not e._state.adding for e in events)


def test_update_columns_writes_the_named_columns_of_every_row_and_nothing_else():
    from retaguarda.core.bulk_insert import update_columns

    events = insert_instances(OutboxEvent, [OutboxEvent(type="t", company_id=n, payload={"n": n}) for n in range(3)])
    [untouched] = insert_instances(OutboxEvent, [OutboxEvent(type="t", company_id=9)])
    for e in events:
        e.type, e.payload, e.company_id = f"s{e.company_id}", {"taxes": {"icms": Decimal("1.10")}, "n": None}, 99
    update_columns(OutboxEvent, events, ["type", "payload"])

    rows = OutboxEvent.objects.filter(pk__in=[e.pk for e in [*events, untouched]]).order_by("pk")
    assert [(r.company_id, r.type, r.payload) for r in rows] == [
        (0, "s0", {"taxes": {"icms": "1.10"}, "n": None}),  # through the field's encoder
        (1, "s1", {"taxes": {"icms": "1.10"}, "n": None}),
        (2, "s2", {"taxes": {"icms": "1.10"}, "n": None}),
        (9, "t", {}),  # another row, and a column not named (company_id), are left alone
    ]


def test_rows_inserted_with_an_update_write_both_or_neither():
    """`insert_instances(and_update=)`: the UPDATE goes with the INSERT (one statement on PostgreSQL), and not
    at all when `unless` finds a row."""
    [target] = insert_instances(OutboxEvent, [OutboxEvent(type="before", company_id=1)])
    table = connection.ops.quote_name(OutboxEvent._meta.db_table)
    unless = (f"SELECT 1 FROM {table} e WHERE e.type = %s", ["blocker"])

    target.type = "after"
    with CaptureQueriesContext(connection) as ctx:
        written = insert_instances(
            OutboxEvent,
            [OutboxEvent(type="new", company_id=2)],
            unless=unless,
            and_update=(OutboxEvent, [target], ["type"]),
        )
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    assert written and written[0].pk and OutboxEvent.objects.get(pk=written[0].pk).type == "new"
    assert OutboxEvent.objects.get(pk=target.pk).type == "after"

    insert_instances(OutboxEvent, [OutboxEvent(type="blocker", company_id=3)])
    target.type = "refused"
    refused = insert_instances(
        OutboxEvent,
        [OutboxEvent(type="other", company_id=4)],
        unless=unless,
        and_update=(OutboxEvent, [target], ["type"]),
    )
    assert refused == []
    assert OutboxEvent.objects.get(pk=target.pk).type == "after"
    assert not OutboxEvent.objects.filter(type="other").exists()


def test_columns_go_to_postgresql_as_array_text_and_come_back_exact():
    numbers = (Decimal("-0.000001"), Decimal("123456789012.345678"), None, Decimal("1E+2"), Decimal("0"))
    ints = (1, -(2**62), None, 7, 0)
    texts = ("a", 'quote " and \\ slash', None, "", "{x,y}")
    odd = ("NULL", " spaced ", "ação\ttab", '\\"', "a,b}")
    flags = (True, False, None, True, False)
    moments = (timezone.now(), None, timezone.now() - timedelta(days=400), timezone.now(), None)
    days = (date(2026, 1, 31), None, date(1999, 12, 1), date(2030, 2, 28), None)
    naive = (datetime(2026, 1, 1, 10), None, None, None, None)  # not handled here: a list, dumped by psycopg
    params = array_params([numbers, ints, texts, odd, flags, moments, days, naive])
    assert params[:2] == [
        "{-0.000001,123456789012.345678,NULL,1E+2,0}",
        "{1,-4611686018427387904,NULL,7,0}",
    ]
    assert params[2] == '{"a","quote \\" and \\\\ slash",NULL,"","{x,y}"}' and params[4] == "{t,f,NULL,t,f}"
    assert all(isinstance(p, str) for p in params[:7]) and params[7] == list(naive)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM UNNEST((%s)::numeric[], (%s)::bigint[], (%s)::text[], (%s)::varchar[], (%s)::bool[],"
                " (%s)::timestamptz[], (%s)::date[])",
                params[:7],
            )
            assert cursor.fetchall() == list(zip(numbers, ints, texts, odd, flags, moments, days, strict=True))


def test_rows_written_together_take_their_parents_ids_and_come_back_as_written(admin_user):
    tricky = 'quote " and \\ slash, {braces,comma}, ação, NULL'
    event = OutboxEvent(type="t", company_id=None, payload={"v": Decimal("1.10"), "text": tricky, "n": None})
    deliveries = [
        OutboxDelivery(event=event, company_id=7, handler=f"h{n}", next_attempt_at=timezone.now()) for n in (1, 2)
    ]
    record = AuditRecord(
        actor_label=tricky, origin="api", action="a", object_type="t", object_id="1", ip="::1", changes={"k": [None, 5]}
    )
    timeline = DocumentEvent(document_type="t.doc", document_id=3, to_state="s", user=None, origin="api")
    with CaptureQueriesContext(connection) as ctx:
        assert insert_together(
            (OutboxEvent, [event]),
            (OutboxDelivery, deliveries, {"event_id": event}),
            (AuditRecord, [record]),
            (DocumentEvent, [timeline]),
        )
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 4)
    assert [d.event_id for d in deliveries] == [event.pk, event.pk] and all(d.pk for d in deliveries)
    read = OutboxEvent.objects.get(pk=event.pk)
    assert read.payload == {"v": "1.10", "text": tricky, "n": None}  # the field's encoder, as bulk_create
    assert read.created_at == event.created_at
    assert sorted(OutboxDelivery.objects.filter(event=event).values_list("handler", "state", "attempts")) == [
        ("h1", "pending", 0),
        ("h2", "pending", 0),
    ]
    again = AuditRecord.objects.get(pk=record.pk)
    assert (again.actor_label, again.ip, again.changes, again.company_id) == (tricky, "::1", {"k": [None, 5]}, None)
    assert DocumentEvent.objects.get(pk=timeline.pk).user_id is None


def test_a_guarded_insert_together_writes_nothing_when_its_first_row_has_a_twin(admin_user):
    def key(digest):
        return IdempotencyKey(
            user=admin_user, key="k2", method="POST", path="/x", request_hash=digest, status=0, response={}
        )

    def follower():
        return DocumentEvent(document_type="t.guarded", document_id=1, to_state="s", origin="api")

    with transaction.atomic():
        assert insert_together((IdempotencyKey, [key("a")]), (DocumentEvent, [follower()]), guarded=True)
        assert not insert_together((IdempotencyKey, [key("b")]), (DocumentEvent, [follower()]), guarded=True)
        assert DocumentEvent.objects.filter(document_type="t.guarded").count() == 1  # the second one's was not written
        assert IdempotencyKey.objects.get(user=admin_user, key="k2").request_hash == "a"


def test_an_aware_datetime_is_written_as_its_field_writes_it():
    """SQLite writes a DateTimeField's aware value without the field (`_utc_text`): the same text. PostgreSQL
    hands the field's value to the driver."""
    from zoneinfo import ZoneInfo

    from retaguarda.core.bulk_insert import _shape, _utc_text

    field = OutboxEvent._meta.get_field("created_at")
    shape = _shape(OutboxEvent, [OutboxEvent()])
    sqlite = connection.vendor == "sqlite"
    assert [shape.fields[i].name for i in shape.utc_texts_at] == (["created_at"] if sqlite else [])
    for value in (
        datetime(2026, 12, 2, 14, 5, 6, 123456, tzinfo=ZoneInfo("America/Sao_Paulo")),
        datetime(2026, 1, 31, 23, 59, 59, tzinfo=ZoneInfo("America/Sao_Paulo")),  # no microseconds, next day in UTC
        timezone.now(),
        None,
    ):
        expected = field.get_db_prep_save(value, connection)
        assert (_utc_text(field, value, connection) if sqlite else expected) == expected
        assert not sqlite or value is None or isinstance(expected, str)


def test_a_rider_is_read_in_the_rows_statement_and_not_run_when_their_guard_stops_them(admin_user):
    [before] = insert_instances(OutboxEvent, [OutboxEvent(type="t.rider", company_id=None, payload={})])
    fields = [OutboxEvent._meta.get_field(name) for name in ("id", "company_id", "type")]
    columns = ", ".join(f"e.{f.column}" for f in fields)

    def rider():
        sql = f"SELECT {columns} FROM {OutboxEvent._meta.db_table} e WHERE e.type = %s ORDER BY e.id"
        return Rider(sql, ["t.rider"], tuple(f.db_type(connection) for f in fields))

    def key(digest):
        return IdempotencyKey(
            user=admin_user, key="k3", method="POST", path="/x", request_hash=digest, status=0, response={}
        )

    def follower():
        return DocumentEvent(document_type="t.rider", document_id=1, to_state="s", origin="api")

    pg = connection.vendor == "postgresql"
    with transaction.atomic():
        plain, first, twin = rider(), rider(), rider()
        with CaptureQueriesContext(connection) as ctx:
            assert insert_together((DocumentEvent, [follower()]), (AuditRecord, []), rider=plain)
            assert insert_together(
                (IdempotencyKey, [key("a")]), (DocumentEvent, [follower()]), guarded=True, rider=first
            )
        assert len(ctx.captured_queries) == (2 if pg else 5)  # elsewhere a statement of its own after the rows
        assert plain.rows == first.rows == [(before.pk, None, "t.rider")]
        assert not insert_together(
            (IdempotencyKey, [key("b")]), (DocumentEvent, [follower()]), guarded=True, rider=twin
        )
        assert twin.rows is None
        assert DocumentEvent.objects.filter(document_type="t.rider").count() == 2
