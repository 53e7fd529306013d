"""Sales goals (metas): a month's target of revenue, orders or margin for a salesperson, a channel or
the company, and how far along it is.

Achieved counts the orders invoiced in the month (cancelled ones drop out). Margin is the value of the
goods net of discounts, less their cost (the stock issue's frozen cost) and the channel's fees (its
percentage of the order plus its fixed fee per order). The daily pace is what is still missing divided
by the days left in the month, today included."""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.decimal_sql import DecimalMul, DecimalSum
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.money import ZERO, amount, quantize
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.inventory.models import StockMove
from retaguarda.sales.models import GoalMetric, SalesChannel, SalesGoal, SalesOrder, Salesperson
from retaguarda.sales.states import OrderState

INVOICED = (OrderState.INVOICED, OrderState.SHIPPED, OrderState.DELIVERED)
HUNDRED = Decimal(100)


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def save_goal(
    *,
    actor: Actor,
    month: date,
    metric: str,
    target: Decimal,
    salesperson_id: int | None = None,
    channel_id: int | None = None,
) -> SalesGoal:
    """Set the month's target for the scope (replacing the one there was)."""
    company_id = company_id_of(actor)
    problems = []
    if metric not in GoalMetric.values:
        problems.append({"field": "metric", "message": _("Choose revenue, orders or margin.")})
    if not isinstance(target, Decimal) or not target.is_finite() or target <= 0 or amount(target) != target:
        problems.append({"field": "target", "message": _("Enter a target greater than zero.")})
    if salesperson_id and channel_id:
        problems.append({"field": "channel_id", "message": _("A goal is for a salesperson or a channel, not both.")})
    if salesperson_id and not scoped(Salesperson, company_id).filter(pk=salesperson_id).exists():
        problems.append(missing_row("salesperson_id", _("Salesperson not found.")))
    if channel_id and not scoped(SalesChannel, company_id).filter(pk=channel_id).exists():
        problems.append(missing_row("channel_id", _("Sales channel not found.")))
    if problems:
        raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)
    with transaction.atomic():
        goal, created = SalesGoal.objects.select_for_update().update_or_create(
            company_id=company_id,
            month=month_of(month),
            metric=metric,
            salesperson_id=salesperson_id or None,
            channel_id=channel_id or None,
            defaults={"target": target},
        )
        audit.record(actor, goal, "created" if created else "updated", {"target": [None, str(target)]})
    return goal


@dataclass
class Progress:
    goal: SalesGoal
    achieved: Decimal
    percent: Decimal
    daily_pace: Decimal  # still needed per remaining day (0 once reached)
    days_left: int


def _order_figures(company_id: int, month: date) -> list[dict]:
    tz = timezone.get_current_timezone()
    low = datetime.combine(month, time.min, tz)
    high = datetime.combine(month_end(month), time.max, tz)
    orders = list(
        SalesOrder.objects.filter(
            company_id=company_id, state__in=INVOICED, invoiced_at__gte=low, invoiced_at__lte=high
        ).values(
            "pk",
            "salesperson_id",
            "channel_id",
            "total",
            "products_total",
            "discount_total",
            "channel__fee_percent",
            "channel__fee_fixed",
        )
    )
    costs = dict(
        StockMove.objects.filter(
            company_id=company_id, source_type=SalesOrder.SOURCE_TYPE, source_id__in=[o["pk"] for o in orders]
        )
        .values("source_id")
        .annotate(cost=DecimalSum(DecimalMul("quantity", "unit_cost"), default=ZERO))
        .values_list("source_id", "cost")
    )
    for o in orders:
        fees = amount(o["total"] * o["channel__fee_percent"] / HUNDRED) + o["channel__fee_fixed"]
        o["margin"] = o["products_total"] - o["discount_total"] - amount(costs.get(o["pk"], ZERO)) - fees
    return orders


def progress(company_id: int, month: date, today: date | None = None) -> list[Progress]:
    """Every goal of the month with what was achieved: three queries whatever the number of goals."""
    month = month_of(month)
    today = today or timezone.localdate()
    goals = list(SalesGoal.objects.filter(company_id=company_id, month=month).select_related("salesperson", "channel"))
    if not goals:
        return []
    sums: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for o in _order_figures(company_id, month):
        for scope in (("company", None), ("salesperson", o["salesperson_id"]), ("channel", o["channel_id"])):
            bucket = sums[scope]
            bucket[GoalMetric.REVENUE] += o["total"]
            bucket[GoalMetric.ORDERS] += 1
            bucket[GoalMetric.MARGIN] += o["margin"]
    end = month_end(month)
    days_left = 0 if today > end else (end - max(today, month)).days + 1
    result = []
    for goal in goals:
        if goal.salesperson_id:
            scope = ("salesperson", goal.salesperson_id)
        elif goal.channel_id:
            scope = ("channel", goal.channel_id)
        else:
            scope = ("company", None)
        achieved = sums[scope][goal.metric] if scope in sums else ZERO
        achieved = Decimal(achieved)
        missing = max(goal.target - achieved, ZERO)
        result.append(
            Progress(
                goal=goal,
                achieved=achieved,
                percent=quantize(achieved * HUNDRED / goal.target, 1),
                daily_pace=amount(missing / days_left) if days_left and missing else ZERO,
                days_left=days_left,
            )
        )
    return result


def previous_month(month: date) -> date:
    return month_of(month_of(month) - timedelta(days=1))
