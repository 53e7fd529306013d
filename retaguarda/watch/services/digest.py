"""The weekly digest: each department's last seven days in four figures (opened, resolved, late, mean time
to resolve), one outbox event per department, mailed after the commit to its people and its manager
(`notifications.mail_digest`). The same figures are on the departments page at any time."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from retaguarda.core import outbox
from retaguarda.watch import selectors
from retaguarda.watch.notifications import DIGEST

WEEK = timedelta(days=7)


def send_digest(company_id: int, *, end: datetime | None = None) -> int:
    """Emit the digest of the week ending at `end` (now); returns how many departments it covers."""
    end = end or timezone.now()
    start = end - WEEK
    rows = selectors.digest(company_id, start=start, end=end)
    with transaction.atomic():
        for row in rows:
            hours = None
            if row.mean_to_resolve is not None:
                hours = round(row.mean_to_resolve.total_seconds() / 3600, 1)
            payload = {
                "department": row.code,
                "start": f"{timezone.localtime(start):%d/%m/%Y}",
                "end": f"{timezone.localtime(end):%d/%m/%Y}",
                "opened": row.opened,
                "resolved": row.resolved,
                "late": row.late,
                "mean_hours": hours,
            }
            outbox.emit(DIGEST, payload, company_id=company_id)
    return len(rows)
