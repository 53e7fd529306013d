"""Routines: a department's planned recurring work. Saving one is validated all at once; each period
opens one occurrence (`watch.routine`, subject `<routine>:<period>`) with the checklist as its steps and
the deadline at the routine's hour, so the routine shows as done or late."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.models import AuditRecord, DocumentEvent
from retaguarda.core.versioning import lock_for_edit
from retaguarda.watch.models import DEPARTMENT_CHOICES, ROUTINE_RULE, Frequency, Occurrence, OccurrenceStep, Routine
from retaguarda.watch.services.run import timeline_event
from retaguarda.watch.states import OccurrenceState, Severity

ROUTINE_SUBJECT = "watch.routine"
FIELDS = [
    "name",
    "department",
    "frequency",
    "weekday",
    "month_day",
    "due_hour",
    "checklist",
    "assignee_id",
    "severity",
    "active",
]


def _int(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # refused below with the field's own message


def _validate(company_id: int, data: dict) -> list[dict]:
    problems = []

    def fail(name, message):
        problems.append({"field": name, "message": message})

    if not data["name"]:
        fail("name", _("Give the routine a name."))
    if data["department"] not in dict(DEPARTMENT_CHOICES):
        fail("department", _("Choose a department."))
    if data["frequency"] not in Frequency.values:
        fail("frequency", _("Choose how often the routine repeats."))
    if data["frequency"] == Frequency.WEEKLY and not (data["weekday"] is not None and 0 <= data["weekday"] <= 6):
        fail("weekday", _("Choose the day of the week."))
    if data["frequency"] == Frequency.MONTHLY and not (data["month_day"] is not None and 1 <= data["month_day"] <= 28):
        fail("month_day", _("Choose a day of the month between 1 and 28."))
    if data["due_hour"] is None or not 0 <= data["due_hour"] <= 23:
        fail("due_hour", _("The hour must be between 0 and 23."))
    if not [line for line in data["checklist"].splitlines() if line.strip()]:
        fail("checklist", _("Write at least one step, one per line."))
    if data["severity"] not in Severity.values:
        fail("severity", _("Choose a severity."))
    if data["assignee_id"] is not None and not (
        get_user_model().objects.filter(pk=data["assignee_id"], is_active=True, companies=company_id).exists()
    ):
        problems.append(missing_row("assignee", _("Choose a user of this company.")))
    return problems


def save_routine(*, actor: Actor, routine_id: int | None = None, version: int | None = None, **fields) -> Routine:
    """Create a routine (no `routine_id`) or edit one; every problem is reported at once."""
    data = {
        "name": str(fields.get("name") or "").strip()[:120],
        "department": fields.get("department") or "",
        "frequency": fields.get("frequency") or "",
        "weekday": _int(fields.get("weekday")),
        "month_day": _int(fields.get("month_day")),
        "due_hour": _int(fields.get("due_hour", 18)),
        "checklist": str(fields.get("checklist") or "").strip(),
        "assignee_id": _int(fields.get("assignee_id")),
        "severity": fields.get("severity") or Severity.MEDIUM,
        "active": bool(fields.get("active", True)),
    }
    problems = _validate(actor.company_id, data)
    if problems:
        raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)
    if data["frequency"] != Frequency.WEEKLY:
        data["weekday"] = None
    if data["frequency"] != Frequency.MONTHLY:
        data["month_day"] = None
    with transaction.atomic():
        if routine_id is None:
            routine = Routine.objects.create(company_id=actor.company_id, **data)
            audit.record_created(actor, routine)
            return routine
        routine = lock_for_edit(Routine.objects.filter(company_id=actor.company_id), routine_id, version)
        before = audit.snapshot(routine, FIELDS)
        for name, value in data.items():
            setattr(routine, name, value)
        routine.version += 1
        routine.save()
        audit.record_changed(actor, routine, before)
    return routine


def period_of(routine: Routine, today: datetime.date) -> datetime.date | None:
    """The current period's date (today, this week's day, this month's day), or None before the first
    one since the routine was created."""
    if routine.frequency == Frequency.DAILY:
        period = today
    elif routine.frequency == Frequency.WEEKLY:
        period = today - datetime.timedelta(days=(today.weekday() - routine.weekday) % 7)
    else:
        period = today.replace(day=routine.month_day)
        if period > today:
            last_month = today.replace(day=1) - datetime.timedelta(days=1)
            period = last_month.replace(day=routine.month_day)
    created = timezone.localdate(routine.created_at)
    return period if period >= created else None


def deadline_of(routine: Routine, period: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(period, datetime.time(routine.due_hour)))


def open_due(company_id: int, *, actor: Actor | None = None, now: datetime.datetime | None = None) -> int:
    """Open this period's occurrence of every active routine that has none yet; returns how many opened.
    Four queries and bulk writes, whatever the number of routines; running twice opens nothing twice."""
    actor = actor or Actor.system(company_id=company_id)
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = []
    for routine in Routine.objects.filter(company_id=company_id, active=True):
        period = period_of(routine, today)
        if period is not None:
            due.append((routine, period, f"{routine.pk}:{period.isoformat()}"))
    if not due:
        return 0
    with transaction.atomic():
        existing = set(
            Occurrence.objects.filter(
                company_id=company_id,
                rule=ROUTINE_RULE,
                subject_type=ROUTINE_SUBJECT,
                subject_id__in=[k for *_r, k in due],
            ).values_list("subject_id", flat=True)
        )
        todo = [(r, p, k) for r, p, k in due if k not in existing]
        rows = []
        for routine, period, key in todo:
            occ = Occurrence(
                company_id=company_id,
                rule=ROUTINE_RULE,
                subject_type=ROUTINE_SUBJECT,
                subject_id=key,
                subject_label=f"{routine.name} · {period:%d/%m/%Y}"[:200],
                title=routine.name,
                department=routine.department,
                assignee_id=routine.assignee_id,
                deadline=deadline_of(routine, period),
                opened_at=now,
                routine=routine,
                period=period,
            )
            occ.set_severity(routine.severity)
            rows.append(occ)
        created = Occurrence.objects.bulk_create(rows, ignore_conflicts=False)
        steps, events, audits = [], [], []
        for occ, (routine, _period, _key) in zip(created, todo, strict=True):
            steps += [OccurrenceStep(occurrence=occ, number=n, text=t[:300]) for n, t in enumerate(routine.steps(), 1)]
            events.append(timeline_event(occ, "", OccurrenceState.OPEN, actor, {"reason": "routine"}))
            audits.append(audit.build(actor, occ, "opened", {"routine": [None, routine.pk]}))
        OccurrenceStep.objects.bulk_create(steps)
        DocumentEvent.objects.bulk_create(events)
        AuditRecord.objects.bulk_create(audits)
    return len(created)
