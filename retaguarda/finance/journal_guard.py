"""The database's own guard on the journal: an entry's header is refused unless its lines, written
before it, balance (Σ debits = Σ credits, at least two lines); a line for a header already written is
refused. Together with the lines' foreign key, which both engines check at commit, an unbalanced or
headless entry can never be committed, whatever code writes it.

Use in a migration: `JournalGuard()`. SQLite compares the float sum rounded to centavos, which is
exact for any sum of two-place amounts far below 10^12 (the error is many orders under half a centavo).
"""

from django.db.migrations.operations.base import Operation

ENTRY = "finance_journalentry"
LINE = "finance_journalline"

_SQLITE = [
    f"""CREATE TRIGGER {ENTRY}_balanced BEFORE INSERT ON {ENTRY}
        WHEN (SELECT COUNT(*) FROM {LINE} WHERE entry_id = NEW.id) < 2
          OR (SELECT ROUND(SUM(amount), 2) FROM {LINE} WHERE entry_id = NEW.id) <> 0
        BEGIN SELECT RAISE(ABORT, 'journal entry refused: its lines do not balance'); END""",
    f"""CREATE TRIGGER {LINE}_before_header BEFORE INSERT ON {LINE}
        WHEN EXISTS (SELECT 1 FROM {ENTRY} WHERE id = NEW.entry_id)
        BEGIN SELECT RAISE(ABORT, 'journal line refused: its entry is already posted'); END""",
]

_POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION {ENTRY}_balanced() RETURNS trigger AS $$
    DECLARE n integer; total numeric;
    BEGIN
        SELECT COUNT(*), COALESCE(SUM(amount), 0) INTO n, total FROM {LINE} WHERE entry_id = NEW.id;
        IF n < 2 OR total <> 0 THEN
            RAISE EXCEPTION USING
                MESSAGE = 'journal entry refused: its lines do not balance (' || n || ' lines, sum ' || total || ')',
                ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {ENTRY}_balanced BEFORE INSERT ON {ENTRY}
        FOR EACH ROW EXECUTE FUNCTION {ENTRY}_balanced()""",
    f"""CREATE OR REPLACE FUNCTION {LINE}_before_header() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM {ENTRY} WHERE id = NEW.entry_id) THEN
            RAISE EXCEPTION USING MESSAGE = 'journal line refused: its entry is already posted',
                ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {LINE}_before_header BEFORE INSERT ON {LINE}
        FOR EACH ROW EXECUTE FUNCTION {LINE}_before_header()""",
]


class JournalGuard(Operation):
    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        statements = _SQLITE if schema_editor.connection.vendor == "sqlite" else _POSTGRES
        for sql in statements:
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {ENTRY}_balanced")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {LINE}_before_header")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {ENTRY}_balanced ON {ENTRY}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {LINE}_before_header ON {LINE}")

    def describe(self):
        return "Refuse unbalanced journal entries"

    def deconstruct(self):
        return self.__class__.__name__, [], {}
