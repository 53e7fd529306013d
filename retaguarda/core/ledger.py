"""Append-only ledger tables: the database itself refuses UPDATE and DELETE.

Use in a migration: `AppendOnly("inventory_stockmove")`. SQLite and PostgreSQL each get their own
trigger. It can be applied again (SQLite drops a table's triggers when a migration rebuilds it). The only way round it is `retaguarda flush` (tests and demo resets), which opens the
purge gate on its own connection for the duration of the flush.

On SQLite the gate is a SQL function registered on each of our connections
(`retaguarda_purge_open()`); any other client lacks it, so its DELETE fails too.
"""

from django.db import connection
from django.db.migrations.operations.base import Operation

PURGE_FUNCTION = "retaguarda_purge_open"

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION retaguarda_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'ledger table ' || TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;
"""


def _sqlite_sql(table: str) -> list[str]:
    # DELETE is let through only while this connection's purge gate is open.
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, 'ledger table {table} is append-only: UPDATE refused'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
            WHEN NOT {PURGE_FUNCTION}()
            BEGIN SELECT RAISE(ABORT, 'ledger table {table} is append-only: DELETE refused'); END""",
    ]


def _postgres_sql(table: str) -> list[str]:
    # TRUNCATE (used by flush) does not fire row triggers, so no gate is needed there.
    return [
        _PG_FUNCTION,
        f"""CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION retaguarda_append_only()""",
    ]


class AppendOnly(Operation):
    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str):
        self.table = table

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        statements = {"sqlite": _sqlite_sql, "postgresql": _postgres_sql}[vendor](self.table)
        for sql in statements:
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.table}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.table}_no_delete")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.table}_append_only ON {self.table}")

    def describe(self):
        return f"Make {self.table} append-only"

    def deconstruct(self):
        return self.__class__.__name__, [self.table], {}


def register_sqlite_gate(sender, connection, **kwargs):
    """`connection_created` receiver: give each SQLite connection its purge-gate function."""
    if connection.vendor != "sqlite":
        return
    from django.db import connections

    connection.ledger_purge_open = False
    alias = connection.alias
    # The thread's own wrapper, read at each call: a raw connection may serve several (the SQLite writer).
    connection.connection.create_function(
        PURGE_FUNCTION, 0, lambda: int(getattr(connections[alias], "ledger_purge_open", False))
    )


class purge_gate:
    """Context manager that lets `flush` empty ledger tables on SQLite."""

    def __init__(self, conn=connection):
        self.conn = conn

    def __enter__(self):
        self.conn.ensure_connection()
        self.conn.ledger_purge_open = True
        return self

    def __exit__(self, *exc):
        self.conn.ledger_purge_open = False
        return False
