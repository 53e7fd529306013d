"""`retaguarda close-stock-periods [--until YYYY-MM-DD] [--company ID]`: close every finished month not
yet closed (stock snapshots), oldest first, for every company or one."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.companies.models import Company
from retaguarda.core.actor import Actor, Origin
from retaguarda.core.errors import DomainError
from retaguarda.inventory import services


class Command(BaseCommand):
    help = "Close every finished month not yet closed: write its stock snapshots."

    def add_arguments(self, parser):
        parser.add_argument("--until", type=dt.date.fromisoformat, help="last day to close up to (YYYY-MM-DD)")
        parser.add_argument("--company", type=int, help="only this company id")

    def handle(self, *args, until=None, company=None, **options):
        until = until or timezone.localdate()
        companies = Company.objects.order_by("pk").values_list("pk", flat=True)
        if company is not None:
            companies = companies.filter(pk=company)
        for company_id in companies:
            try:
                closed = services.close_periods(company_id, until=until, actor=Actor.system(Origin.CLI, company_id))
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            for period in closed:
                self.stdout.write(
                    _("Company %(company)s: stock period ending %(date)s closed.")
                    % {"company": company_id, "date": f"{period.period_end:%d/%m/%Y}"}
                )
        self.stdout.write(self.style.SUCCESS(_("Stock periods closed up to %(date)s.") % {"date": f"{until:%d/%m/%Y}"}))
