"""`retaguarda check-ledgers` (or `check_ledgers`): recompute every stock balance from the ledger.

Exit code 0 when balances match the moves and the active reservations, 1 on any drift."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from retaguarda.inventory import selectors


class Command(BaseCommand):
    help = "Recompute every stock balance from the moves and the active reservations; exit 1 on drift."

    def add_arguments(self, parser):
        parser.add_argument("--company", type=int, help="only this company id")

    def handle(self, *args, company=None, **options):
        found = selectors.drift(company)
        if not found:
            self.stdout.write(self.style.SUCCESS(_("Stock ledger: every balance matches its moves.")))
            return
        for d in found:
            self.stdout.write(
                _(
                    "drift: location %(location)s, product %(product)s, lot %(lot)s, %(field)s: stored %(stored)s, expected %(expected)s"
                )
                % {
                    "location": d.location_id,
                    "product": d.product_id,
                    "lot": d.lot_key,
                    "field": d.field,
                    "stored": d.stored,
                    "expected": d.expected,
                }
            )
        self.stderr.write(_("%(n)s balances drift from the ledger.") % {"n": len(found)})
        sys.exit(1)
