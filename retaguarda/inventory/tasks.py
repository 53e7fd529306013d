"""Background tasks of the inventory (django.tasks, run by `retaguarda worker`)."""

import logging

from django.tasks import task

from retaguarda.inventory import selectors

log = logging.getLogger(__name__)


@task
def check_ledgers() -> int:
    """Recompute every balance from the ledger; log each drift. Returns how many were found.

    Read-only, so running it twice is harmless. (When the `watch` app lands, a drift should open
    an occurrence for the stock department instead of only a log line.)"""
    found = selectors.drift()
    for d in found:
        log.error(
            "stock ledger drift: location=%s product=%s lot=%s %s stored=%s expected=%s",
            d.location_id,
            d.product_id,
            d.lot_key,
            d.field,
            d.stored,
            d.expected,
        )
    return len(found)
