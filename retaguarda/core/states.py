"""The document state helper: lock the row, check the transition table, log a DocumentEvent.

A document's life: `record_opened` when it is created (its first timeline event and audit record),
`move` (or `transition` with a queryset of your own) for each change of state, `cancel` for the
last one.
"""

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import InvalidTransition, NotFound
from retaguarda.core.models import DocumentEvent
from retaguarda.core.scope import scoped


def transition(
    model: type[models.Model],
    pk: int,
    *,
    to: str,
    actor: Actor,
    payload: dict[str, Any] | None = None,
    field: str = "state",
    queryset: models.QuerySet | None = None,
):
    """Move document `pk` to state `to`.

    The model declares `TRANSITIONS = {from_state: {to_state, ...}}`. Runs inside the caller's
    transaction (opening one if needed); returns the locked, updated instance.
    """
    with transaction.atomic():
        qs = (queryset if queryset is not None else model.objects).select_for_update()
        try:
            obj = qs.get(pk=pk)
        except model.DoesNotExist as exc:
            raise NotFound() from exc
        current = getattr(obj, field)
        allowed = model.TRANSITIONS.get(current, set())
        if to not in allowed:
            labels = dict(model._meta.get_field(field).flatchoices)
            raise InvalidTransition(
                _("Cannot move from “%(from)s” to “%(to)s”.")
                % {"from": labels.get(current, current), "to": labels.get(to, to)},
                details=[{"from": current, "to": to, "allowed": sorted(allowed)}],
            )
        setattr(obj, field, to)
        update_fields = [field]
        if hasattr(obj, "version"):
            obj.version += 1
            update_fields.append("version")
        if hasattr(obj, "updated_at"):
            update_fields.append("updated_at")
        obj.save(update_fields=update_fields)
        DocumentEvent.objects.create(
            document_type=model._meta.label_lower,
            document_id=obj.pk,
            from_state=current,
            to_state=to,
            user=actor.user,
            origin=actor.origin,
            payload=payload or {},
        )
    return obj


def record_opened(document: models.Model, state: str, *, actor: Actor) -> None:
    """The document's first timeline event (`transition` logs the later ones) and its audit record."""
    DocumentEvent.objects.create(
        document_type=document._meta.label_lower,
        document_id=document.pk,
        to_state=state,
        user=actor.user,
        origin=actor.origin,
    )
    audit.record_created(actor, document)


def move(model: type[models.Model], pk: int, state: str, *, actor: Actor, payload: dict | None = None):
    """`transition` limited to the actor's company: another company's document is not found."""
    return transition(model, pk, to=state, actor=actor, payload=payload, queryset=scoped(model, actor))


def cancel(model: type[models.Model], pk: int, state: str, *, actor: Actor):
    """Move the document to its cancelled `state`, with an audit record saying so."""
    with transaction.atomic():
        document = move(model, pk, state, actor=actor)
        audit.record(actor, document, "cancelled")
    return document


def allowed_transitions(obj: models.Model, field: str = "state") -> list[str]:
    return sorted(type(obj).TRANSITIONS.get(getattr(obj, field), set()))


def timeline(obj: models.Model):
    return (
        DocumentEvent.objects.filter(document_type=obj._meta.label_lower, document_id=obj.pk)
        .select_related("user")
        .order_by("id")
    )


def state_history(obj: models.Model, field: str = "state") -> list[DocumentEvent]:
    """The timeline with each state by its label (`from_label`, `to_label`), never its stored code."""
    labels = {str(k): str(v) for k, v in type(obj)._meta.get_field(field).flatchoices}
    events = list(timeline(obj))
    for event in events:
        event.from_label = labels.get(event.from_state, event.from_state)
        event.to_label = labels.get(event.to_state, event.to_state)
    return events
