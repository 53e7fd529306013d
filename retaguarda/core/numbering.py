"""Document numbers: non-blocking for ordinary documents, gapless only for fiscal series.

- `document_number(key, company_id=...)` numbers orders, receipts, transfers, counts, titles: unique
  and increasing within (company, key), and it never waits for another transaction. A document whose
  transaction rolls back leaves a gap, which the law allows for everything but fiscal documents.
  PostgreSQL takes it from a sequence per (company, key) (`nextval` never blocks and is not undone
  by a rollback). SQLite lets one writer in at a time anyway, so there the number comes from a
  counter row in the caller's transaction, which adds no waiting of its own.
- `gapless_number(key, company_id=...)` is for fiscal series (NF-e / NFC-e numbers), which must have
  no gaps: the counter row stays locked until the caller commits, so every other document of that
  series waits. Take it last, at the moment the document is queued for SEFAZ, never at the start
  of a long transaction.
"""

import hashlib
import re

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

from retaguarda.core.models import NumberSeries
from retaguarda.core.raw_rows import prepared_cursor

_known_sequences: set[str] = set()


def document_number(key: str, *, company_id: int) -> int:
    """The next number of an ordinary document; never blocks, may leave gaps."""
    if connection.vendor != "postgresql":
        return _counter(key, company_id)
    name = _series_sequence(key, company_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [name])
        return cursor.fetchone()[0]


def number_and_id(key: str, *, company_id: int, model) -> tuple[int, int | None]:
    """`document_number(key)` and, on PostgreSQL, the id the new row of `model` will have, taken from its
    table's sequence in the same round trip: every row that refers to the document (its lines, timeline
    events, audit records, outbox events) can then be written in one statement with it
    (`core.bulk_insert.insert_together`). Elsewhere the id is None: the row's INSERT gives it."""
    if connection.vendor != "postgresql":
        return _counter(key, company_id), None
    with prepared_cursor() as cursor:
        cursor.execute(f"SELECT {NUMBER_AND_ID}", number_and_id_params(key, company_id=company_id, model=model))
        number, new_id = cursor.fetchone()
    return number, new_id


# PostgreSQL: the two values of `number_and_id`, for a caller that takes them in a statement that reads
# something else too (`sales.services.lookups.order_refs`), with `number_and_id_params`.
NUMBER_AND_ID = "nextval(%s), nextval(%s)"


def number_and_id_params(key: str, *, company_id: int, model) -> list[str]:
    """The parameters of `NUMBER_AND_ID`: the series' sequence and the one behind `model`'s primary key."""
    return [_series_sequence(key, company_id), _id_sequence(model)]


def _series_sequence(key: str, company_id: int) -> str:
    """The PostgreSQL sequence of a series, created the first time this process asks for it."""
    name = sequence_name(key, company_id)
    if name not in _known_sequences:
        _create_sequence(name, key, company_id)
        _known_sequences.add(name)
    return name


def _id_sequence(model) -> str:
    """The sequence behind `model`'s primary key (an identity column's), looked up once."""
    table = model._meta.db_table
    name = _id_sequences.get(table)
    if name is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
            name = _id_sequences[table] = cursor.fetchone()[0]
    return name


_id_sequences: dict[str, str] = {}


def gapless_number(key: str, *, company_id: int) -> int:
    """The next number of a gapless (fiscal) series, locked until the caller's transaction ends:
    a rollback gives it back. Call it last in the transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("gapless_number() must run inside the document's transaction")
    return _counter(key, company_id)


def _counter(key: str, company_id: int) -> int:
    """Take the series' next number from its counter row in one statement (its row lock is held until
    the caller's transaction ends); the first number of a series creates the row."""
    table = connection.ops.quote_name(NumberSeries._meta.db_table)
    sql = (
        f"UPDATE {table} SET next_number = next_number + 1 WHERE company_id = %s AND {connection.ops.quote_name('key')} = %s"
        " RETURNING next_number - 1"
    )
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, [company_id, key])
            row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        NumberSeries.objects.bulk_create([NumberSeries(company_id=company_id, key=key)], ignore_conflicts=True)
    raise RuntimeError(f"number series {key!r} of company {company_id} could not be created")


def sequence_name(key: str, company_id: int) -> str:
    """`rtg_num_<company>_<key>_<hash>`: readable, within PostgreSQL's 63 characters, and distinct
    for keys that differ only in punctuation."""
    slug = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")[:30]
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    return f"rtg_num_{company_id}_{slug}_{digest}"


def _create_sequence(name: str, key: str, company_id: int) -> None:
    """Create the sequence if missing, on a connection of its own, committed at once, so that the
    caller's transaction (maybe still creating the company) holds no lock on it and a rollback keeps
    it. (The caller's transaction must not look the name up before: PostgreSQL would remember it
    as missing until the transaction ends.)

    It starts after the numbers an older counter row of the same series already gave."""
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with side.cursor() as cursor:
            cursor.execute(
                "SELECT next_number FROM core_numberseries WHERE company_id = %s AND key = %s", [company_id, key]
            )
            row = cursor.fetchone()
            start = max(int(row[0]) if row else 1, 1)
            try:
                cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {side.ops.quote_name(name)} START WITH {start}")
            except DatabaseError:
                # Two first documents of a series at once: the other connection created it.
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
                if not cursor.fetchone()[0]:
                    raise
    finally:
        side.close()
