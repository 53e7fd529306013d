"""`insert_instances` (many new rows of one model) and `update_columns` (some columns of many rows), in
few statements, without Django's per-value work.

`QuerySet.bulk_create` sends each value through its field's whole save path (pre_save, get_db_prep_save,
to_python twice for a Decimal) and compiles the statement for every batch: for a 1,000-line receipt
(25,000 values) that was most of the time spent writing it (cProfile, PostgreSQL). Here the statement
text is built once per batch size, and a value of a plain column (a number, text, a Decimal, a foreign
key) goes to the driver as it is: what Django's own preparation gives for such a value on both engines.
Every other value (dates, times, JSON, UUIDs, custom fields) still goes through its field.

For append-only rows written by services: no signals, no `db_default`, no multi-table inheritance."""

import datetime
import ipaddress
import json
import sys
import uuid
from decimal import Decimal
from operator import attrgetter

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from retaguarda.core.raw_rows import prepared_cursor


def _json_wrappers() -> tuple:
    """What Django's PostgreSQL backend wraps JSON values in, once it has loaded psycopg: a value can only
    be one of them then, and a SQLite install never imports psycopg (20 MiB of a worker, docs/request-cost.md)."""
    module = sys.modules.get("psycopg.types.json")
    return (module.Json, module.Jsonb) if module is not None else ()


# Field classes whose preparation of an int, str, bool or Decimal value returns it unchanged.
_PLAIN_FIELDS = (models.DecimalField, models.IntegerField, models.BooleanField, models.ForeignKey)
_PLAIN_TEXT = (models.CharField, models.TextField)  # exactly these: a subclass may encrypt or encode
_PLAIN_VALUES = frozenset({int, str, bool, Decimal, type(None)})


def _is_plain(field) -> bool:
    return isinstance(field, _PLAIN_FIELDS) or type(field) in _PLAIN_TEXT


class _Shape:
    """What the statement needs of a model, worked out once per model and database vendor (a column's
    type, asked of its field for every statement, was a fifth of the intake's INSERT time)."""

    def __init__(self, model, with_pk: bool = False):
        meta = model._meta
        self.pk = meta.pk
        # `with_pk`: rows whose ids the caller took beforehand (`core.numbering.number_and_id`).
        self.fields = [f for f in meta.concrete_fields if (with_pk or f is not self.pk) and not f.generated]
        if any(f.has_db_default() for f in self.fields):
            raise ValueError(f"{meta.label} has db_default fields: use bulk_create")
        self.own_pre_save = [type(f).pre_save is not models.Field.pre_save for f in self.fields]
        self.plain = [_is_plain(f) for f in self.fields]
        # For `_rows`: every value read in one call, then the few that need their field.
        attnames = [f.attname for f in self.fields]
        self.values = attrgetter(*attnames) if len(attnames) > 1 else lambda obj: (getattr(obj, attnames[0]),)
        self.pre_saved = [
            (i, f) for i, (f, custom) in enumerate(zip(self.fields, self.own_pre_save, strict=True)) if custom
        ]
        self.plain_at = [i for i, plain in enumerate(self.plain) if plain]
        self.prepared_at = [
            (i, f) for i, (f, plain) in enumerate(zip(self.fields, self.plain, strict=True)) if not plain
        ]
        # SQLite: a plain DateTimeField's aware value written as Django writes it there, without its field.
        self.utc_texts_at = [i for i, f in self.prepared_at if _utc_text_column(f)]
        self.prepared_at = [(i, f) for i, f in self.prepared_at if i not in self.utc_texts_at]
        qn = connection.ops.quote_name
        self.head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) "
        self.returning = f" RETURNING {qn(self.pk.column)}"
        # PostgreSQL: one array per column (as Django's own bulk insert does there): a short statement
        # whatever the number of rows, which the driver parses once and keeps.
        self.array_types = [f"{f.db_type(connection).split('(')[0]}[]" for f in self.fields]
        arrays = ", ".join(f"(%s)::{t}" for t in self.array_types)
        self.unnest = f"{self.head}SELECT * FROM UNNEST({arrays})"
        self.one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"


_shapes: dict[tuple[str, type, bool], _Shape] = {}


def _shape(model, objs: list) -> _Shape:
    """The model's shape for these rows: with the primary key column when they carry their ids."""
    with_pk = getattr(objs[0], model._meta.pk.attname) is not None
    key = (connection.vendor, model, with_pk)
    shape = _shapes.get(key)
    if shape is None:
        shape = _shapes[key] = _Shape(model, with_pk)
    return shape


_NUMBERS = frozenset({int, Decimal, type(None)})


def _element(value) -> str | None:
    """One value as an element of PostgreSQL's array text (`{1,"a b",NULL}`), or None when its type is not
    handled here (`_text`; naive datetimes and times neither). Texts are quoted, with their backslashes and
    quotes escaped: read back exactly."""
    kind = type(value)
    if value is None:
        return "NULL"
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime.time or (kind is datetime.datetime and value.tzinfo is None):
        return None
    text = _text(value)
    if text is None or kind in (Decimal, datetime.date) or (isinstance(value, int) and not isinstance(value, str)):
        return text
    return _quoted(text)


def _quoted(text: str) -> str:
    """A text as a quoted element of PostgreSQL's array text, its backslashes and quotes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def array_params(columns) -> list:
    """PostgreSQL array parameters, one per column, each as the array's text (`{1,2.50,NULL}`,
    `{"a","b"}`), cast by the statement: psycopg dumps a list element by element in Python, looking up a
    dumper for each (a 1,000-line receipt's 25 number columns: ~22 ms against ~3 ms; a third of the
    intake's parameter dumping was its text and JSON columns). A column holding a value of another type
    (a naive datetime, a custom one) goes as a list."""
    params = []
    for column in columns:
        column = list(column)
        if all(type(v) in _NUMBERS for v in column):  # most columns: no call per value
            params.append("{" + ",".join(["NULL" if v is None else str(v) for v in column]) + "}")
            continue
        elements = [_element(v) for v in column]
        params.append(column if None in elements else "{" + ",".join(elements) + "}")
    return params


def _utc_text_column(field) -> bool:
    """Whether `field` is a plain DateTimeField on SQLite with time zones on and the connection in UTC, where
    Django writes an aware value as its UTC time's `str` (`adapt_datetimefield_value`): `_utc_text`
    does it at a fraction of the cost (through the field it was about a fortieth of a SQLite intake's CPU)."""
    return (
        connection.vendor == "sqlite"
        and settings.USE_TZ
        and type(field) is models.DateTimeField
        and connection.timezone is datetime.UTC
    )


def _utc_text(field, value, db):
    """What `field.get_db_prep_save(value, db)` gives on SQLite (see `_utc_text_column`)."""
    if type(value) is datetime.datetime and value.tzinfo is not None:
        return str(value.astimezone(datetime.UTC).replace(tzinfo=None))
    return field.get_db_prep_save(value, db)  # None, a naive datetime (warned about), an expression


def _rows(shape: _Shape, objs: list) -> list[list]:
    """Each object's values in the statement's column order, as the driver takes them: a field's own
    `pre_save` (an `auto_now` date) first, then its preparation unless it is a plain column holding a plain
    value (`_is_plain`). The values are read in one call: field by field, this loop was 5 % of an intake."""
    rows = []
    fields = shape.fields
    db = connections[DEFAULT_DB_ALIAS]  # `connection` itself, looked up once
    for obj in objs:
        row = list(shape.values(obj))
        for i, field in shape.pre_saved:
            row[i] = field.pre_save(obj, True)
        for i in shape.plain_at:
            if type(row[i]) not in _PLAIN_VALUES:
                row[i] = fields[i].get_db_prep_save(row[i], db)
        for i, field in shape.prepared_at:
            row[i] = field.get_db_prep_save(row[i], db)
        for i in shape.utc_texts_at:
            row[i] = _utc_text(fields[i], row[i], db)
        rows.append(row)
    return rows


def insert_instances(
    model,
    objs: list,
    *,
    unless: tuple[str, list] | None = None,
    ignore_conflicts: bool = False,
    and_update: tuple | None = None,
) -> list:
    """INSERT `objs` (new instances of `model`, pk unset, or set on every one) and set their primary keys;
    returns `objs`.

    `unless`: a SELECT and its parameters that the first statement checks as it inserts (`INSERT ...
    SELECT ... WHERE NOT EXISTS`): when it finds a row nothing is written and `[]` is returned, so a
    check that must see what committed while the caller waited for a lock costs no round trip of its
    own, and its refusal leaves the caller's transaction as it was (`inventory.services.reserve`).

    `ignore_conflicts` (one object only): nothing is written, and `[]` returned, when a unique constraint
    already holds the object's twin (`ON CONFLICT DO NOTHING`, SQLite's `INSERT OR IGNORE`); see
    `core.transactions.insert_unless_conflict`.

    `and_update`: `(model, objs, names)` as `update_columns` takes them, written with the rows, and only
    when they are: on PostgreSQL in the same statement (a data-modifying CTE; one round trip where there
    were two), elsewhere as `update_columns` after the INSERT (`inventory.services.reserve`: the
    reservations and their balances)."""
    if not objs:
        return objs
    if ignore_conflicts and (len(objs) != 1 or unless):
        raise ValueError("ignore_conflicts takes one object and no `unless`")
    if not connection.features.can_return_rows_from_bulk_insert:  # never the two engines this project runs on
        raise NotImplementedError("insert_instances needs INSERT ... RETURNING")
    shape = _shape(model, objs)
    rows = _rows(shape, objs)

    guard, guard_params = (f" WHERE NOT EXISTS ({unless[0]})", list(unless[1])) if unless else ("", [])
    ids = []
    # PostgreSQL: the statement's text is the same for any number of rows (arrays), so it is prepared.
    with prepared_cursor() as cursor:
        if connection.vendor == "postgresql":
            conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
            sql = f"{shape.unnest}{guard}{conflict}{shape.returning}"
            params = array_params(zip(*rows, strict=True)) + guard_params
            if and_update and and_update[1]:
                update_shape, update_params = _update_statement(*and_update)
                # Every CTE runs whether the query reads it or not; the UPDATE's rows only when rows went in.
                sql = (
                    f"WITH i AS ({sql}), u AS ({update_shape.unnest} AND EXISTS (SELECT FROM i)) "
                    f"SELECT {connection.ops.quote_name(shape.pk.column)} FROM i"
                )
                params += update_params
            cursor.execute(sql, params)
            ids = [r[0] for r in cursor.fetchall()]
            if (unless or ignore_conflicts) and not ids:
                return []
            and_update = None  # written
        else:
            ids = _insert_elsewhere(cursor, shape, rows, ignore_conflicts, unless, guard, guard_params)
            if (unless or ignore_conflicts) and not ids:
                return []
    _saved(shape, objs, ids)
    if and_update:
        update_columns(*and_update)
    return objs


def _saved(shape: _Shape, objs: list, ids: list) -> None:
    """The new rows' ids set on their instances, which are saved now."""
    attname = shape.pk.attname
    for obj, new_id in zip(objs, ids, strict=True):
        setattr(obj, attname, new_id)
        state = obj._state
        state.adding, state.db = False, DEFAULT_DB_ALIAS  # `connection`'s (each of its attributes is a lookup)


def _insert_elsewhere(cursor, shape: _Shape, rows: list, ignore: bool, unless, guard: str, guard_params: list) -> list:
    """SQLite: the rows in as few `INSERT ... VALUES ... RETURNING` as the backend's parameter limit allows;
    the new ids, or [] when `unless` found a row or `ignore` met a twin."""
    width = len(shape.fields)
    size = len(rows)
    limit = cursor.db.features.max_query_params
    if width == 1 or size * width + len(guard_params) > limit:  # else one statement: no need to ask the backend
        size = max(1, cursor.db.ops.bulk_batch_size(shape.fields, rows))
        if unless:  # the first statement carries the check's parameters too
            size = max(1, size - -(-len(guard_params) // width))
    ids = []
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        values = [v for row in batch for v in row]
        checked = bool(unless) and start == 0
        sql = _values_statement(shape, len(batch), ignore, guard if checked else "")
        if checked:
            values += guard_params
        cursor.execute(sql, values)
        ids += [r[0] for r in cursor.fetchall()]
        if (unless or ignore) and not ids:
            return []
    return ids


# SQLite's INSERT texts by shape, number of rows, conflict handling and check: the same string object every
# time, so the cursor's cache of their `?` form finds it by its cached hash.
_values_texts: dict[tuple, str] = {}


def _values_statement(shape: _Shape, n: int, ignore: bool, guard: str) -> str:
    key = (shape, n, ignore, guard)
    sql = _values_texts.get(key)
    if sql is None:
        many = ", ".join([shape.one] * n)
        sql = f"{shape.head}SELECT * FROM (VALUES {many}){guard}" if guard else f"{shape.head}VALUES {many}"
        sql += shape.returning
        if ignore:
            sql = sql.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)
        if len(_values_texts) < 1000:  # a 1,000-line document's batches are kept; odd sizes past that are not
            _values_texts[key] = sql
    return sql


def _as_texts(row: list) -> list | None:
    """A row's prepared values as PostgreSQL's text input for their columns (None stays NULL), or None when
    one of them is of a type not handled here (the row then goes as arrays)."""
    texts = []
    for value in row:
        text = None if value is None else _text(value)
        if text is None and value is not None:
            return None
        texts.append(text)
    return texts


def _text(value) -> str | None:
    """A prepared value (not None) as PostgreSQL's text input for its column, or None when its type is not
    handled here."""
    kind = type(value)
    if kind is str:
        return value
    if isinstance(value, str):  # a choices enum: its value
        return str.__str__(value)
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))  # psycopg's Int4 and the like print as "Int4(0)"
    if kind is Decimal:
        return str(value)
    if kind in (datetime.datetime, datetime.date, datetime.time):
        return value.isoformat()
    if kind in (uuid.UUID, ipaddress.IPv4Address, ipaddress.IPv6Address):
        return str(value)
    if isinstance(value, _json_wrappers()):
        return (value.dumps or json.dumps)(value.obj)  # Django's adapter, with the field's encoder
    return None


class Rider:
    """A read that `insert_together` runs in its own statement, after its groups' INSERTs (on PostgreSQL the
    last CTE, scanned last: one round trip fewer); `rows` holds its rows then (None before). `sql` reads none of the
    groups' tables' new rows, its text is the same for every call of one shape (it is part of the prepared
    statement's), and it returns columns of these database `types`. Elsewhere it is a statement of its own
    after them."""

    __slots__ = ("params", "rows", "sql", "types")

    def __init__(self, sql: str, params: list, types: tuple[str, ...]):
        self.sql, self.params, self.types = sql, params, types
        self.rows: list[tuple] | None = None


def insert_together(*groups: tuple, guarded: bool = False, rider: Rider | None = None) -> bool:
    """INSERT each group's `objs` (new instances of its model) and set their primary keys, as
    `insert_instances` does for each: on PostgreSQL in one statement (a data-modifying CTE per group, each
    group's ids returned in its rows' order), one round trip where there were as many as groups; elsewhere
    one `insert_instances` per group, in order. For the rows a state change writes together: a document
    with its lines, its timeline events, its audit records and its outbox events.

    A group is `(model, objs)` or `(model, objs, refs)`: `refs` maps a column of `model` (its attname, such
    as `event_id`) to an instance of an earlier group, whose new id every one of `objs` takes there (an
    outbox delivery and its event). `guarded`: the first group is one object, written unless a unique
    constraint already holds its twin (`ON CONFLICT DO NOTHING`, SQLite's `INSERT OR IGNORE`); then nothing
    else is written either and False is returned (an order whose channel id was taken), and `rider` is not
    run. True otherwise. `rider`: a read sent with them (`Rider`), such as a lock the caller takes next."""
    groups = tuple(g for g in groups if g[1])
    if not groups:
        if rider is not None:
            _ride_alone(rider)
        return True
    if guarded and len(groups[0][1]) != 1:
        raise ValueError("a guarded insert_together takes one object in its first group")
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        if not _together_elsewhere(groups, guarded):
            return False
        if rider is not None:
            _ride_alone(rider)
        return True
    if len(groups) < 2 and not guarded and rider is None:
        model, objs, *refs = groups[0]
        _take_parent_ids(objs, refs)
        insert_instances(model, objs)
        return True
    shapes, plan, values = [], [], []  # per group: its shape; what its text depends on; its rows
    for n, (model, objs, *refs) in enumerate(groups):
        shape = _shape(model, objs)
        shapes.append(shape)
        parents = {}  # attname: the earlier group whose new id it takes
        for attname, parent in (refs[0] if refs else {}).items():
            found = [k for k, group in enumerate(groups[:n]) if any(o is parent for o in group[1])]
            if not found or len(groups[found[0]][1]) != 1:
                raise ValueError(f"{attname} refers to no earlier group of one object")
            parents[attname] = found[0]
        rows = _rows(shape, objs)
        texts = _as_texts(rows[0]) if len(rows) == 1 else None
        plan.append((shape, texts is not None, tuple(sorted(parents.items()))))
        values.append((rows, texts))
    ride = (rider.sql, rider.types) if rider is not None else None
    key = (guarded, tuple(plan), ride)
    statement = _together.get(key)
    if statement is None:
        statement = _together[key] = _together_statement(guarded, plan, ride)
    sql, kept_of = statement
    params = []
    for (rows, texts), kept in zip(values, kept_of, strict=True):
        if texts is not None:
            # its array's text written here: psycopg dumps a list element by element
            params.append("{" + ",".join(["NULL" if texts[i] is None else _quoted(texts[i]) for i in kept]) + "}")
        elif kept is None:
            params += array_params(zip(*rows, strict=True))
        else:
            columns = list(zip(*rows, strict=True))
            params += array_params(columns[i] for i in kept)
    if rider is not None:
        params += rider.params
        rider.rows = []
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        ids = [[] for _group in groups]
        for n, new_id, *read in cursor.fetchall():
            if n < 0:
                rider.rows.append(tuple(read))
            else:
                ids[n].append(new_id)
    if guarded and not ids[0]:
        if rider is not None:
            rider.rows = None  # gated on the first group's row: not run
        return False
    for (_model, objs, *refs), shape, new_ids in zip(groups, shapes, ids, strict=True):
        _take_parent_ids(objs, refs)
        _saved(shape, objs, new_ids)
    return True


def _take_parent_ids(objs: list, refs: list) -> None:
    """A group's `refs` (its optional third item) applied: each referring column set to its parent's new id."""
    for attname, parent in (refs[0] if refs else {}).items():
        for obj in objs:
            setattr(obj, attname, parent.pk)


def _ride_alone(rider: Rider) -> None:
    with prepared_cursor() as cursor:
        cursor.execute(rider.sql, rider.params)
        rider.rows = cursor.fetchall()


def _together_elsewhere(groups: tuple, guarded: bool) -> bool:
    """SQLite's `insert_together`: each group's INSERT in turn (a statement costs no round trip there), on one
    cursor."""
    with prepared_cursor() as cursor:
        for n, (model, objs, *refs) in enumerate(groups):
            _take_parent_ids(objs, refs)
            shape = _shape(model, objs)
            first_guarded = guarded and n == 0
            ids = _insert_elsewhere(cursor, shape, _rows(shape, objs), first_guarded, None, "", [])
            if first_guarded and not ids:
                return False
            _saved(shape, objs, ids)
    return True


# insert_together's statements by what their text depends on (a group's shape, whether it goes as one text
# array, the earlier groups its columns take ids from): building the text was a tenth of its CPU per intake.
_together: dict[tuple, tuple[str, list]] = {}


def _together_statement(guarded: bool, plan: list, ride: tuple[str, tuple] | None) -> tuple[str, list]:
    """The statement for `insert_together`'s groups (and its rider's read, `ride`: its text and types), and
    for each group the columns its parameters hold (None: all, as arrays)."""
    qn = connection.ops.quote_name
    parts, selects, kept_of = [], [], []
    for n, (shape, as_text, refs) in enumerate(plan):
        # attname: the CTE's id column of the group it comes from
        parents = {attname: (f"g{k}", qn(plan[k][0].pk.column)) for attname, k in refs}
        if not as_text and not parents:
            body, kept = shape.unnest, None
        else:
            # The referring columns come from their parent's CTE; the others from the arrays, or for one row
            # from one text array (its values as PostgreSQL reads them in), cast each to its column's type:
            # one parameter where there were as many as columns, and psycopg keeps the statement's parsed
            # form only up to 50 parameters.
            kept, picks = [], []
            for i, field in enumerate(shape.fields):
                if field.attname in parents:
                    picks.append(".".join(parents[field.attname]))
                elif as_text:
                    picks.append(f"CAST(u.r[{len(kept) + 1}] AS {shape.array_types[i][:-2]})")
                    kept.append(i)
                else:
                    picks.append(f"u.c{i}")
                    kept.append(i)
            if as_text:
                source = "(SELECT CAST(%s AS text[]) AS r) AS u"
            else:
                arrays = ", ".join(f"(%s)::{shape.array_types[i]}" for i in kept)
                source = f"UNNEST({arrays}) AS u({', '.join(f'c{i}' for i in kept)})"
            sources = sorted({cte for cte, _pk in parents.values()})
            body = f"{shape.head}SELECT {', '.join(picks)} FROM {', '.join([source, *sources])}"
        if guarded and n and "g0" not in {cte for cte, _pk in parents.values()}:
            body += " WHERE EXISTS (SELECT FROM g0)"
        if guarded and not n:
            body += " ON CONFLICT DO NOTHING"
        parts.append(f"g{n} AS ({body}{shape.returning})")
        # the rider's columns NULL, typed in the first branch: UNION ALL resolves its types pair by pair
        nulls = ("".join(f", CAST(NULL AS {t})" for t in ride[1]) if not n else ", NULL" * len(ride[1])) if ride else ""
        selects.append(f"SELECT {n}, {qn(shape.pk.column)}{nulls} FROM g{n}")
        kept_of.append(kept)
    if ride is not None:
        # Scanned after every group's rows (UNION ALL reads its branches in turn; such a statement is never
        # run in parallel): the read, a lock say, comes after the INSERTs, as it would in a statement of its
        # own; and not at all when the guarded first group wrote nothing.
        parts.append(f"rider AS ({ride[0]})")
        gate = " WHERE EXISTS (SELECT FROM g0)" if guarded else ""
        selects.append(f"SELECT -1, NULL, rider.* FROM rider{gate}")
    return f"WITH {', '.join(parts)} {' UNION ALL '.join(selects)}", kept_of


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


def _update_shape(model, names) -> _UpdateShape:
    key = (connection.vendor, model, tuple(names))
    shape = _update_shapes.get(key)
    if shape is None:
        shape = _update_shapes[key] = _UpdateShape(model, key[2])
    return shape


def _update_statement(model, objs: list, names) -> tuple[_UpdateShape, list]:
    """PostgreSQL: the UPDATE's shape (its text in `unnest`) and its array parameters."""
    shape = _update_shape(model, names)
    return shape, array_params(zip(*_update_rows(shape, objs), strict=True))


def update_columns(model, objs: list, names) -> None:
    """UPDATE the columns `names` of saved `objs` of `model` to their instances' values, one statement
    (a batch on SQLite): `bulk_update`'s CASE per row and column cost 30% of a 1,000-line note's issue
    (and more than the rest of a 1,000-line posting). Each value goes through its field as in
    `insert_instances`; a value is written, not computed from the row (`F() + delta` would drift on
    SQLite, whose NUMERIC arithmetic is binary floating point)."""
    if not objs:
        return
    shape = _update_shape(model, names)
    if connection.vendor == "postgresql":
        # One text per model and columns: prepared once per connection.
        with prepared_cursor() as cursor:
            cursor.execute(shape.unnest, array_params(zip(*_update_rows(shape, objs), strict=True)))
        return
    rows = _update_rows(shape, objs)
    with connection.cursor() as cursor:
        size = max(1, connection.ops.bulk_batch_size(shape.all_fields, objs))
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                f"{shape.head}{', '.join([shape.one] * len(batch))}{shape.tail}", [v for row in batch for v in row]
            )


def _update_rows(shape: _UpdateShape, objs: list) -> list[list]:
    """Each object's primary key and new values, as the driver takes them."""
    rows = []
    for obj in objs:
        row = [obj.pk]
        for field, is_plain in zip(shape.fields, shape.plain, strict=True):
            value = getattr(obj, field.attname)
            if not (is_plain and type(value) in _PLAIN_VALUES):
                value = field.get_db_prep_save(value, connection)
            row.append(value)
        rows.append(row)
    return rows
