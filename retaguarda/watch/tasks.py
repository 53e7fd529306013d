"""Background tasks of watch (django.tasks, run by `retaguarda worker`)."""

import logging

from django.tasks import task

log = logging.getLogger(__name__)


@task
def run_watch() -> int:
    """Every company's rules and routines; returns how many occurrences opened or reopened. Idempotent
    (a second run finds the same problems already open); each company in its own transaction, so one
    failing rule set (logged) leaves the others done."""
    from retaguarda.companies.models import Company
    from retaguarda.watch import services

    total = 0
    for company_id in Company.objects.order_by("pk").values_list("pk", flat=True):
        try:
            summary = services.run_company(company_id)
        except Exception:  # one company's failure must not stop the others' watch
            log.exception("watch run failed: company=%s", company_id)
            continue
        total += summary.opened + summary.reopened
    return total
