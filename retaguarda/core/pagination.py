"""Keyset (cursor) pagination: pages cost the same at row 10 and at row 10,000,000."""

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from retaguarda.core.errors import ValidationFailed

MAX_LIMIT = 200
# A screen counts its rows up to here and says "more than" past it: the count's cost stays bounded
# however large a ledger grows (the kardex, the stock moves, an account's entries).
COUNT_CAP = 10_000


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


BACK = "p."  # a cursor for the page before; "." never occurs in the base64url alphabet


@dataclass
class Window:
    """One page of a list seen through a screen: its rows, the ways to both neighbours, the total."""

    rows: list[Any]
    next_cursor: str | None
    previous_cursor: str | None
    total: int | None = None
    more_than_total: bool = False  # the rows go past `total` (= COUNT_CAP), which was not counted further


def _reverse(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(spec[1:] if spec.startswith("-") else f"-{spec}" for spec in ordering)


def keyset_window(
    qs: QuerySet,
    *,
    cursor: str | None,
    limit: int = 50,
    ordering: tuple[str, ...] = ("-id",),
    count: bool = True,
) -> Window:
    """`keyset_page` with a way back: pages forward and backward, and (one more query) the total, counted
    up to `COUNT_CAP`.

    A cursor that cannot be read starts again at the first page: a screen has no use for the error.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    window = _window(qs, cursor=cursor, limit=limit, ordering=ordering)
    if count:
        window.total, window.more_than_total = capped_count(qs)
    return window


def capped_count(qs: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """The rows of `qs` counted up to `cap` (`COUNT_CAP`), and whether there are more. A screen that reads its
    rows with `values()` across joins counts its plain queryset instead (`keyset_window(count=False)`):
    counted through `values()`, every row counted would be joined."""
    cap = COUNT_CAP if cap is None else cap
    counted = qs.order_by()[: cap + 1].count()
    return min(counted, cap), counted > cap


def window_position(cursor: str | None, fields: int) -> tuple[list[Any] | None, bool]:
    """Where a screen's cursor points: its values (None without a cursor, or with one that cannot be read
    or has not `fields` values: the first page) and whether the page is the one before them."""
    if not cursor:
        return None, False
    try:
        values = _decode(cursor.removeprefix(BACK))
    except ValidationFailed:
        return None, False
    if len(values) != fields:
        return None, False
    return values, cursor.startswith(BACK)


def cursor_of(values: list[Any], *, back: bool = False) -> str:
    """The cursor of a page that starts after `values` (before them with `back`)."""
    return (BACK if back else "") + _encode(values)


def _window(qs: QuerySet, *, cursor: str | None, limit: int, ordering: tuple[str, ...]) -> Window:
    values, backwards = window_position(cursor, len(ordering))
    if values is None:
        rows, next_cursor = keyset_page(qs, cursor=None, limit=limit, ordering=ordering)
        return Window(rows, next_cursor, None)
    key = lambda row: _encode([_value(row, spec.lstrip("-")) for spec in ordering])  # noqa: E731
    if backwards:
        reverse = _reverse(ordering)
        rows = list(qs.order_by(*reverse).filter(_after(reverse, values))[: limit + 1])
        more_before = len(rows) > limit
        rows = list(reversed(rows[:limit]))
        if not rows:
            rows, next_cursor = keyset_page(qs, cursor=None, limit=limit, ordering=ordering)
            return Window(rows, next_cursor, None)
        return Window(rows, key(rows[-1]), BACK + key(rows[0]) if more_before else None)
    rows = list(qs.order_by(*ordering).filter(_after(ordering, values))[: limit + 1])
    more_after = len(rows) > limit
    rows = rows[:limit]
    next_cursor = key(rows[-1]) if more_after else None
    previous_cursor = BACK + key(rows[0]) if rows else None
    return Window(rows, next_cursor, previous_cursor)


def requested_limit(request, default: int = 50, sizes: tuple[int, ...] | None = None) -> int:
    """The page size a list page was asked for (`?limit=`), within 1..MAX_LIMIT, or one of `sizes` when the
    page offers a choice; anything else is `default`."""
    value = request.GET.get("limit", "")
    if not value.isdigit():
        return default
    if sizes:
        return int(value) if int(value) in sizes else default
    return max(1, min(int(value), MAX_LIMIT))


def query_without_cursor(request) -> str:
    """The list's filters as a query string, for the pager's links to add their cursor to."""
    params = request.GET.copy()
    params.pop("cursor", None)
    return params.urlencode()


def screen_page(
    request,
    qs: QuerySet,
    *,
    ordering: tuple[str, ...] = ("-id",),
    limit: int | None = None,
    default_limit: int = 50,
) -> dict:
    """The context every list page shares (`web/partials/pager.html` reads it): `rows`, the `window`
    (total, previous and next) and the filters to keep in the pager's links (`query`).
    Two queries: the page and the count."""
    if limit is None:
        limit = requested_limit(request, default_limit)
    window = keyset_window(qs, cursor=request.GET.get("cursor"), limit=limit, ordering=ordering)
    return {"rows": window.rows, "window": window, "query": query_without_cursor(request)}
