"""Commissions: each salesperson's rules applied to the lines of their orders in a period, on invoiced
orders or on what customers paid (the company's setting).

A line's base is its value net of discounts (freight, insurance and other costs are not the seller's);
its rate is the salesperson's rule for the product's category, else their general rule; above the
rule's discount band the reduced rate applies. On the paid basis each order counts in proportion to
what was paid of its receivable within the period. Returns completed in the period come off at the
rate their line earned."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.decimal_sql import DecimalSum
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.money import ZERO, amount, quantize
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.finance.models import EntryKind, FinancialEntry
from retaguarda.sales.models import (
    CommissionBasis,
    CommissionRule,
    SalesOrderLine,
    Salesperson,
    SalesReturnLine,
    SalesSettings,
)
from retaguarda.sales.states import ReturnState

HUNDRED = Decimal(100)


@dataclass
class CommissionLine:
    salesperson: str
    order_number: int
    day: date
    sku: str
    base: Decimal
    discount_pct: Decimal
    rate: Decimal
    commission: Decimal
    note: str = ""


def basis_of(company_id: int) -> str:
    found = SalesSettings.objects.filter(company_id=company_id).values_list("commission_basis", flat=True).first()
    return found or CommissionBasis.INVOICED


def set_basis(basis: str, *, actor: Actor) -> SalesSettings:
    if basis not in CommissionBasis.values:
        raise ValidationFailed(details=[{"field": "commission_basis", "message": _("Choose invoiced or paid.")}])
    company_id = company_id_of(actor)
    with transaction.atomic():
        settings, _created = SalesSettings.objects.get_or_create(company_id=company_id)
        before = audit.snapshot(settings, ["commission_basis"])
        settings.commission_basis = basis
        settings.save()
        audit.record_changed(actor, settings, before, company_id=company_id)
    return settings


def save_rule(
    *,
    actor: Actor,
    salesperson_id: int,
    rate: Decimal,
    category: str = "",
    discount_band: Decimal | None = None,
    reduced_rate: Decimal | None = None,
) -> CommissionRule:
    """Create or replace the salesperson's rule for `category` ("" = every product)."""
    company_id = company_id_of(actor)
    problems = []
    for name, value in (("rate", rate), ("discount_band", discount_band), ("reduced_rate", reduced_rate)):
        if value is not None and (not value.is_finite() or not 0 <= value <= 100):
            problems.append({"field": name, "message": _("Enter a percentage from 0 to 100.")})
    if (discount_band is None) != (reduced_rate is None):
        problems.append(
            {"field": "reduced_rate", "message": _("Give both the discount band and the reduced rate, or neither.")}
        )
    if not scoped(Salesperson, company_id).filter(pk=salesperson_id).exists():
        problems.append(missing_row("salesperson_id", _("Salesperson not found.")))
    if problems:
        raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)
    with transaction.atomic():
        rule, _created = CommissionRule.objects.update_or_create(
            company_id=company_id,
            salesperson_id=salesperson_id,
            category=category.strip()[:60],
            defaults={
                "rate": quantize(rate, 4),
                "discount_band": quantize(discount_band, 4) if discount_band is not None else None,
                "reduced_rate": quantize(reduced_rate, 4) if reduced_rate is not None else None,
            },
        )
        audit.record(actor, rule, "saved", {"rate": [None, str(rule.rate)], "category": [None, rule.category]})
    return rule


def _rate(rules: dict, salesperson_id: int, category: str, discount_pct: Decimal) -> Decimal | None:
    own = rules.get(salesperson_id, {})
    rule = own.get(category) or own.get("")
    if rule is None:
        return None
    if rule.discount_band is not None and discount_pct > rule.discount_band:
        return rule.reduced_rate
    return rule.rate


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.max, tz)


def statement(company_id: int, start: date, end: date, *, salesperson_id: int | None = None) -> list[CommissionLine]:
    """Every line's commission in [start, end], oldest first: four queries whatever the period's size."""
    basis = basis_of(company_id)
    low, high = _bounds(start, end)
    rules: dict[int, dict[str, CommissionRule]] = defaultdict(dict)
    for rule in CommissionRule.objects.filter(company_id=company_id):
        rules[rule.salesperson_id][rule.category] = rule
    lines = SalesOrderLine.objects.filter(
        order__company_id=company_id, order__salesperson__isnull=False
    ).select_related("order__salesperson", "product")
    if salesperson_id:
        lines = lines.filter(order__salesperson_id=salesperson_id)
    weights: dict[int, Decimal] = {}
    if basis == CommissionBasis.PAID:
        paid = (
            FinancialEntry.objects.filter(
                company_id=company_id,
                kind__in=[EntryKind.PAYMENT, EntryKind.WITHHOLDING],
                date__gte=start,
                date__lte=end,
                title__source_type="sales.order",
            )
            .values("title_id", "title__source_ref", "title__amount")
            .annotate(paid=DecimalSum("principal_delta", default=ZERO))
        )
        for row in paid:
            weights[int(row["title__source_ref"])] = row["paid"] / row["title__amount"]
        lines = lines.filter(order_id__in=list(weights))
    else:
        lines = lines.filter(order__invoiced_at__gte=low, order__invoiced_at__lte=high)
    result = []
    for line in lines.order_by("order__invoiced_at", "order_id", "number"):
        order = line.order
        base = line.gross - line.discount
        discount_pct = quantize(line.discount * HUNDRED / line.gross, 2) if line.gross else ZERO
        rate = _rate(rules, order.salesperson_id, line.product.category, discount_pct)
        if rate is None:
            continue
        weight = weights.get(order.pk, Decimal(1))
        result.append(
            CommissionLine(
                salesperson=order.salesperson.name,
                order_number=order.number,
                day=timezone.localdate(order.invoiced_at) if order.invoiced_at else order.order_date,
                sku=line.product.sku,
                base=amount(base * weight),
                discount_pct=discount_pct,
                rate=rate,
                commission=amount(base * weight * rate / HUNDRED),
                note=_("%(pct)s%% paid") % {"pct": quantize(weight * HUNDRED, 2)}
                if basis == CommissionBasis.PAID
                else "",
            )
        )
    returned = SalesReturnLine.objects.filter(
        sales_return__company_id=company_id,
        sales_return__state=ReturnState.COMPLETED,
        sales_return__updated_at__gte=low,
        sales_return__updated_at__lte=high,
        sales_return__order__salesperson__isnull=False,
    ).select_related("sales_return__order__salesperson", "order_line__product")
    if salesperson_id:
        returned = returned.filter(sales_return__order__salesperson_id=salesperson_id)
    for r in returned.order_by("sales_return_id", "id"):
        order, line = r.sales_return.order, r.order_line
        discount_pct = quantize(line.discount * HUNDRED / line.gross, 2) if line.gross else ZERO
        rate = _rate(rules, order.salesperson_id, line.product.category, discount_pct)
        if rate is None:
            continue
        base = -(r.gross - r.discount)
        result.append(
            CommissionLine(
                salesperson=order.salesperson.name,
                order_number=order.number,
                day=timezone.localdate(r.sales_return.updated_at),
                sku=line.product.sku,
                base=base,
                discount_pct=discount_pct,
                rate=rate,
                commission=amount(base * rate / HUNDRED),
                note=str(r.sales_return),
            )
        )
    return result


def totals_by_salesperson(lines: list[CommissionLine]) -> list[tuple[str, Decimal, Decimal]]:
    bases: dict[str, Decimal] = defaultdict(lambda: ZERO)
    due: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        bases[line.salesperson] += line.base
        due[line.salesperson] += line.commission
    return [(name, bases[name], due[name]) for name in sorted(due)]
