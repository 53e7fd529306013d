"""How long an `Idempotency-Key` is remembered, its one statement, and the periodic clean-up.

A key replays its stored answer for 24 hours (long enough for any client's retries); after that the same
key starts afresh, and `purge_expired` (a periodic task) deletes the rows so the table does not grow.

A POST with a key writes it once, with its answer, as the last statement of the route's transaction
(`store`): one INSERT where there were two statements (a claim before the route, the answer after it).
A twin sent in parallel runs its route too, then waits on the unique index for the first to commit, finds
the key taken and rolls its whole transaction back: one effect, and it answers what the first stored
(`stored`). Hand-written: the ORM's INSERT ... ON CONFLICT costs more CPU than the database spends on it
(docs/request-cost.md).
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from retaguarda.core.models import IdempotencyKey
from retaguarda.core.raw_rows import Columns, per_vendor, prepared_cursor

TTL = timedelta(hours=24)


def expired_before(now=None):
    return (now or timezone.now()) - TTL


def purge_expired(now=None) -> int:
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=expired_before(now)).delete()
    return deleted


class _Sql:
    """The two statements for the connection's vendor, built once."""

    def __init__(self):
        qn = connection.ops.quote_name
        meta = IdempotencyKey._meta
        table = qn(meta.db_table)
        fields = ["user", "key", "method", "path", "request_hash", "status", "response", "created_at"]
        columns = [qn(meta.get_field(f).column) for f in fields]
        self.created_at = meta.get_field("created_at")
        # PostgreSQL's jsonb takes the answer's JSON text as it is; SQLite stores it as text.
        json_value = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
        marks = ", ".join(json_value if f == "response" else "%s" for f in fields)
        unique = ", ".join(qn(meta.get_field(f).column) for f in ("user", "key"))
        renewed = ", ".join(f"{c} = excluded.{c}" for c in columns[2:])
        # Both engines: ON CONFLICT ... DO UPDATE ... WHERE (SQLite 3.24+) with RETURNING (SQLite 3.35+).
        # A key older than the TTL is taken afresh (the purge may not have run yet); a live one is left as it
        # is and nothing comes back.
        self.store = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
            f"ON CONFLICT ({unique}) DO UPDATE SET {renewed} WHERE {table}.{qn('created_at')} < %s "
            f"RETURNING {qn(meta.pk.column)}"
        )
        self.columns = Columns(IdempotencyKey, "k", ("request_hash", "status", "response", "created_at"))
        self.stored = (
            f"SELECT {self.columns.sql} FROM {table} k WHERE k.{qn('user_id')} = %s AND k.{qn('key')} = %s "
            f"AND k.{qn('created_at')} >= %s"
        )


_statements = per_vendor(_Sql)


def _db_time(st: _Sql, moment):
    """An aware datetime as the column takes it: the backend's adaptation, which is all the field's own
    preparation comes to for one (without its checks, each key's two timestamps were 2 % of a SQLite
    reservation's CPU)."""
    if moment.tzinfo is None:
        return st.created_at.get_db_prep_value(moment, connection)  # the field warns about a naive one
    return connection.ops.adapt_datetimefield_value(moment)


def store(user_id: int, key: str, method: str, path: str, digest: str, status: int, answer_json: str) -> bool:
    """Write the key with its answer (its JSON text as sent), in the caller's transaction: True when this
    request now holds it, False when a live one holds it already (the caller rolls back and replays it).
    A twin in flight makes this wait on the unique index until its transaction ends."""
    st = _statements()
    now = timezone.now()
    params = [user_id, key, method, path, digest, status, answer_json, _db_time(st, now)]
    with prepared_cursor() as cursor:
        cursor.execute(st.store, [*params, _db_time(st, expired_before(now))])
        return cursor.fetchone() is not None


def stored(user_id: int, key: str) -> IdempotencyKey | None:
    """The live answer stored under the key, if any."""
    st = _statements()
    with prepared_cursor() as cursor:
        cursor.execute(st.stored, [user_id, key, _db_time(st, expired_before())])
        row = cursor.fetchone()
    return st.columns.build(row) if row else None
