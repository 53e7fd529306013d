"""Django's database sessions, with the read every page starts with written by hand (docs/request-cost.md).

The session is a page's first statement: read through `core.raw_rows.first_read`, it is prepared on
PostgreSQL and serves as the connection's health check (Django's `SELECT 1` round trip is not sent), and
it costs no SQL compiling (the ORM's `get` was a fifth of an empty page's CPU). Writing, expiring and
deleting sessions stay Django's.
"""

from django.contrib.sessions.backends import db
from django.utils import timezone

from retaguarda.core.raw_rows import Columns, first_read, per_vendor


class _SessionRead:
    def __init__(self):
        from django.contrib.sessions.models import Session

        self.columns = Columns(Session, "s", ("session_data", "expire_date"))
        self.text = (
            f"SELECT {self.columns.sql} FROM {Session._meta.db_table} s WHERE s.session_key = %s AND s.expire_date > %s"
        )


_session_read = per_vendor(_SessionRead)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        st = _session_read()
        rows = first_read(st.text, [self.session_key, timezone.now()])
        if not rows:
            self._session_key = None  # what Django's store does with a session gone or expired
            return None
        return st.columns.build(rows[0])
