"""Fast inserts for seeding: COPY on PostgreSQL, executemany on SQLite, in bounded batches.

Rows are dicts of field names (attnames, e.g. `product_id`); fields left out get the model's
default (and `now` for auto_now fields), so the rows look as the ORM would have written them.
"""

from collections.abc import Iterable
from itertools import islice

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

# Values of these fields go to the driver as they are; the others (decimals, dates, JSON) get the
# field's own conversion. Calling it for every field of a million rows costs more than the insert.
PLAIN = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey", "IntegerField",
    "OneToOneField", "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "SmallIntegerField", "TextField",
}  # fmt: skip


def _plain(field) -> bool:
    """A value the driver takes as is; a key to a UUID (JournalEntry's) needs SQLite's conversion."""
    if field.is_relation:
        return field.target_field.get_internal_type() in PLAIN
    return field.get_internal_type() in PLAIN


def _fields(model, with_pk: bool = False):
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


def insert(model, rows: Iterable[dict], batch: int = 20_000, *, with_pk: bool = False) -> int:
    """`with_pk`: the rows carry their primary key (a UUID chosen by the caller, say)."""
    conn = connections[DEFAULT_DB_ALIAS]  # the object itself, not the thread-local proxy
    fields = _fields(model, with_pk)
    table = conn.ops.quote_name(model._meta.db_table)
    columns = ", ".join(conn.ops.quote_name(f.column) for f in fields)
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None
    plan = [(f.attname, defaults[f.attname], None if _plain(f) else f.get_db_prep_save) for f in fields]

    def prepared(row: dict) -> tuple:
        return tuple(
            row.get(name, default) if convert is None else convert(row.get(name, default), conn)
            for name, default, convert in plan
        )

    total = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, batch)):
        with transaction.atomic():
            if conn.vendor == "postgresql":
                with conn.cursor() as cur, cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(prepared(row))
            else:
                marks = ", ".join(["%s"] * len(fields))
                with conn.cursor() as cur:
                    cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [prepared(r) for r in chunk])
        total += len(chunk)
    return total
