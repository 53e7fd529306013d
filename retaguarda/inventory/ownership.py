"""Who may reserve, release and consume the stock held for each source type.

An app registers the source types it owns, once, from its `AppConfig.ready`:

    from retaguarda.inventory.ownership import register_source_types
    register_source_types("sales", "sales.order")

From then on inventory's `reserve`, `release` and `consume` refuse those source types unless the caller
passes `owner="sales"`, which only the sales services do: a sales order's hold is released by cancelling
the order, never behind its back. `manual.*` belongs to no app: it is the namespace of the public
reservation API (an integration or a clerk holding stock by hand), the only one that API accepts.
"""

import re

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from retaguarda.core.errors import ValidationFailed
from retaguarda.inventory.errors import ReservationOwned

PUBLIC_PREFIX = "manual."
PUBLIC_PATTERN = r"^manual\.[a-z0-9_.-]{1,53}$"
_PUBLIC = re.compile(PUBLIC_PATTERN)
_OWNERS: dict[str, str] = {}


def register_source_types(app_label: str, *source_types: str) -> None:
    for source_type in source_types:
        if source_type.startswith(PUBLIC_PREFIX):
            raise ImproperlyConfigured(f"{source_type}: {PUBLIC_PREFIX}* is public and belongs to no app")
        if _OWNERS.setdefault(source_type, app_label) != app_label:
            raise ImproperlyConfigured(f"{source_type} is already owned by {_OWNERS[source_type]}")


def owner_of(source_type: str) -> str | None:
    return _OWNERS.get(source_type)


def check_owner(source_types, owner: str | None) -> None:
    """Refuse when a source type registered to an app is touched by anyone but that app."""
    for source_type in sorted(set(source_types)):
        app = _OWNERS.get(source_type)
        if app is not None and app != owner:
            raise ReservationOwned(source_type, app)


def check_public_hold(source_type: str) -> None:
    """An existing reservation the public API may release: only a `manual.*` one."""
    if not source_type.startswith(PUBLIC_PREFIX):
        raise ReservationOwned(source_type, _OWNERS.get(source_type) or source_type.split(".")[0])


def check_public(source_type: str, field: str = "source_type") -> None:
    """The public reservation API speaks only `manual.*`."""
    if not _PUBLIC.fullmatch(source_type or ""):
        raise ValidationFailed(
            details=[
                {
                    "field": field,
                    "message": _(
                        "Use a source type starting with manual. (lower-case letters, digits, _ . -), "
                        "e.g. manual.order; other apps' reservations are managed by their own documents."
                    ),
                }
            ]
        )
