"""The state of inventory documents (transfers, counts): the first event, transitions, cancelling."""

from django.db import models, transaction

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.models import DocumentEvent
from retaguarda.core.scope import scoped
from retaguarda.core.states import transition


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


def move_to(model: type[models.Model], pk: int, state: str, *, actor: Actor):
    """`transition` limited to the actor's company: another company's document is not found."""
    return transition(model, pk, to=state, actor=actor, queryset=scoped(model, actor))


def cancel(model: type[models.Model], pk: int, state: str, *, actor: Actor):
    with transaction.atomic():
        document = move_to(model, pk, state, actor=actor)
        audit.record(actor, document, "cancelled")
    return document
