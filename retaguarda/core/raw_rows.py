"""Hand-written statements on the hot path: their columns, their rows as model instances, built once.

A statement that runs on every request costs more CPU in Django's SQL compiler than in the database
(docs/request-cost.md). Such a statement is written by hand, its text built once per database vendor
(`per_vendor`), and its rows turned back into model instances the way the ORM does it (`Columns`),
so the code around it keeps working with models. User input goes only into parameters.
"""

from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import connection


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


@contextmanager
def prepared_cursor():
    """A cursor for a statement sent on every request. On PostgreSQL it binds its parameters on the
    server, so the connection keeps the statement parsed and planned after its first runs (psycopg's
    `prepare_threshold`, in settings): the token identity's SELECT cost the server more to plan
    (0.6-0.8 ms) than to run. Django's own cursors bind on the client and never prepare. Queries
    through it are logged and their errors wrapped as through `connection.cursor()`."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
        # The time zone Django's own cursors read timestamps in (`create_cursor`).
        loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, raw)
        cursor = connection._prepare_cursor(raw)
    with cursor:
        yield cursor
