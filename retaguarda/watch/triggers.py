"""The event-driven path: a document's timeline event (`core.models.DocumentEvent`, written by
`core.states.transition` and the services' own state changes) that some rule's trigger names becomes an
outbox event in the same transaction; after the commit the worker re-evaluates those rules for the
objects the change affects (`services.run.evaluate_document`). A rolled-back change never reaches watch,
and a service pays for this only when a rule watches its documents (three small writes: the lookup of its
company, the outbox event and its delivery).

Timeline events written in bulk (`bulk_create`, as watch's own runs do) send no signal and are not seen:
a service whose changes should reach watch creates its events one by one, as `transition` does, or
hands the events it wrote in bulk to `timeline_written` with their company (no lookup then). The
15-minute run still evaluates everything, so a missed event is late, never lost."""

from collections.abc import Iterable

from django.apps import apps
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from retaguarda.core import outbox
from retaguarda.core.models import DocumentEvent
from retaguarda.watch import registry

EVENT = "watch.document_changed"


def company_of(document_type: str, document_id: int) -> int | None:
    try:
        model = apps.get_model(document_type)
    except (LookupError, ValueError):
        return None
    if not any(f.attname == "company_id" for f in model._meta.concrete_fields):
        return None
    return model._default_manager.filter(pk=document_id).values_list("company_id", flat=True).first()


@receiver(post_save, sender=DocumentEvent, dispatch_uid="watch.triggers.document_changed")
def document_changed(sender, instance: DocumentEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or not registry.triggered_by(instance.document_type, instance.to_state):
        return
    company_id = company_of(instance.document_type, instance.document_id)
    if company_id is not None:
        _emit(instance, company_id)


def timeline_written(events: Iterable[DocumentEvent], *, company_id: int) -> None:
    """What saving each event one by one would do, for events a service wrote in bulk (inside its
    transaction) about documents of `company_id`."""
    for event in events:
        if registry.triggered_by(event.document_type, event.to_state):
            _emit(event, company_id)


def timeline_rows(events: Iterable[DocumentEvent], *, company_id: int) -> list[tuple]:
    """What `timeline_written` would write for these events, unsaved (`core.outbox.rows`), for a service
    that writes them in the same statement as the events themselves (inside its transaction)."""
    groups: list[tuple] = []
    for event in events:
        if registry.triggered_by(event.document_type, event.to_state):
            groups += outbox.rows(EVENT, _payload(event), company_id=company_id)
    return groups


def emits(document_type: str, states) -> bool:
    """Whether timeline events of `document_type` moving to any of `states` emit watch's outbox event
    (`timeline_rows`): a service may then write the worker's wake-up ahead (`outbox.wake_up_statement`)."""
    return any(registry.triggered_by(document_type, state) for state in states)


def _payload(instance: DocumentEvent) -> dict:
    return {
        "document_type": instance.document_type,
        "document_id": instance.document_id,
        "to_state": instance.to_state,
    }


def _emit(instance: DocumentEvent, company_id: int) -> None:
    if connection.in_atomic_block:
        outbox.emit(EVENT, _payload(instance), company_id=company_id)
    else:  # the timeline event is already committed: the outbox event commits on its own
        with transaction.atomic():
            outbox.emit(EVENT, _payload(instance), company_id=company_id)


# Not atomic: evaluating the same objects twice finds the same state, so a crash between the evaluation's
# commit and the delivery's mark only repeats it; most evaluations change nothing and then write nothing,
# and a transaction around them cost two round trips of the path's few (`apply` opens its own to write).
@outbox.handler(EVENT, atomic=False)
def evaluate_after_change(event) -> None:
    """Idempotent: evaluating the same objects twice finds the same state."""
    from retaguarda.watch.services.run import evaluate_document

    payload = event.payload
    evaluate_document(event.company_id, payload["document_type"], int(payload["document_id"]), payload["to_state"])
