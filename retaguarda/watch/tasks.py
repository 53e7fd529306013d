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


@task
def weekly_digest() -> int:
    """Every company's weekly digest (seven days after the last; the worker's periodic schedule)."""
    from retaguarda.companies.models import Company
    from retaguarda.watch.services.digest import send_digest

    total = 0
    for company_id in Company.objects.order_by("pk").values_list("pk", flat=True):
        try:
            total += send_digest(company_id)
        except Exception:  # one company's failure must not stop the others' digest
            log.exception("watch digest failed: company=%s", company_id)
    return total
