"""Optimistic locking for edits: the caller names the version it read."""

from django.db import models

from retaguarda.core.errors import NotFound, StaleVersion


def lock_for_edit(queryset: models.QuerySet, pk, expected_version: int | None):
    """Lock row `pk`; refuse with StaleVersion when someone saved since `expected_version` was read.

    The lock is PostgreSQL's FOR NO KEY UPDATE, the one its own UPDATE of non-key columns takes: two edits
    still wait for each other, but a row written meanwhile that refers to this one (its foreign key checked
    FOR KEY SHARE) does not wait for the edit, and a writer holding other locks (an intake's balances) cannot
    deadlock with an edit that goes on to update them. An edit never changes a primary key."""
    try:
        obj = queryset.select_for_update(no_key=True).get(pk=pk)
    except queryset.model.DoesNotExist as exc:
        raise NotFound() from exc
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersion(details=[{"field": "version", "expected": expected_version, "current": obj.version}])
    return obj
