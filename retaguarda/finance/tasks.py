"""Background tasks of finance (django.tasks, run by `retaguarda worker`)."""

import logging

from django.tasks import task
from django.utils.translation import gettext as _

from retaguarda.finance import selectors

log = logging.getLogger(__name__)


def drift_lines(company_id: int | None = None) -> list[str]:
    """`check-ledgers`: one line per finance projection that drifts from its ledger."""
    return [
        _("%(what)s %(ref)s: stored %(stored)s, expected %(expected)s")
        % {"what": d.what, "ref": d.ref, "stored": d.stored, "expected": d.expected}
        for d in selectors.drift(company_id)
    ]


@task
def check_finance_ledgers() -> int:
    """Recompute every finance projection; log each drift. Read-only, so running it twice is harmless."""
    found = drift_lines()
    for line in found:
        log.error("finance ledger drift: %s", line)
    return len(found)


@task
def generate_recurring_titles() -> int:
    """Create the titles of every active recurring bill due within its horizon; returns how many.

    Each bill in its own transaction, so one bad bill (logged) does not stop the others."""
    from retaguarda.core.errors import DomainError
    from retaguarda.finance import services
    from retaguarda.finance.models import RecurringBill

    created = 0
    for bill in RecurringBill.objects.filter(is_active=True).order_by("pk"):
        try:
            created += len(services.generate_due(bill))
        except DomainError as exc:
            log.error("recurring bill %s not generated: %s", bill.pk, exc.message)
    return created


@task
def queue_collection_reminders() -> int:
    """Queue the reminder e-mails due today for every company (the outbox mails them); returns how many."""
    from retaguarda.companies.models import Company
    from retaguarda.finance import services

    queued = 0
    for company_id in Company.objects.order_by("pk").values_list("pk", flat=True):
        queued += services.queue_reminders(company_id)
    return queued
