"""Notifications: a run that opens or reopens occurrences emits one outbox event per department (in its
transaction); after the commit the worker mails the department's people a list of them. The inbox and its
counts are the in-app side."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.access.departments import DEPARTMENTS
from retaguarda.core import outbox
from retaguarda.watch.models import MailSent, Occurrence

OPENED = "watch.occurrences.opened"
MAX_LISTED = 50


def emit_opened(company_id: int, ids_by_department: dict[str, list[int]]) -> None:
    """Inside the run's transaction: one event per department with what opened."""
    for department, ids in sorted(ids_by_department.items()):
        if ids:
            outbox.emit(OPENED, {"department": department, "ids": ids}, company_id=company_id)


@outbox.handler(OPENED, atomic=False)
def mail_department(event) -> None:
    """Mail the department's active users with an e-mail address; once per event (`MailSent`)."""
    company_id, department = event.company_id, event.payload.get("department", "")
    if MailSent.objects.filter(event_id=event.pk).exists():
        return
    recipients = sorted(
        set(
            get_user_model()
            .objects.filter(
                memberships__company_id=company_id, memberships__departments__code=department, is_active=True
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    occurrences = list(
        Occurrence.objects.filter(company_id=company_id, pk__in=event.payload.get("ids", []), state="open").order_by(
            "rank", "deadline", "id"
        )[:MAX_LISTED]
    )
    if not recipients or not occurrences:
        return
    label = str(DEPARTMENTS.get(department, department))
    subject = _("Retaguarda: %(n)s new occurrences for %(department)s") % {"n": len(occurrences), "department": label}
    lines = [
        f"- [{o.get_severity_display()}] {o.title}: {o.subject_label} "
        f"({_('deadline')} {timezone.localtime(o.deadline):%d/%m/%Y %H:%M}) {reverse('watch:occurrence', args=[o.pk])}"
        for o in occurrences
    ]
    send_mail(subject[:200], "\n".join(lines), settings.DEFAULT_FROM_EMAIL, recipients)
    MailSent.objects.get_or_create(
        event_id=event.pk,
        defaults={
            "company_id": company_id,
            "department": department,
            "recipients": ", ".join(recipients),
            "subject": subject[:200],
        },
    )
