"""Pieces the import and export commands share: the progress bar and the company to work in."""

import time

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from retaguarda.companies.models import Company
from retaguarda.core import tabular


class ProgressBar:
    """`[########------------]  42%  4.200/10.000 checking` on one terminal line; silent when piped."""

    def __init__(self, stream, width: int = 30):
        self.stream = stream
        self.width = width
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self.last = 0.0
        self.stage = ""

    def __call__(self, done: int, total: int, stage: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if stage == self.stage and done < total and now - self.last < 0.1:
            return
        if stage != self.stage and self.stage:
            self.stream.write("\n")
        self.stage, self.last = stage, now
        share = done / total if total else 1
        filled = int(self.width * share)
        label = tabular.STAGE_LABELS.get(stage, stage)
        self.stream.write(
            f"\r[{'#' * filled}{'-' * (self.width - filled)}] {share:4.0%}  {done:,}/{total:,}".replace(",", ".")
            + f"  {label}"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.stage:
            self.stream.write("\n")
            self.stream.flush()


def company_for(option: int | None) -> Company:
    if option is not None:
        company = Company.objects.filter(pk=option).first()
        if company is None:
            raise CommandError(_("Company %(id)s not found.") % {"id": option})
        return company
    companies = list(Company.objects.order_by("id")[:2])
    if len(companies) != 1:
        raise CommandError(_("Name the company with --company ID (there is more than one, or none)."))
    return companies[0]
