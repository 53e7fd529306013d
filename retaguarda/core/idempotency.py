"""How long an `Idempotency-Key` is remembered, its two statements, and the periodic clean-up.

A key replays its stored answer for 24 hours (long enough for any client's retries); after that the same
key starts afresh, and `purge_expired` (a periodic task) deletes the rows so the table does not grow.

Every POST with a key runs `claim` (one INSERT) and `remember` (one UPDATE), hand-written: the ORM's
INSERT ... ON CONFLICT and UPDATE cost more CPU than the database spends on them (docs/request-cost.md).
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from retaguarda.core.models import IdempotencyKey
from retaguarda.core.raw_rows import prepared_cursor

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
        columns = ["user_id", "key", "method", "path", "request_hash", "status", "response", "created_at"]
        self.created_at = meta.get_field("created_at")
        # PostgreSQL's jsonb takes the answer's JSON text as it is; SQLite stores it as text.
        json_value = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
        marks = ", ".join(json_value if c == "response" else "%s" for c in columns)
        # Both engines: ON CONFLICT DO NOTHING (SQLite 3.24+) with RETURNING (SQLite 3.35+).
        self.insert = (
            f"INSERT INTO {table} ({', '.join(qn(meta.get_field(c.removesuffix('_id')).column) for c in columns)}) "
            f"VALUES ({marks}) ON CONFLICT DO NOTHING RETURNING {qn(meta.pk.column)}"
        )
        self.update = (
            f"UPDATE {table} SET {qn('status')} = %s, {qn('response')} = {json_value} WHERE {qn(meta.pk.column)} = %s"
        )


_sql: dict[str, _Sql] = {}


def _statements() -> _Sql:
    sql = _sql.get(connection.vendor)
    if sql is None:
        sql = _sql[connection.vendor] = _Sql()
    return sql


def _insert(user_id: int, key: str, method: str, path: str, digest: str) -> int | None:
    st = _statements()
    now = st.created_at.get_db_prep_value(timezone.now(), connection)
    with prepared_cursor() as cursor:
        cursor.execute(st.insert, [user_id, key, method, path, digest, 0, "{}", now])
        row = cursor.fetchone()
    return row[0] if row else None


def claim(user_id: int, key: str, method: str, path: str, digest: str) -> tuple[int | None, IdempotencyKey | None]:
    """Insert the key inside the caller's transaction: (its id, None) when this request now owns it,
    else (None, the stored answer still in force). A concurrent request with the same key waits on the
    unique index until the first one's transaction ends, then reads its answer."""
    pk = _insert(user_id, key, method, path, digest)
    if pk is not None:
        return pk, None
    stored = IdempotencyKey.objects.get(user_id=user_id, key=key)
    if stored.created_at >= expired_before():
        return None, stored
    # Remembered for 24 hours only: an older key starts afresh (the purge may not have run yet).
    IdempotencyKey.objects.filter(pk=stored.pk).delete()
    pk = _insert(user_id, key, method, path, digest)
    return (pk, None) if pk is not None else (None, IdempotencyKey.objects.get(user_id=user_id, key=key))


def remember(pk: int, status: int, answer_json: str) -> None:
    """Store the answer (its JSON text as sent) for the key's replays."""
    with prepared_cursor() as cursor:
        cursor.execute(_statements().update, [status, answer_json, pk])
