"""What people do with an occurrence: acknowledge, start, assign, plan, check steps off, comment,
resolve, dismiss with a reason, reopen. Each in one transaction with an audit record; state changes go
through `core.states.transition` (row lock, transition table, timeline event)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed, missing_row
from retaguarda.core.states import transition
from retaguarda.core.versioning import lock_for_edit
from retaguarda.watch.errors import OccurrenceClosed, ReasonRequired, StepNotFound
from retaguarda.watch.models import ROUTINE_RULE, Occurrence, OccurrenceComment, OccurrenceStep
from retaguarda.watch.states import ACTIVE, DEADLINE, OccurrenceState, Resolution

S = OccurrenceState
MAX_TEXT = 2000


def _scope(actor: Actor):
    return Occurrence.objects.filter(company_id=actor.company_id)


def _locked(occurrence_id: int, actor: Actor) -> Occurrence:
    try:
        return _scope(actor).select_for_update().get(pk=occurrence_id)
    except Occurrence.DoesNotExist as exc:
        raise NotFound() from exc


def _move(occurrence_id: int, to: str, actor: Actor, payload: dict | None = None, **fields) -> Occurrence:
    with transaction.atomic():
        before = _locked(occurrence_id, actor).state
        occ = transition(Occurrence, occurrence_id, to=to, actor=actor, payload=payload, queryset=_scope(actor))
        for name, value in fields.items():
            setattr(occ, name, value)
        if fields:
            occ.save(update_fields=[*fields, "updated_at"])
        audit.record(actor, occ, to, {"state": [before, to], **{k: [None, v] for k, v in fields.items()}})
    return occ


def acknowledge(occurrence_id: int, *, actor: Actor) -> Occurrence:
    return _move(occurrence_id, S.ACKNOWLEDGED, actor)


def start(occurrence_id: int, *, actor: Actor) -> Occurrence:
    return _move(occurrence_id, S.IN_PROGRESS, actor)


def resolve(occurrence_id: int, *, actor: Actor, note: str = "") -> Occurrence:
    """Resolved by hand: if the rule still finds the object on its next run, the occurrence reopens."""
    note = (note or "").strip()[:500]
    return _move(
        occurrence_id,
        S.RESOLVED,
        actor,
        {"reason": "by_hand", "note": note},
        closed_at=timezone.now(),
        resolution=Resolution.BY_HAND,
        close_reason=note,
    )


def dismiss(occurrence_id: int, *, actor: Actor, reason: str) -> Occurrence:
    """Not a problem (or accepted): stays dismissed while the condition lasts; reopens if it clears and returns."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(details=[{"field": "reason", "message": str(ReasonRequired.default_message)}])
    return _move(
        occurrence_id,
        S.DISMISSED,
        actor,
        {"reason": "dismissed", "note": reason[:500]},
        closed_at=timezone.now(),
        resolution=Resolution.DISMISSED,
        close_reason=reason[:500],
    )


def reopen(occurrence_id: int, *, actor: Actor) -> Occurrence:
    with transaction.atomic():
        occ = _locked(occurrence_id, actor)
        return _move(
            occurrence_id,
            S.OPEN,
            actor,
            {"reason": "by_hand"},
            closed_at=None,
            resolution="",
            close_reason="",
            deadline=timezone.now() + DEADLINE[occ.severity],
            times_opened=occ.times_opened + 1,
            escalated_at=None,
        )


def assign(occurrence_id: int, *, actor: Actor, user_id: int | None) -> Occurrence:
    """Make a user of the company responsible (None: nobody)."""
    with transaction.atomic():
        occ = _locked(occurrence_id, actor)
        if user_id is not None and not (
            get_user_model().objects.filter(pk=user_id, is_active=True, companies=occ.company_id).exists()
        ):
            raise ValidationFailed(
                _("Choose a user of this company."),
                details=[missing_row("assignee", _("Choose a user of this company."))],
            )
        before = audit.snapshot(occ, ["assignee_id"])
        occ.assignee_id = user_id
        occ.version += 1
        occ.save(update_fields=["assignee", "version", "updated_at"])
        audit.record_changed(actor, occ, before, "assigned")
    return occ


def plan(
    occurrence_id: int,
    *,
    actor: Actor,
    version: int | None = None,
    action_plan: str | None = None,
    deadline: datetime | None = None,
) -> Occurrence:
    """Write the action plan and/or move the deadline (optimistic lock on `version` when given)."""
    with transaction.atomic():
        occ = lock_for_edit(_scope(actor), occurrence_id, version)
        if occ.state not in ACTIVE:
            raise OccurrenceClosed()
        before = audit.snapshot(occ, ["action_plan", "deadline"])
        if action_plan is not None:
            occ.action_plan = action_plan.strip()[:MAX_TEXT]
        if deadline is not None:
            occ.deadline = deadline
        occ.version += 1
        occ.save(update_fields=["action_plan", "deadline", "version", "updated_at"])
        audit.record_changed(actor, occ, before, "planned")
    return occ


def comment(occurrence_id: int, *, actor: Actor, text: str) -> OccurrenceComment:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write the comment."), details=[{"field": "text", "message": _("Write the comment.")}])
    with transaction.atomic():
        occ = _locked(occurrence_id, actor)
        note = OccurrenceComment.objects.create(occurrence=occ, user=actor.user, text=text[:MAX_TEXT])
        audit.record(actor, occ, "commented", {"comment": [None, note.text]})
    return note


def check_step(occurrence_id: int, number: int, *, actor: Actor, done: bool = True) -> Occurrence:
    """Check a step off (or undo it). Working a step puts an open occurrence in progress; a routine whose
    checklist is all done is resolved (its work is the whole point); a rule's occurrence resolves only
    when its rule stops finding the problem."""
    with transaction.atomic():
        occ = _locked(occurrence_id, actor)
        if occ.state not in ACTIVE:
            raise OccurrenceClosed()
        step = OccurrenceStep.objects.select_for_update().filter(occurrence=occ, number=number).first()
        if step is None:
            raise StepNotFound()
        if bool(step.done_at) != done:
            step.done_at, step.done_by = (timezone.now(), actor.user) if done else (None, None)
            step.save(update_fields=["done_at", "done_by"])
            audit.record(actor, occ, "step_checked" if done else "step_unchecked", {"step": [None, step.number]})
        if done and occ.state in (S.OPEN, S.ACKNOWLEDGED):
            occ = transition(
                Occurrence, occ.pk, to=S.IN_PROGRESS, actor=actor, payload={"reason": "step"}, queryset=_scope(actor)
            )
        pending = OccurrenceStep.objects.filter(occurrence=occ, done_at__isnull=True).exists()
        if occ.rule == ROUTINE_RULE and not pending:
            occ = resolve(occ.pk, actor=actor, note=_("Checklist done."))
    return occ
