"""Hand-written statements on the hot path: their columns, their rows as model instances, built once.

A statement that runs on every request costs more CPU in Django's SQL compiler than in the database
(docs/request-cost.md). Such a statement is written by hand, its text built once per database vendor
(`per_vendor`), and its rows turned back into model instances the way the ORM does it (`Columns`),
so the code around it keeps working with models. User input goes only into parameters.
"""

import inspect
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init


class Columns:
    """Some (or all) of a model's columns in a hand-written SELECT, read back through the backend's
    converters (SQLite's dates, booleans and decimals, PostgreSQL's time zones) into instances.
    `fields` are attnames (`company_id`); the SELECT lists them in the model's order (`attnames`)."""

    def __init__(self, model, alias: str, fields: Iterable[str] | None = None):
        qn = connection.ops.quote_name
        meta = model._meta
        self.model = model
        if fields is None:
            self.fields = list(meta.concrete_fields)
        else:
            # In the model's order, whatever the caller's: `from_db` given some of the fields takes the
            # values in that order. The primary key always comes, first.
            wanted = {meta.pk.attname, *fields} - {"pk"}
            self.fields = [f for f in meta.concrete_fields if f.attname in wanted]
            unknown = wanted - {f.attname for f in self.fields}
            if unknown:
                raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
        self.attnames = [f.attname for f in self.fields]
        self.sql = ", ".join(f"{alias}.{qn(f.column)}" for f in self.fields)
        self.converters = []
        for i, field in enumerate(self.fields):
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self.converters.append((i, found, col))
        self.direct = _built_directly(model)

    def __len__(self) -> int:
        return len(self.fields)

    def values(self, values) -> list:
        """This model's values of a row (a list, or a slice of a longer row) as the ORM reads them."""
        values = list(values)
        for i, found, col in self.converters:
            value = values[i]
            for convert in found:
                value = convert(value, col, connection)
            values[i] = value
        return values

    def build(self, values):
        """One instance from this model's values of a row (a list, or a slice of a longer row)."""
        values = self.values(values)
        if not self.direct:
            return self.model.from_db(connection.alias, self.attnames, values)
        # What `Model.__init__` does for these values, without its loop over every field (a column not read
        # stays deferred, as with `from_db`): building the identity's user and company, the products, the
        # locations and the balances was a tenth of a reservation's CPU.
        obj = object.__new__(self.model)
        state = obj._state = ModelState()
        state.adding, state.db = False, DEFAULT_DB_ALIAS  # `connection`'s, without its thread-local lookup
        obj.__dict__.update(zip(self.attnames, values, strict=True))
        return obj


def _built_directly(model) -> bool:
    """Whether an instance of `model` can be built by filling its `__dict__`: the model keeps Django's
    `__init__` and `from_db`, every column's attribute is Django's plain one (no custom field's descriptor
    converting what it is given) and nothing listens to `pre_init` or `post_init` (an ImageField's
    dimensions, for one)."""
    plain = (DeferredAttribute, ForeignKeyDeferredAttribute)
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:
        return False  # the model builds its instances its own way
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return False
    return all(type(inspect.getattr_static(model, f.attname, None)) in plain for f in model._meta.concrete_fields)


class _Unsaved:
    """What `unsaved` needs of a model, worked out once."""

    def __init__(self, model):
        meta = model._meta
        self.direct = _built_directly(model)
        # (name, attname, whether given by its related object, its default) of each column Django's
        # `__init__` sets
        self.fields = [
            (f.name, f.attname, f.is_relation, f.get_default) for f in meta.concrete_fields if not f.generated
        ]
        self.names = {f.name for f in meta.concrete_fields} | {f.attname for f in meta.concrete_fields}


_unsaved: dict[type, _Unsaved] = {}


def unsaved(model, **values):
    """A new, unsaved instance of `model`, equal to `model(**values)`: each column's value from `values`
    (a foreign key by its object or its id) or its default. For rows a service builds by the dozen on every
    request (an order's lines, its reservations, timeline events, audit records): `Model.__init__`'s loop
    over every field, its keyword handling and signals cost 30-50 us an instance, a tenth of an intake's
    CPU. A model that `_built_directly` refuses, or a keyword that is not a column, goes through
    `model(**values)`."""
    plan = _unsaved.get(model)
    if plan is None:
        plan = _unsaved[model] = _Unsaved(model)
    if not plan.direct or not values.keys() <= plan.names:
        return model(**values)
    obj = object.__new__(model)
    obj._state = ModelState()
    fill = obj.__dict__
    related = []
    for name, attname, by_object, default in plan.fields:
        if by_object and name in values:
            if attname in values:
                return model(**values)  # both the object and its id: as Django would make of it
            related.append((name, values[name]))
        else:
            fill[attname] = values[attname] if attname in values else default()
    for name, rel in related:  # through the field's descriptor, as `__init__` does: its id and its cache
        setattr(obj, name, rel)
    return obj


def per_vendor[T](build: Callable[[], T]) -> Callable[[], T]:
    """`build()` run once per database vendor (its statements quote names and cast the vendor's way)."""
    built: dict[str, T] = {}

    def get() -> T:
        found = built.get(connection.vendor)
        if found is None:
            found = built[connection.vendor] = build()
        return found

    return get


def marks(n: int) -> str:
    """`%s, %s, ...`: the placeholders of an IN list or a row of n values."""
    return ", ".join(["%s"] * n)


def ids_in(column: str, ids) -> tuple[str, list]:
    """`column` among `ids` (integers): the condition and its parameters. On PostgreSQL one array parameter
    (`column = ANY(CAST(%s AS bigint[]))`, its text built by `str.join`), so the statement's text is the same
    for any number of ids and `prepared_cursor` keeps it planned; elsewhere an IN list."""
    ids = [int(i) for i in ids]  # the array's text is written here: integers only
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return f"{column} = ANY(CAST(%s AS bigint[]))", ["{" + ",".join(map(str, ids)) + "}"]
    return f"{column} IN ({marks(len(ids))})", ids


_server_binding = None


def _server_binding_parts():
    """What a server-binding cursor needs of Django's PostgreSQL backend, imported once (not at start: an
    install on SQLite never loads psycopg)."""
    global _server_binding
    if _server_binding is None:
        from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
        from django.db.backends.postgresql.psycopg_any import register_tzloader
        from psycopg.pq import Format

        _server_binding = (ServerBindingCursor, TIMESTAMPTZ_OID, Format.TEXT, register_tzloader)
    return _server_binding


@contextmanager
def prepared_cursor():
    """A cursor for a statement sent on every request. On PostgreSQL it binds its parameters on the
    server, so the connection keeps the statement parsed and planned after its first runs (psycopg's
    `prepare_threshold`, in settings): the token identity's SELECT cost the server more to plan
    (0.6-0.8 ms) than to run. Django's own cursors bind on the client and never prepare. Queries
    through it are logged and their errors wrapped as through `connection.cursor()`."""
    # The thread's connection looked up once: each attribute of the `connection` proxy is a lookup.
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        with conn.cursor() as cursor:
            yield cursor
        return
    cursor_class, timestamptz, text_format, register_tzloader = _server_binding_parts()
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    with conn.wrap_database_errors:
        psycopg_connection = conn.connection
        raw = cursor_class(psycopg_connection)
        # The time zone Django's own cursors read timestamps in (`create_cursor`).
        if conn.timezone != psycopg_connection.adapters.get_loader(timestamptz, text_format).timezone:
            register_tzloader(conn.timezone, raw)
        cursor = conn._prepare_cursor(raw)
    with cursor:
        yield cursor


def first_read(sql: str, params) -> list:
    """The rows of a read sent as a request's first statement (`access.token_identity`), through
    `prepared_cursor`, which serves as the connection's health check: with `CONN_HEALTH_CHECKS` Django
    otherwise sends a `SELECT 1` of its own first, one more round trip on every request. A connection
    found dead is closed, as the check would have done, and the read sent once more on a new one (a read
    outside any transaction: nothing to undo)."""
    conn = connections[DEFAULT_DB_ALIAS]
    checking = (
        conn.connection is not None
        and conn.health_check_enabled
        and not conn.health_check_done
        and not conn.in_atomic_block
    )
    if checking:
        conn.health_check_done = True
    try:
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    except (OperationalError, InterfaceError):
        if not checking or conn.is_usable():
            raise  # not a dead connection: the read's own error
        conn.close()
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
