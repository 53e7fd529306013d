"""`insert_instances` (many new rows of one model) and `update_columns` (some columns of many rows), in
few statements, without Django's per-value work.

`QuerySet.bulk_create` sends each value through its field's whole save path (pre_save, get_db_prep_save,
to_python twice for a Decimal) and compiles the statement for every batch: for a 1,000-line receipt
(25,000 values) that was most of the time spent writing it (cProfile, PostgreSQL). Here the statement
text is built once per batch size, and a value of a plain column (a number, text, a Decimal, a foreign
key) goes to the driver as it is: what Django's own preparation gives for such a value on both engines.
Every other value (dates, times, JSON, UUIDs, custom fields) still goes through its field.

For append-only rows written by services: no signals, no `db_default`, no multi-table inheritance."""

from decimal import Decimal

from django.db import connection, models

from retaguarda.core.raw_rows import prepared_cursor

# Field classes whose preparation of an int, str, bool or Decimal value returns it unchanged.
_PLAIN_FIELDS = (models.DecimalField, models.IntegerField, models.BooleanField, models.ForeignKey)
_PLAIN_TEXT = (models.CharField, models.TextField)  # exactly these: a subclass may encrypt or encode
_PLAIN_VALUES = frozenset({int, str, bool, Decimal, type(None)})


def _is_plain(field) -> bool:
    return isinstance(field, _PLAIN_FIELDS) or type(field) in _PLAIN_TEXT


class _Shape:
    """What the statement needs of a model, worked out once per model and database vendor (a column's
    type, asked of its field for every statement, was a fifth of the intake's INSERT time)."""

    def __init__(self, model):
        meta = model._meta
        self.pk = meta.pk
        self.fields = [f for f in meta.concrete_fields if f is not self.pk and not f.generated]
        if any(f.has_db_default() for f in self.fields):
            raise ValueError(f"{meta.label} has db_default fields: use bulk_create")
        self.own_pre_save = [type(f).pre_save is not models.Field.pre_save for f in self.fields]
        self.plain = [_is_plain(f) for f in self.fields]
        qn = connection.ops.quote_name
        self.head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) "
        self.returning = f" RETURNING {qn(self.pk.column)}"
        # PostgreSQL: one array per column (as Django's own bulk insert does there): a short statement
        # whatever the number of rows, which the driver parses once and keeps.
        arrays = ", ".join(f"(%s)::{f.db_type(connection).split('(')[0]}[]" for f in self.fields)
        self.unnest = f"{self.head}SELECT * FROM UNNEST({arrays})"
        self.one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"


_shapes: dict[tuple[str, type], _Shape] = {}
_NUMBERS = frozenset({int, Decimal, type(None)})


def array_params(columns) -> list:
    """PostgreSQL array parameters, one per column: a column of numbers (ints, Decimals, NULLs) goes as
    the array's text (`{1,2.50,NULL}`, cast by the statement), built by `str.join`; psycopg dumps a list
    element by element in Python (a 1,000-line receipt's 25 number columns: ~22 ms against ~3 ms)."""
    params = []
    for column in columns:
        if all(type(v) in _NUMBERS for v in column):
            params.append("{" + ",".join(["NULL" if v is None else str(v) for v in column]) + "}")
        else:
            params.append(list(column))
    return params


def _rows(shape: _Shape, objs: list) -> list[list]:
    """Each object's values in the statement's column order, as the driver takes them."""
    rows = []
    for obj in objs:
        row = []
        for field, custom, is_plain in zip(shape.fields, shape.own_pre_save, shape.plain, strict=True):
            value = field.pre_save(obj, True) if custom else getattr(obj, field.attname)
            if not (is_plain and type(value) in _PLAIN_VALUES):
                value = field.get_db_prep_save(value, connection)
            row.append(value)
        rows.append(row)
    return rows


def insert_instances(
    model, objs: list, *, unless: tuple[str, list] | None = None, ignore_conflicts: bool = False
) -> list:
    """INSERT `objs` (new instances of `model`, pk unset) and set their primary keys; returns `objs`.

    `unless`: a SELECT and its parameters that the first statement checks as it inserts (`INSERT ...
    SELECT ... WHERE NOT EXISTS`): when it finds a row nothing is written and `[]` is returned, so a
    check that must see what committed while the caller waited for a lock costs no round trip of its
    own, and its refusal leaves the caller's transaction as it was (`inventory.services.reserve`).

    `ignore_conflicts` (one object only): nothing is written, and `[]` returned, when a unique constraint
    already holds the object's twin (`ON CONFLICT DO NOTHING`, SQLite's `INSERT OR IGNORE`); see
    `core.transactions.insert_unless_conflict`."""
    if not objs:
        return objs
    if ignore_conflicts and (len(objs) != 1 or unless):
        raise ValueError("ignore_conflicts takes one object and no `unless`")
    if not connection.features.can_return_rows_from_bulk_insert:  # never the two engines this project runs on
        raise NotImplementedError("insert_instances needs INSERT ... RETURNING")
    shape = _shapes.get((connection.vendor, model))
    if shape is None:
        shape = _shapes[(connection.vendor, model)] = _Shape(model)
    fields = shape.fields
    rows = _rows(shape, objs)

    guard, guard_params = (f" WHERE NOT EXISTS ({unless[0]})", list(unless[1])) if unless else ("", [])
    ids = []
    # PostgreSQL: the statement's text is the same for any number of rows (arrays), so it is prepared.
    with prepared_cursor() as cursor:
        if connection.vendor == "postgresql":
            conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
            cursor.execute(
                f"{shape.unnest}{guard}{conflict}{shape.returning}",
                array_params(zip(*rows, strict=True)) + guard_params,
            )
            ids = [r[0] for r in cursor.fetchall()]
            if (unless or ignore_conflicts) and not ids:
                return []
        else:
            size = max(1, connection.ops.bulk_batch_size(fields, objs))
            if unless:  # the first statement carries the check's parameters too
                size = max(1, size - -(-len(guard_params) // len(fields)))
            for start in range(0, len(rows), size):
                batch = rows[start : start + size]
                values = [v for row in batch for v in row]
                many = ", ".join([shape.one] * len(batch))
                if unless and start == 0:
                    sql = f"{shape.head}SELECT * FROM (VALUES {many}){guard}{shape.returning}"
                    values += guard_params
                else:
                    sql = f"{shape.head}VALUES {many}{shape.returning}"
                if ignore_conflicts:
                    sql = sql.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)
                cursor.execute(sql, values)
                ids += [r[0] for r in cursor.fetchall()]
                if (unless or ignore_conflicts) and not ids:
                    return []
    for obj, new_id in zip(objs, ids, strict=True):
        setattr(obj, shape.pk.attname, new_id)
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def insert_together(*groups: tuple[type, list]) -> None:
    """INSERT each group's `objs` (new instances of its model, none referring to another group's) and set
    their primary keys, as `insert_instances` does for each: on PostgreSQL in one statement (a data-modifying
    CTE per group, each group's ids returned in its rows' order), one round trip where there were as many as
    groups; elsewhere one `insert_instances` per group. For the rows every state change writes together,
    such as a document's timeline events and its audit records."""
    groups = tuple((model, objs) for model, objs in groups if objs)
    if connection.vendor != "postgresql" or len(groups) < 2:
        for model, objs in groups:
            insert_instances(model, objs)
        return
    parts, selects, params = [], [], []
    for n, (model, objs) in enumerate(groups):
        shape = _shapes.get((connection.vendor, model))
        if shape is None:
            shape = _shapes[(connection.vendor, model)] = _Shape(model)
        parts.append(f"g{n} AS ({shape.unnest}{shape.returning})")
        selects.append(f"SELECT {n}, {connection.ops.quote_name(shape.pk.column)} FROM g{n}")
        params += array_params(zip(*_rows(shape, objs), strict=True))
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} {' UNION ALL '.join(selects)}", params)
        ids = [[] for _group in groups]
        for n, new_id in cursor.fetchall():
            ids[n].append(new_id)
    for (model, objs), new_ids in zip(groups, ids, strict=True):
        attname = model._meta.pk.attname
        for obj, new_id in zip(objs, new_ids, strict=True):
            setattr(obj, attname, new_id)
            obj._state.adding = False
            obj._state.db = connection.alias


class _UpdateShape:
    """An UPDATE of some columns of a model, worked out once per model, columns and database vendor."""

    def __init__(self, model, names: tuple[str, ...]):
        meta = model._meta
        pk = meta.pk
        self.fields = [meta.get_field(name) for name in names]
        self.plain = [_is_plain(f) for f in self.fields]
        self.all_fields = [pk, *self.fields]
        qn = connection.ops.quote_name
        table = qn(meta.db_table)
        if connection.vendor == "postgresql":
            # One array per column: one short statement whatever the number of rows.
            arrays = ", ".join(f"(%s)::{f.db_type(connection).split('(')[0]}[]" for f in self.all_fields)
            aliases = ", ".join(f"c{i}" for i in range(len(self.fields) + 1))
            sets = ", ".join(f"{qn(f.column)} = v.c{i}" for i, f in enumerate(self.fields, 1))
            self.unnest = (
                f"UPDATE {table} SET {sets} FROM UNNEST({arrays}) AS v({aliases}) WHERE {table}.{qn(pk.column)} = v.c0"
            )
        else:
            self.one = "(" + ", ".join(["%s"] * (len(self.fields) + 1)) + ")"
            sets = ", ".join(f"{qn(f.column)} = v.column{i}" for i, f in enumerate(self.fields, 2))
            self.head = f"UPDATE {table} SET {sets} FROM (VALUES "
            self.tail = f") AS v WHERE {table}.{qn(pk.column)} = v.column1"


_update_shapes: dict[tuple, _UpdateShape] = {}


def update_columns(model, objs: list, names) -> None:
    """UPDATE the columns `names` of saved `objs` of `model` to their instances' values, one statement
    (a batch on SQLite): `bulk_update`'s CASE per row and column cost 30% of a 1,000-line note's issue
    (and more than the rest of a 1,000-line posting). Each value goes through its field as in
    `insert_instances`; a value is written, not computed from the row (`F() + delta` would drift on
    SQLite, whose NUMERIC arithmetic is binary floating point)."""
    if not objs:
        return
    key = (connection.vendor, model, tuple(names))
    shape = _update_shapes.get(key)
    if shape is None:
        shape = _update_shapes[key] = _UpdateShape(model, key[2])
    rows = []
    for obj in objs:
        row = [obj.pk]
        for field, is_plain in zip(shape.fields, shape.plain, strict=True):
            value = getattr(obj, field.attname)
            if not (is_plain and type(value) in _PLAIN_VALUES):
                value = field.get_db_prep_save(value, connection)
            row.append(value)
        rows.append(row)
    if connection.vendor == "postgresql":
        # One text per model and columns: prepared once per connection.
        with prepared_cursor() as cursor:
            cursor.execute(shape.unnest, array_params(zip(*rows, strict=True)))
        return
    with connection.cursor() as cursor:
        size = max(1, connection.ops.bulk_batch_size(shape.all_fields, objs))
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                f"{shape.head}{', '.join([shape.one] * len(batch))}{shape.tail}", [v for row in batch for v in row]
            )
