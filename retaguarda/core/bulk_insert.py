"""`insert_instances`: many new rows of one model in few statements, without Django's per-value work.

`QuerySet.bulk_create` sends each value through its field's whole save path (pre_save, get_db_prep_save,
to_python twice for a Decimal) and compiles the statement for every batch: for a 1,000-line receipt
(25,000 values) that was most of the time spent writing it (cProfile, PostgreSQL). Here the statement
text is built once per batch size, and a value of a plain column (a number, text, a Decimal, a foreign
key) goes to the driver as it is: what Django's own preparation gives for such a value on both engines.
Every other value (dates, times, JSON, UUIDs, custom fields) still goes through its field.

For append-only rows written by services: no signals, no `db_default`, no multi-table inheritance."""

from decimal import Decimal

from django.db import connection, models

# Field classes whose preparation of an int, str, bool or Decimal value returns it unchanged.
_PLAIN_FIELDS = (models.DecimalField, models.IntegerField, models.BooleanField, models.ForeignKey)
_PLAIN_TEXT = (models.CharField, models.TextField)  # exactly these: a subclass may encrypt or encode
_PLAIN_VALUES = frozenset({int, str, bool, Decimal, type(None)})


def _is_plain(field) -> bool:
    return isinstance(field, _PLAIN_FIELDS) or type(field) in _PLAIN_TEXT


def insert_instances(model, objs: list) -> list:
    """INSERT `objs` (new instances of `model`, pk unset) and set their primary keys; returns `objs`."""
    if not objs:
        return objs
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk and not f.generated]
    if any(f.has_db_default() for f in fields):
        raise ValueError(f"{meta.label} has db_default fields: use bulk_create")
    own_pre_save = [type(f).pre_save is not models.Field.pre_save for f in fields]
    plain = [_is_plain(f) for f in fields]
    rows = []
    for obj in objs:
        row = []
        for field, custom, is_plain in zip(fields, own_pre_save, plain, strict=True):
            value = field.pre_save(obj, True) if custom else getattr(obj, field.attname)
            if not (is_plain and type(value) in _PLAIN_VALUES):
                value = field.get_db_prep_save(value, connection)
            row.append(value)
        rows.append(row)

    if not connection.features.can_return_rows_from_bulk_insert:  # never the two engines this project runs on
        raise NotImplementedError("insert_instances needs INSERT ... RETURNING")
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
    returning = f" RETURNING {qn(pk.column)}"
    ids = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column (as Django's own bulk insert does there): a short statement whatever
            # the number of rows, which the driver parses once and keeps.
            arrays = ", ".join(f"(%s)::{f.db_type(connection).split('(')[0]}[]" for f in fields)
            cursor.execute(
                f"{head}SELECT * FROM UNNEST({arrays}){returning}", [list(c) for c in zip(*rows, strict=True)]
            )
            ids = [r[0] for r in cursor.fetchall()]
        else:
            one = "(" + ", ".join(["%s"] * len(fields)) + ")"
            size = max(1, connection.ops.bulk_batch_size(fields, objs))
            for start in range(0, len(rows), size):
                batch = rows[start : start + size]
                cursor.execute(
                    f"{head}VALUES {', '.join([one] * len(batch))}{returning}", [v for row in batch for v in row]
                )
                ids += [r[0] for r in cursor.fetchall()]
    for obj, new_id in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, new_id)
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
