"""Keyset (cursor) pagination: pages cost the same at row 10 and at row 10,000,000."""

import base64
import json
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from retaguarda.core.errors import ValidationFailed

MAX_LIMIT = 200


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list):
            raise ValueError
        return values
    except ValueError as exc:
        raise ValidationFailed(
            _("Invalid pagination cursor."),
            details=[{"field": "cursor", "message": _("Invalid pagination cursor.")}],
        ) from exc


def _after(ordering: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after `values` in `ordering` (lexicographic, each field asc or desc)."""
    condition = Q()
    for i, spec in enumerate(ordering):
        name = spec.lstrip("-")
        op = "lt" if spec.startswith("-") else "gt"
        equal_prefix = Q(**{ordering[j].lstrip("-"): values[j] for j in range(i)})
        condition |= equal_prefix & Q(**{f"{name}__{op}": values[i]})
    return condition


def keyset_page(
    qs: QuerySet, *, cursor: str | None, limit: int = 50, ordering: tuple[str, ...] = ("-id",)
) -> tuple[list[Any], str | None]:
    """One page of `qs` ordered by `ordering` (whose last field must be unique), and the next cursor."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    qs = qs.order_by(*ordering)
    if cursor:
        values = _decode(cursor)
        if len(values) != len(ordering):
            raise ValidationFailed(_("Invalid pagination cursor."))
        qs = qs.filter(_after(ordering, values))
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode([_value(last, spec.lstrip("-")) for spec in ordering])
    return rows, next_cursor


def _value(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    return obj
