"""`retaguarda check-ledgers` (or `check_ledgers`): recompute every projection from its ledger (stock
balances, financial balances, the journal), with the checks the apps register in `core.ledger_checks`.

Exit code 0 when everything matches, 1 on any drift."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from retaguarda.core.ledger_checks import REGISTRY


class Command(BaseCommand):
    help = "Recompute every ledger projection (stock, finance, journal) and exit 1 on drift."

    def add_arguments(self, parser):
        parser.add_argument("--company", type=int, help="only this company id")

    def handle(self, *args, company=None, **options):
        drifted = 0
        for check in REGISTRY.values():
            found = check.run(company)
            if not found:
                self.stdout.write(
                    self.style.SUCCESS(_("%(ledger)s: every projection matches.") % {"ledger": check.label})
                )
                continue
            for line in found:
                self.stdout.write(f"{check.label}: {line}")
            drifted += len(found)
        if drifted:
            self.stderr.write(_("%(n)s projections drift from their ledgers.") % {"n": drifted})
            sys.exit(1)
