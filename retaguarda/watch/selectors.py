"""Reads shared by the pages and the API, each in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from retaguarda.access.departments import ACCOUNTANT, ADMIN, DEPARTMENTS
from retaguarda.watch.models import Occurrence, Routine
from retaguarda.watch.states import ACTIVE, CLOSED, OccurrenceState


def departments_of(user, company_id: int) -> list[str] | None:
    """The departments whose occurrences a user works in a company: their own there; None (all) for
    administrators and the accountant, who read everything."""
    codes = user.department_codes(company_id)
    if user.is_superuser or ADMIN in codes or ACCOUNTANT in codes:
        return None
    return sorted(codes)


def occurrences(
    company_id: int,
    *,
    departments: list[str] | None = None,
    department: str = "",
    state: str = "active",
    severity: str = "",
    rule: str = "",
    assignee_id: int | None = None,
    late: bool = False,
) -> QuerySet[Occurrence]:
    """The inbox: most severe first, then the nearest deadline. `state` is a state, `active`, `closed`
    or empty for all."""
    qs = Occurrence.objects.filter(company_id=company_id).select_related("assignee")
    if departments is not None:
        qs = qs.filter(department__in=departments)
    if department:
        qs = qs.filter(department=department)
    if state == "active":
        qs = qs.filter(state__in=ACTIVE)
    elif state == "closed":
        qs = qs.filter(state__in=CLOSED)
    elif state:
        qs = qs.filter(state=state)
    if severity:
        qs = qs.filter(severity=severity)
    if rule:
        qs = qs.filter(rule=rule)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if late:
        qs = qs.filter(state__in=ACTIVE, deadline__lt=timezone.now())
    return qs


INBOX_ORDER = ("rank", "deadline", "id")


@dataclass(frozen=True)
class DepartmentCount:
    code: str
    label: str
    active: int
    late: int


def department_counts(company_id: int, departments: list[str] | None) -> list[DepartmentCount]:
    """Active and late occurrences per department (one query), every visible department listed."""
    now = timezone.now()
    rows = {
        r["department"]: r
        for r in Occurrence.objects.filter(company_id=company_id, state__in=ACTIVE)
        .values("department")
        .annotate(active=Count("id"), late=Count("id", filter=Q(deadline__lt=now)))
        .order_by()
    }
    codes = [c for c in DEPARTMENTS if departments is None or c in departments]
    return [
        DepartmentCount(c, str(DEPARTMENTS[c]), rows.get(c, {}).get("active", 0), rows.get(c, {}).get("late", 0))
        for c in codes
        if c != ADMIN or c in rows
    ]


def badge(company_id: int, departments: list[str] | None) -> int:
    """The navigation badge: the active occurrences a user's departments have (one query)."""
    qs = Occurrence.objects.filter(company_id=company_id, state__in=ACTIVE)
    if departments is not None:
        qs = qs.filter(department__in=departments)
    return qs.count()


def routines(company_id: int, departments: list[str] | None = None) -> QuerySet[Routine]:
    """Routines with their latest period's occurrence (state, deadline, closed_at): one query."""
    latest = Occurrence.objects.filter(routine=OuterRef("pk")).order_by("-period", "-id")
    qs = (
        Routine.objects.filter(company_id=company_id)
        .select_related("assignee")
        .annotate(
            last_id=Subquery(latest.values("id")[:1]),
            last_state=Subquery(latest.values("state")[:1]),
            last_period=Subquery(latest.values("period")[:1]),
            last_deadline=Subquery(latest.values("deadline")[:1]),
            last_closed_at=Subquery(latest.values("closed_at")[:1]),
        )
    )
    if departments is not None:
        qs = qs.filter(department__in=departments)
    return qs


def routine_status(routine) -> str:
    """done | done_late | late | pending | none, from `routines()`' annotations."""
    if routine.last_id is None:
        return "none"
    if routine.last_state in CLOSED:
        return "done_late" if routine.last_closed_at and routine.last_closed_at > routine.last_deadline else "done"
    return "late" if routine.last_deadline < timezone.now() else "pending"


@dataclass(frozen=True)
class DigestRow:
    """A department's week: occurrences opened and resolved in it, those late at its end, and the mean
    time from opening to resolution of the ones resolved in it."""

    code: str
    label: str
    opened: int
    resolved: int
    late: int
    mean_to_resolve: timedelta | None


def digest(company_id: int, *, start: datetime, end: datetime, departments: list[str] | None = None) -> list[DigestRow]:
    """One row per department with any of the four figures in [start, end) (one query, grouped)."""
    in_period = Q(closed_at__gte=start, closed_at__lt=end, state=OccurrenceState.RESOLVED)
    rows = (
        Occurrence.objects.filter(company_id=company_id)
        .filter(Q(opened_at__gte=start, opened_at__lt=end) | in_period | Q(state__in=ACTIVE, deadline__lt=end))
        .values("department")
        .annotate(
            opened=Count("id", filter=Q(opened_at__gte=start, opened_at__lt=end)),
            resolved=Count("id", filter=in_period),
            late=Count("id", filter=Q(state__in=ACTIVE, deadline__lt=end)),
            to_resolve=Avg(
                ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField()), filter=in_period
            ),
        )
        .order_by()
    )
    if departments is not None:
        rows = rows.filter(department__in=departments)
    found = {r["department"]: r for r in rows}
    return [
        DigestRow(code, str(DEPARTMENTS[code]), r["opened"], r["resolved"], r["late"], _duration(r["to_resolve"]))
        for code in DEPARTMENTS
        if (r := found.get(code))
    ]


def _duration(value) -> timedelta | None:
    """SQLite averages the interval as microseconds (a number); PostgreSQL answers an interval."""
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(microseconds=float(value))
