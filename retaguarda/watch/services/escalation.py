"""Escalation: an occurrence still open past its deadline goes one severity up, so what is late climbs the
inbox instead of sinking in it, and the department's manager is told (an outbox event per department, mailed
after the commit: `notifications.mail_manager`). It keeps its deadline (it is still late, and shows so); it
climbs again only if the new severity's time passes too. Critical is the top: a critical occurrence that is
late is already the first line of its inbox. Two queries, a bulk update and the events."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.models import AuditRecord
from retaguarda.watch.models import Occurrence
from retaguarda.watch.notifications import emit_escalated
from retaguarda.watch.states import ACTIVE, DEADLINE, Severity

NEXT = {Severity.LOW: Severity.MEDIUM, Severity.MEDIUM: Severity.HIGH, Severity.HIGH: Severity.CRITICAL}


def escalate(company_id: int, *, actor: Actor | None = None, now: datetime | None = None) -> list[Occurrence]:
    """Escalate the company's late occurrences; returns those escalated."""
    actor = actor or Actor.system(company_id=company_id)
    now = now or timezone.now()
    with transaction.atomic():
        late = [
            occ
            for occ in Occurrence.objects.select_for_update()
            .filter(company_id=company_id, state__in=ACTIVE, deadline__lt=now)
            .exclude(severity=Severity.CRITICAL)
            .order_by("pk")
            if occ.escalated_at is None or occ.escalated_at + DEADLINE[occ.severity] < now
        ]
        audits = []
        for occ in late:
            before = occ.severity
            occ.set_severity(NEXT[before])
            occ.escalated_at = now
            occ.version += 1
            occ.updated_at = now
            audits.append(audit.build(actor, occ, "escalated", {"severity": [before, occ.severity]}))
        if late:
            Occurrence.objects.bulk_update(late, ["severity", "rank", "escalated_at", "version", "updated_at"])
            AuditRecord.objects.bulk_create(audits)
            by_department: dict[str, list[int]] = {}
            for occ in late:
                by_department.setdefault(occ.department, []).append(occ.pk)
            emit_escalated(company_id, by_department)
    return late
