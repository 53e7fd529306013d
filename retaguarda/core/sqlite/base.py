"""Django's SQLite backend, with each transaction taking its turn in the write queue before BEGIN.

Every `atomic()` block on SQLite begins with `BEGIN IMMEDIATE` (settings), so every transaction is a
writer; reads outside transactions never queue (WAL lets them run beside the writer).
"""

from contextlib import suppress
from functools import lru_cache

from django.db.backends.signals import connection_created
from django.db.backends.sqlite3 import base

from retaguarda.core.sqlite.writers import queue_for

CACHED_TEXT = 4096  # longer statements (a 1,000-line INSERT) are converted each time, not kept


@lru_cache(maxsize=512)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class CursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, keeping each statement's `?` form: converting `%s` with a regular expression on
    every execution was a twentieth of an intake's CPU on SQLite (most statements repeat their text)."""

    def convert_query(self, query, *, param_names=None):
        if param_names is None and len(query) <= CACHED_TEXT:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    _queue = None  # the write queue whose turn this connection holds, if any
    queue_timeout = 5.0  # seconds a writer waits for its turn: the busy timeout, once connected

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)

    def get_connection_params(self):
        params = super().get_connection_params()
        self.queue_timeout = float(params.get("timeout", 5))
        return params

    _own = None  # this thread's raw connection, while the process's write connection stands in for it
    _checks_off = False  # foreign keys turned off on the thread's own connection (a schema change, loaddata)

    def disable_constraint_checking(self):
        self._checks_off = super().disable_constraint_checking()
        return self._checks_off

    def enable_constraint_checking(self):
        super().enable_constraint_checking()
        self._checks_off = False

    def _start_transaction_under_autocommit(self):
        queue = None if self.is_in_memory_db() else queue_for(self.settings_dict["NAME"])
        if queue is not None and queue.acquire(self.queue_timeout):
            self._queue = queue
            # Every write transaction of the process runs on one raw connection, handed over with the turn:
            # SQLite drops a connection's page cache whole once another connection has written, and with a
            # connection per thread each transaction read its pages again (a 5-line confirmed intake: 3.6 ms
            # of CPU on one thread, 4.4 on eight threads, 3.7 on eight sharing one connection).
            if not self._checks_off:  # a schema change turned them off on its own connection: it stays there
                self._own, self.connection = self.connection, self._writer(queue)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _writer(self, queue):
        """The process's write connection to this database (kept by its queue, made on first use) with what
        every connection of ours gets: Django's functions and pragmas, then whatever `connection_created`'s
        receivers add (the exact decimals, the ledger gate), sent as Django's `connect()` sends it."""
        writer = queue.writer
        if writer is None:
            writer = self.get_new_connection(self.get_connection_params())
            writer.isolation_level = None  # autocommit, as Django keeps it: BEGIN is sent explicitly
            own, self.connection = self.connection, writer
            gate = getattr(self, "ledger_purge_open", False)  # the gate's receiver closes it: as it was
            try:
                connection_created.send(sender=self.__class__, connection=self)
            finally:
                self.connection, self.ledger_purge_open = own, gate
            queue.writer = writer
        return writer

    def _return_writer(self):
        """Back to the thread's own connection. The write connection is kept for the next turn only with no
        transaction left open on it (a failed COMMIT or ROLLBACK, a close in the middle): else it is closed and
        the next turn makes another."""
        if self._own is None:
            return
        writer, self.connection, self._own = self.connection, self._own, None
        if writer.in_transaction:
            with suppress(base.Database.Error):
                writer.rollback()
        if writer.in_transaction and self._queue is not None and self._queue.writer is writer:
            self._queue.writer = None
            with suppress(base.Database.Error):
                writer.close()

    def _leave_queue(self):
        self._return_writer()
        queue, self._queue = self._queue, None
        if queue is not None:
            queue.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_queue()

    def _close(self):
        self._return_writer()  # the thread's own connection is the one closed
        try:
            return super()._close()
        finally:
            self._leave_queue()
