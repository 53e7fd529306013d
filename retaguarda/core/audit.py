"""Audit records, written by services: who, when, what changed field by field, from where."""

import datetime
import decimal
import uuid
from typing import Any

from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import pgettext_lazy

from retaguarda.core.actor import Actor
from retaguarda.core.models import AuditRecord
from retaguarda.core.raw_rows import unsaved

# How the audit log names the usual actions; an app's own verb shows as written.
# (with a context: "created" is also a field label elsewhere, translated differently)
ACTION_LABELS = {
    "created": pgettext_lazy("audit action", "created"),
    "updated": pgettext_lazy("audit action", "updated"),
    "deactivated": pgettext_lazy("audit action", "deactivated"),
    "reactivated": pgettext_lazy("audit action", "reactivated"),
    "deleted": pgettext_lazy("audit action", "deleted"),
    "revoked": pgettext_lazy("audit action", "revoked"),
    "password_changed": pgettext_lazy("audit action", "password changed"),
    "imported": pgettext_lazy("audit action", "imported"),
    "posted": pgettext_lazy("audit action", "posted"),
    "cancelled": pgettext_lazy("audit action", "cancelled"),
    "confirmed": pgettext_lazy("audit action", "confirmed"),
    "shipped": pgettext_lazy("audit action", "shipped"),
    "received": pgettext_lazy("audit action", "received"),
    "components_set": pgettext_lazy("audit action", "kit components set"),
    "retried": pgettext_lazy("audit action", "retried"),
}
# Bookkeeping fields that say nothing to a reader of the log.
_QUIET_FIELDS = {"id", "version", "created_at", "updated_at"}


def register_action_labels(labels: dict[str, str]) -> None:
    """Apps name their own verbs (`address_added`, ...) for the audit log, from `AppConfig.ready`."""
    for action, label in labels.items():
        ACTION_LABELS.setdefault(action, label)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _plain(value: Any) -> Any:
    """A JSON-safe rendering that keeps Decimals exact (as strings)."""
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj`, for diffing before and after a change."""
    names = fields or [f.attname for f in obj._meta.concrete_fields if f.attname not in ("updated_at", "created_at")]
    secret = {f.attname for f in obj._meta.concrete_fields if getattr(f, "secret", False)}
    return {name: _secret_mark(getattr(obj, name)) if name in secret else _plain(getattr(obj, name)) for name in names}


def _secret_mark(value: Any) -> str | None:
    """An encrypted field's value never reaches the log: a keyed fingerprint still shows that it changed."""
    if value in (None, "", b""):
        return value or None
    data = value if isinstance(value, bytes) else str(value).encode()
    return "[secret " + salted_hmac("retaguarda.audit.secret", data, algorithm="sha256").hexdigest()[:10] + "]"


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """`{field: [old, new]}` for every field whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def object_type(obj: models.Model) -> str:
    return obj._meta.label_lower


def record(
    actor: Actor,
    obj: models.Model,
    action: str,
    changes: dict | None = None,
    *,
    company_id: int | None = None,
) -> AuditRecord:
    """Append one audit record. Call inside the service's transaction so both land or neither."""
    entry = build(actor, obj, action, changes, company_id=company_id)
    entry.save(force_insert=True)
    return entry


def build(
    actor: Actor,
    obj: models.Model,
    action: str,
    changes: dict | None = None,
    *,
    company_id: int | None = None,
) -> AuditRecord:
    """An unsaved audit record, for services that write many at once with `bulk_create`."""
    if company_id is None:
        company_id = getattr(obj, "company_id", None) or actor.company_id
    return unsaved(
        AuditRecord,
        company_id=company_id,
        user=actor.user,
        actor_label=actor.label,
        origin=actor.origin,
        ip=actor.ip,
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=_plain(changes or {}),
    )


def record_created(actor: Actor, obj: models.Model, **kwargs) -> AuditRecord:
    return record(
        actor,
        obj,
        "created",
        {k: [None, v] for k, v in snapshot(obj).items() if v not in (None, "") and k not in _QUIET_FIELDS},
        **kwargs,
    )


def record_changed(
    actor: Actor, obj: models.Model, before: dict, action: str = "updated", **kwargs
) -> AuditRecord | None:
    """Record the fields that changed since `before` (a `snapshot`); nothing when nothing changed."""
    changes = diff(before, snapshot(obj, list(before)))
    changes.pop("version", None)
    if not changes:
        return None
    return record(actor, obj, action, changes, **kwargs)
