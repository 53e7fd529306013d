"""Django's SQLite backend, with each transaction taking its turn in the write queue before BEGIN.

Every `atomic()` block on SQLite begins with `BEGIN IMMEDIATE` (settings), so every transaction is a
writer; reads outside transactions never queue (WAL lets them run beside the writer).
"""

from functools import lru_cache

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

    def _start_transaction_under_autocommit(self):
        queue = None if self.is_in_memory_db() else queue_for(self.settings_dict["NAME"])
        if queue is not None and queue.acquire(self.queue_timeout):
            self._queue = queue
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _leave_queue(self):
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
        try:
            return super()._close()
        finally:
            self._leave_queue()
