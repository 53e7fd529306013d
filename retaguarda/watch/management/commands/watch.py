"""`retaguarda watch`: run the watch rules and open the routines due now, for every company or one, and
say what opened, reopened and resolved. The worker runs the same every 15 minutes."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from retaguarda.core.actor import Actor, Origin


class Command(BaseCommand):
    help = "Run the watch rules and routines (all companies, or --company); --rule runs only that rule."

    def add_arguments(self, parser):
        parser.add_argument("--company", type=int, help="only this company id")
        parser.add_argument("--rule", action="append", help="only this rule code (repeatable)")

    def handle(self, *args, company=None, rule=None, **options):
        from retaguarda.companies.models import Company
        from retaguarda.watch import registry, services

        unknown = [code for code in rule or [] if registry.get(code) is None]
        if unknown:
            raise CommandError(_("Unknown rule: %(codes)s") % {"codes": ", ".join(unknown)})
        companies = Company.objects.order_by("pk")
        if company is not None:
            companies = companies.filter(pk=company)
            if not companies.exists():
                raise CommandError(_("No company with id %(id)s.") % {"id": company})
        for company_id, name in companies.values_list("pk", "trade_name"):
            summary = services.run_company(company_id, codes=rule, actor=Actor.system(Origin.CLI, company_id))
            self.stdout.write(
                _(
                    "%(company)s: %(rules)s rules, %(found)s problems found; %(opened)s opened, "
                    "%(reopened)s reopened, %(resolved)s resolved"
                )
                % {"company": name, **summary.as_json()}
            )
