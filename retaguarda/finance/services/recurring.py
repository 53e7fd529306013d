"""Recurring bills (rent, salaries, subscriptions): templates from which the periodic task creates the
titles due within each bill's horizon. Each occurrence is created once (its source is the bill and the
date), so the task can run any number of times."""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.money import amount as money
from retaguarda.core.scope import company_id_of
from retaguarda.core.versioning import lock_for_edit
from retaguarda.finance.models import Frequency, RecurringBill, Title, TitleKind
from retaguarda.finance.services.chart import category_of, cost_center_of
from retaguarda.finance.services.titles import InstallmentIn, SourceRef, _party, create_title

RECURRING_SOURCE = "finance.recurring"
MONTHS = {Frequency.MONTHLY: 1, Frequency.BIMONTHLY: 2, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


def add_months(day: date, months: int, anchor_day: int) -> date:
    """`day` moved by `months`, on `anchor_day` or the month's last day (31 Jan → 28 Feb → 31 Mar)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def occurrences(bill: RecurringBill, *, start: date, until: date) -> list[date]:
    """The bill's due dates between `start` and `until`, both included."""
    dates = []
    last = min(until, bill.end_date) if bill.end_date else until
    n = 0
    while True:
        if bill.frequency == Frequency.WEEKLY:
            day = bill.start_date + timedelta(weeks=n)
        else:
            day = add_months(bill.start_date, MONTHS[bill.frequency] * n, bill.start_date.day)
        if day > last:
            return dates
        if day >= start:
            dates.append(day)
        n += 1


def generate_due(bill: RecurringBill, *, today: date | None = None) -> list[Title]:
    """Create the bill's titles due up to `days_ahead` days from today (each once)."""
    today = today or timezone.localdate()
    if not bill.is_active:
        return []
    actor = Actor.system(company_id=bill.company_id)
    done = set(Title.objects.filter(recurring_bill=bill).values_list("recurrence_date", flat=True))
    created = []
    for day in occurrences(bill, start=bill.start_date, until=today + timedelta(days=bill.days_ahead)):
        if day in done:
            continue
        created.append(
            create_title(
                actor=actor,
                kind=bill.kind,
                installments=[InstallmentIn(day, bill.amount)],
                issue_date=min(day, today),
                competence_date=day,
                category_id=bill.category_id,
                party_id=bill.party_id,
                cost_center_id=bill.cost_center_id,
                description=bill.description,
                source=SourceRef(RECURRING_SOURCE, f"{bill.pk}:{day.isoformat()}"),
                recurring_bill_id=bill.pk,
                recurrence_date=day,
            )
        )
    return created


FIELDS = (
    "kind",
    "description",
    "party_id",
    "category_id",
    "cost_center_id",
    "amount",
    "frequency",
    "start_date",
    "end_date",
    "days_ahead",
    "is_active",
)


def _clean(company_id: int, data: dict) -> list[dict]:
    details = []
    data["description"] = (data.get("description") or "").strip()
    if not data["description"] or len(data["description"]) > 200:
        details.append({"field": "description", "message": _("Enter a description of up to 200 characters.")})
    if data.get("kind") not in TitleKind.values:
        details.append({"field": "kind", "message": _("Choose receivable or payable.")})
    if data.get("frequency") not in Frequency.values:
        details.append({"field": "frequency", "message": _("Invalid value.")})
    value = data.get("amount")
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or value <= 0
        or money(value) != value
        or value >= Decimal("1e14")
    ):
        details.append({"field": "amount", "message": _("Enter an amount greater than zero (2 decimal places).")})
    if not isinstance(data.get("start_date"), date):
        details.append({"field": "start_date", "message": _("Invalid date.")})
    elif data.get("end_date") and data["end_date"] < data["start_date"]:
        details.append({"field": "end_date", "message": _("The last due date cannot be before the first.")})
    days = data.get("days_ahead")
    if not isinstance(days, int) or not 0 <= days <= 366:
        details.append({"field": "days_ahead", "message": _("Between 0 and 366 days.")})
    for field, check in (("category_id", category_of), ("cost_center_id", cost_center_of), ("party_id", _party)):
        try:
            check(company_id, data.get(field))
        except ValidationFailed as exc:
            details += exc.details
    return details


def create_recurring_bill(*, actor: Actor, **data) -> RecurringBill:
    company_id = company_id_of(actor)
    data = {k: data.get(k) for k in FIELDS if k in data}
    data.setdefault("kind", TitleKind.PAYABLE)
    data.setdefault("frequency", Frequency.MONTHLY)
    data.setdefault("days_ahead", 45)
    data.setdefault("is_active", True)
    details = _clean(company_id, data)
    if details:
        raise ValidationFailed(details=details)
    with transaction.atomic():
        bill = RecurringBill.objects.create(company_id=company_id, **data)
        audit.record_created(actor, bill)
    return bill


def update_recurring_bill(bill_id: int, *, actor: Actor, version: int | None = None, **changes) -> RecurringBill:
    """Changes apply to the titles not created yet; titles already created keep what they have."""
    company_id = company_id_of(actor)
    with transaction.atomic():
        bill = lock_for_edit(RecurringBill.objects.filter(company_id=company_id), bill_id, version)
        before = audit.snapshot(bill)
        data = {k: getattr(bill, k) for k in FIELDS}
        data.update({k: v for k, v in changes.items() if k in FIELDS})
        details = _clean(company_id, data)
        if details:
            raise ValidationFailed(details=details)
        for k, v in data.items():
            setattr(bill, k, v)
        bill.version += 1
        bill.save()
        audit.record_changed(actor, bill, before)
    return bill
