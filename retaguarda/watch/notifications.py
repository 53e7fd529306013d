"""Notifications, each an outbox event emitted in its writer's transaction and mailed by the worker after the
commit (`MailSent` keeps a retried delivery from mailing twice); the inbox and its counts are the in-app side.

- a run that opens or reopens occurrences: one event per department, mailed to the department's people;
- an escalation (an occurrence late past its deadline, severity up): one event per department, mailed to
  the department's manager (`DepartmentSetting`), or to the company's administrators while none is set;
- the weekly digest: one event per department with its figures, mailed to its people and its manager."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.access.departments import ADMIN, DEPARTMENTS
from retaguarda.core import outbox
from retaguarda.watch.models import DepartmentSetting, MailSent, Occurrence

OPENED = "watch.occurrences.opened"
ESCALATED = "watch.occurrences.escalated"
DIGEST = "watch.digest"
MAX_LISTED = 50


def _members(company_id: int, department: str) -> set[str]:
    """E-mail addresses of the company's active users in a department."""
    return set(
        get_user_model()
        .objects.filter(memberships__company_id=company_id, memberships__departments__code=department, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _managers(company_id: int, department: str) -> set[str]:
    """The department's manager's address; the company's administrators' while none is set (or it has none)."""
    manager = (
        DepartmentSetting.objects.filter(
            company_id=company_id,
            department=department,
            manager__is_active=True,
            manager__memberships__company_id=company_id,
        )
        .exclude(manager__email="")
        .values_list("manager__email", flat=True)
        .first()
    )
    return {manager} if manager else _members(company_id, ADMIN)


def _send_once(event, department: str, subject: str, body: str, recipients: set[str]) -> None:
    if not recipients or MailSent.objects.filter(event_id=event.pk).exists():
        return
    to = sorted(recipients)
    send_mail(subject[:200], body, settings.DEFAULT_FROM_EMAIL, to)
    MailSent.objects.get_or_create(
        event_id=event.pk,
        defaults={"company_id": event.company_id, "department": department, "recipients": ", ".join(to),
                  "subject": subject[:200]},
    )  # fmt: skip


def _lines(occurrences) -> str:
    return "\n".join(
        f"- [{o.get_severity_display()}] {o.title}: {o.subject_label} "
        f"({_('deadline')} {timezone.localtime(o.deadline):%d/%m/%Y %H:%M}) {reverse('watch:occurrence', args=[o.pk])}"
        for o in occurrences
    )


def emit_opened(company_id: int, ids_by_department: dict[str, list[int]]) -> None:
    """Inside the run's transaction: one event per department with what opened."""
    for department, ids in sorted(ids_by_department.items()):
        if ids:
            outbox.emit(OPENED, {"department": department, "ids": ids}, company_id=company_id)


@outbox.handler(OPENED, atomic=False)
def mail_department(event) -> None:
    """Mail the department's active users with an e-mail address what opened; once per event."""
    company_id, department = event.company_id, event.payload.get("department", "")
    occurrences = list(
        Occurrence.objects.filter(company_id=company_id, pk__in=event.payload.get("ids", []), state="open").order_by(
            "rank", "deadline", "id"
        )[:MAX_LISTED]
    )
    if not occurrences:
        return
    label = str(DEPARTMENTS.get(department, department))
    subject = _("Retaguarda: %(n)s new occurrences for %(department)s") % {"n": len(occurrences), "department": label}
    _send_once(event, department, subject, _lines(occurrences), _members(company_id, department))


def emit_escalated(company_id: int, ids_by_department: dict[str, list[int]]) -> None:
    """Inside the escalation's transaction: one event per department with what went up."""
    for department, ids in sorted(ids_by_department.items()):
        if ids:
            outbox.emit(ESCALATED, {"department": department, "ids": ids}, company_id=company_id)


@outbox.handler(ESCALATED, atomic=False)
def mail_manager(event) -> None:
    """Tell the department's manager which occurrences are late and went up a severity; once per event."""
    company_id, department = event.company_id, event.payload.get("department", "")
    occurrences = list(
        Occurrence.objects.filter(
            company_id=company_id,
            pk__in=event.payload.get("ids", []),
            state__in=("open", "acknowledged", "in_progress"),
        ).order_by("rank", "deadline", "id")[:MAX_LISTED]
    )
    if not occurrences:
        return
    label = str(DEPARTMENTS.get(department, department))
    subject = _("Retaguarda: %(n)s late occurrences of %(department)s went up a severity") % {
        "n": len(occurrences),
        "department": label,
    }
    _send_once(event, department, subject, _lines(occurrences), _managers(company_id, department))


@outbox.handler(DIGEST, atomic=False)
def mail_digest(event) -> None:
    """The department's week in four figures, to its people and its manager; once per event."""
    company_id, payload = event.company_id, event.payload
    department = payload.get("department", "")
    label = str(DEPARTMENTS.get(department, department))
    subject = _("Retaguarda: the week of %(department)s (%(start)s to %(end)s)") % {
        "department": label,
        "start": payload.get("start", ""),
        "end": payload.get("end", ""),
    }
    mean = payload.get("mean_hours")
    body = "\n".join(
        [
            _("Opened: %(n)s") % {"n": payload.get("opened", 0)},
            _("Resolved: %(n)s") % {"n": payload.get("resolved", 0)},
            _("Late at the end of the week: %(n)s") % {"n": payload.get("late", 0)},
            _("Mean time to resolve: %(hours)s hours") % {"hours": mean} if mean is not None else "",
            reverse("watch:departments"),
        ]
    )
    _send_once(event, department, subject, body, _members(company_id, department) | _managers(company_id, department))
