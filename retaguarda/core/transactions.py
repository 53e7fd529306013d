"""Transactions at their cost: joining a caller's transaction without a savepoint, inserting without one.

A savepoint is two round trips (SAVEPOINT, RELEASE) and, under load, two waits for the database. It
is worth them only where something can fail after a write and a caller may carry on: see
docs/request-cost.md.
"""

from contextlib import contextmanager

from django.db import models, transaction

from retaguarda.core.bulk_insert import insert_instances


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
    end, as a plain INSERT would. Written by hand (`core.bulk_insert`): Django's compiler cost the intake
    more CPU than the database spent on the row."""
    return bool(insert_instances(type(obj), [obj], ignore_conflicts=True))
