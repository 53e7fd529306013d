"""`retaguarda demo`: load the demo company once (a second run changes nothing)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.web import demo


class Command(BaseCommand):
    help = "Load the demo company, its users and its master data (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = demo.load()
        if created:
            self.stdout.write(self.style.SUCCESS(_("Demo company loaded.")))
        else:
            self.stdout.write(_("The demo company was already loaded."))
