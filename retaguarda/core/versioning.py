"""Optimistic locking for edits: the caller names the version it read."""

from django.db import models

from retaguarda.core.errors import NotFound, StaleVersion


def lock_for_edit(queryset: models.QuerySet, pk, expected_version: int | None):
    """Lock row `pk`; refuse with StaleVersion when someone saved since `expected_version` was read."""
    try:
        obj = queryset.select_for_update().get(pk=pk)
    except queryset.model.DoesNotExist as exc:
        raise NotFound() from exc
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersion(details=[{"field": "version", "expected": expected_version, "current": obj.version}])
    return obj
