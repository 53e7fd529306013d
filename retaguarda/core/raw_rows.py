"""Hand-written statements on the hot path: their columns, their rows as model instances, built once.

A statement that runs on every request costs more CPU in Django's SQL compiler than in the database
(docs/request-cost.md). Such a statement is written by hand, its text built once per database vendor
(`per_vendor`), and its rows turned back into model instances the way the ORM does it (`Columns`),
so the code around it keeps working with models. User input goes only into parameters.
"""

from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections


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

    def __len__(self) -> int:
        return len(self.fields)

    def build(self, values):
        """One instance from this model's values of a row (a list, or a slice of a longer row)."""
        values = list(values)
        for i, found, col in self.converters:
            value = values[i]
            for convert in found:
                value = convert(value, col, connection)
            values[i] = value
        return self.model.from_db(connection.alias, self.attnames, values)


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
