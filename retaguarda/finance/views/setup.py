"""The chart of categories, cost centers and recurring bills."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core.actor import actor_of
from retaguarda.core.errors import DomainError
from retaguarda.finance import services
from retaguarda.finance.models import (
    BalanceAccount,
    Category,
    CategoryKind,
    CostCenter,
    DreGroup,
    Frequency,
    RecurringBill,
    TitleKind,
)
from retaguarda.finance.views.common import CHANGE, VIEW, day, integer, money, require, show_error
from retaguarda.finance.views.titles import party_from_text


def _depth(category: Category) -> int:
    return category.code.count(".")


@login_required
@permission_required(VIEW, raise_exception=True)
def category_list(request):
    company = request.company
    services.ensure_chart(company.pk)
    if request.method == "POST":
        require(request, CHANGE)
        action = request.POST.get("action", "category")
        try:
            if action == "cost_center":
                services.create_cost_center(
                    actor=actor_of(request), code=request.POST.get("code", ""), name=request.POST.get("name", "")
                )
            else:
                services.create_category(
                    actor=actor_of(request),
                    parent_id=integer(request.POST.get("parent_id")),
                    code=request.POST.get("code", ""),
                    name=request.POST.get("name", ""),
                    kind=request.POST.get("kind", ""),
                    dre_group=request.POST.get("dre_group", ""),
                    posts_to=request.POST.get("posts_to", ""),
                )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("finance:categories")
    categories = list(Category.objects.filter(company=company).order_by("code", "id"))
    for c in categories:
        c.depth = range(_depth(c))
    context = {
        "categories": categories,
        "cost_centers": CostCenter.objects.filter(company=company).order_by("code"),
        "kinds": CategoryKind.choices,
        "groups": DreGroup.choices,
        "balance_accounts": [(v, label) for v, label in BalanceAccount.choices if v != BalanceAccount.CASH],
        "data": request.POST,
    }
    return render(request, "finance/categories.html", context)


@login_required
@permission_required(CHANGE, raise_exception=True)
def category_edit(request, category_id: int):
    company = request.company
    category = get_object_or_404(Category, pk=category_id, company=company)
    if request.method == "POST":
        try:
            services.update_category(
                category.pk,
                actor=actor_of(request),
                version=integer(request.POST.get("version")),
                parent_id=integer(request.POST.get("parent_id")),
                code=request.POST.get("code", ""),
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                dre_group=request.POST.get("dre_group", ""),
                posts_to=request.POST.get("posts_to", ""),
                is_active=bool(request.POST.get("is_active")),
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("finance:categories")
    context = {
        "category": category,
        "parents": Category.objects.filter(company=company).exclude(pk=category.pk).order_by("code"),
        "kinds": CategoryKind.choices,
        "groups": DreGroup.choices,
        "balance_accounts": [(v, label) for v, label in BalanceAccount.choices if v != BalanceAccount.CASH],
        "data": request.POST,
    }
    return render(request, "finance/category_form.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def recurring_list(request):
    company = request.company
    services.ensure_chart(company.pk)
    if request.method == "POST":
        require(request, CHANGE)
        try:
            bill = services.create_recurring_bill(
                actor=actor_of(request),
                kind=request.POST.get("kind", TitleKind.PAYABLE),
                description=request.POST.get("description", ""),
                party_id=party_from_text(company, request.POST.get("party", "")),
                category_id=integer(request.POST.get("category_id")),
                cost_center_id=integer(request.POST.get("cost_center_id")),
                amount=money(request.POST.get("amount")),
                frequency=request.POST.get("frequency", Frequency.MONTHLY),
                start_date=day(request.POST.get("start_date")),
                end_date=day(request.POST.get("end_date")),
                days_ahead=integer(request.POST.get("days_ahead")) if request.POST.get("days_ahead") else 45,
            )
            created = services.generate_due(bill)
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Recurring bill saved; %(n)s titles created ahead.") % {"n": len(created)})
            return redirect("finance:recurring")
    context = {
        "bills": RecurringBill.objects.filter(company=company)
        .select_related("party", "category")
        .order_by("-is_active", "description"),
        "categories": Category.objects.filter(company=company, is_active=True).order_by("code"),
        "cost_centers": CostCenter.objects.filter(company=company, is_active=True).order_by("code"),
        "frequencies": Frequency.choices,
        "kinds": TitleKind.choices,
        "data": request.POST,
        "today": timezone.localdate(),
    }
    return render(request, "finance/recurring.html", context)


@login_required
@permission_required(CHANGE, raise_exception=True)
def recurring_toggle(request, bill_id: int):
    bill = get_object_or_404(RecurringBill, pk=bill_id, company=request.company)
    if request.method == "POST":
        try:
            services.update_recurring_bill(
                bill.pk, actor=actor_of(request), version=bill.version, is_active=not bill.is_active
            )
        except DomainError as exc:
            show_error(request, exc)
    return redirect("finance:recurring")
