"""Transactions at their cost: joining a caller's transaction without a savepoint, inserting without one.

A savepoint is two round trips (SAVEPOINT, RELEASE) and, under load, two waits for the database. It
is worth them only where something can fail after a write and a caller may carry on: see
docs/request-cost.md.
"""

from contextlib import contextmanager

from django.db import models, transaction
from django.db.models.constants import OnConflict


@contextmanager
def joined():
    """The caller's transaction when there is one (no savepoint), else a transaction of its own.

    For services that read, lock and check before they write: a refusal raised before the first write
    leaves the caller's transaction as it was, so the caller may still catch it and carry on. Put the
    writes in `transaction.atomic(savepoint=False)`: should one fail, the caller's transaction is then
    marked to roll back rather than commit half of them."""
    if transaction.get_connection().in_atomic_block:
        yield
    else:
        with transaction.atomic():
            yield


def insert_unless_conflict(obj: models.Model) -> bool:
    """INSERT `obj`, or nothing when a unique constraint already holds its twin; True when inserted.

    One statement (PostgreSQL's `ON CONFLICT DO NOTHING`, SQLite's `INSERT OR IGNORE`, both with
    `RETURNING`), which neither raises nor spoils the transaction, where an INSERT that may fail needs
    a savepoint around it. A concurrent transaction inserting the same key makes this one wait for its
    end, as a plain INSERT would."""
    meta = obj._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    rows = type(obj)._base_manager._insert(
        [obj], fields=fields, returning_fields=[meta.pk], on_conflict=OnConflict.IGNORE
    )
    if not rows:
        return False
    obj.pk = rows[0][0]
    obj._state.adding = False
    obj._state.db = transaction.get_connection().alias
    return True
