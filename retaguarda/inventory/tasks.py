"""Background tasks of the inventory (django.tasks, run by `retaguarda worker`)."""

import logging

from django.tasks import task
from django.utils import timezone

from retaguarda.core.errors import DomainError
from retaguarda.inventory import selectors

log = logging.getLogger(__name__)


def drift_lines(company_id: int | None = None) -> list[str]:
    """`check-ledgers`: one line per stock balance that drifts from the moves."""
    from django.utils.translation import gettext as _

    return [
        _(
            "location %(location)s, product %(product)s, lot %(lot)s, %(field)s: stored %(stored)s, expected %(expected)s"
        )
        % {
            "location": d.location_id,
            "product": d.product_id,
            "lot": d.lot_key,
            "field": d.field,
            "stored": d.stored,
            "expected": d.expected,
        }
        for d in selectors.drift(company_id)
    ]


@task
def check_ledgers() -> int:
    """Recompute every balance from the ledger, company by company, through the watch rule
    `inventory.ledger_drift`: each drift is logged and opens (or keeps open) a critical occurrence for the
    stock department, which resolves itself once the balance matches again. Returns how many were found.

    Running it twice opens nothing twice."""
    from retaguarda.companies.models import Company
    from retaguarda.inventory.rules import LEDGER_DRIFT
    from retaguarda.watch.services import evaluate

    found = 0
    for company_id in Company.objects.order_by("pk").values_list("pk", flat=True):
        found += evaluate(company_id, codes=[LEDGER_DRIFT]).found
    return found


@task
def close_stock_periods() -> int:
    """Close every finished month not yet closed, for every company; returns how many were closed.

    Each period is closed in its own transaction, so a failure (logged) leaves the earlier ones closed."""
    from retaguarda.companies.models import Company
    from retaguarda.core.actor import Actor
    from retaguarda.inventory import services

    closed = 0
    today = timezone.localdate()
    for company_id in Company.objects.order_by("pk").values_list("pk", flat=True):
        try:
            closed += len(services.close_periods(company_id, until=today, actor=Actor.system(company_id=company_id)))
        except DomainError as exc:
            log.error("stock period not closed: company=%s %s", company_id, exc.message)
    return closed
