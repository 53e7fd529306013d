"""Cash accounts (with their entries, the account statement), direct entries and transfers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.br_tables.models import Bank
from retaguarda.core.actor import actor_of
from retaguarda.core.errors import DomainError
from retaguarda.core.pagination import screen_page
from retaguarda.finance import services
from retaguarda.finance.models import CashAccount, CashAccountKind, Category, FinancialEntry, Transfer
from retaguarda.finance.views.common import (
    CHANGE,
    POST,
    VIEW,
    day,
    integer,
    money,
    page,
    require,
    show_error,
)

# The banks people pick most, first in the list; the rest by code.
COMMON_BANKS = ("001", "237", "341", "104", "033", "260", "077", "756", "748", "336", "208", "212", "290", "323")


def _banks():
    banks = list(Bank.objects.exclude(compe="").order_by("compe"))
    return sorted(banks, key=lambda b: (b.compe not in COMMON_BANKS, b.compe))


def _account_fields(request) -> dict:
    return {
        "kind": request.POST.get("kind", ""),
        "name": request.POST.get("name", ""),
        "bank_id": request.POST.get("bank_id") or None,
        "branch": request.POST.get("branch", ""),
        "number": request.POST.get("number", ""),
        "opening_balance": money(request.POST.get("opening_balance")),
        "opening_date": day(request.POST.get("opening_date")),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def account_list(request):
    company = request.company
    if request.method == "POST":
        require(request, CHANGE)
        try:
            account = services.create_account(actor=actor_of(request), **_account_fields(request))
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": account})
            return redirect("finance:accounts")
    accounts = CashAccount.objects.filter(company=company).select_related("bank").order_by("-is_active", "name")
    context = {
        "accounts": accounts,
        "total": sum((a.balance for a in accounts if a.is_active), 0),
        "kinds": CashAccountKind.choices,
        "banks": _banks(),
        "data": request.POST,
        "today": timezone.localdate(),
    }
    return render(request, "finance/accounts.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def account_detail(request, account_id: int):
    company = request.company
    account = get_object_or_404(CashAccount.objects.select_related("bank"), pk=account_id, company=company)
    if request.method == "POST":
        require(request, CHANGE)
        fields = _account_fields(request)
        fields.pop("kind")
        fields["is_active"] = bool(request.POST.get("is_active"))
        try:
            services.update_account(
                account.pk, actor=actor_of(request), version=integer(request.POST.get("version")), **fields
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Account saved."))
            return redirect("finance:account", account.pk)
    qs = FinancialEntry.objects.filter(account=account).select_related("party", "category", "title")
    context = {
        "account": account,
        **screen_page(request, qs, ordering=("-date", "-id")),
        "banks": _banks(),
        "data": request.POST,
    }
    return page(request, "finance/account_detail.html", context)


@login_required
@permission_required(POST, raise_exception=True)
def entry_new(request):
    """A direct entry (lançamento avulso): a bank fee, interest earned, a cash expense."""
    company = request.company
    services.ensure_chart(company.pk)
    if request.method == "POST":
        try:
            services.record_direct(
                actor=actor_of(request),
                account_id=integer(request.POST.get("account_id")),
                category_id=integer(request.POST.get("category_id")),
                amount=money(request.POST.get("amount")),
                on=day(request.POST.get("date"), timezone.localdate()),
                memo=request.POST.get("memo", ""),
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Entry recorded."))
            return redirect("finance:account", integer(request.POST.get("account_id")))
    context = {
        "accounts": CashAccount.objects.filter(company=company, is_active=True).order_by("name"),
        "categories": Category.objects.filter(company=company, is_active=True).order_by("code"),
        "data": request.POST or request.GET,
        "today": timezone.localdate(),
    }
    return render(request, "finance/entry_form.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def transfer_list(request):
    company = request.company
    if request.method == "POST":
        require(request, POST)
        try:
            services.transfer(
                actor=actor_of(request),
                from_account_id=integer(request.POST.get("from_account_id")),
                to_account_id=integer(request.POST.get("to_account_id")),
                amount=money(request.POST.get("amount")),
                on=day(request.POST.get("date"), timezone.localdate()),
                memo=request.POST.get("memo", ""),
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Transfer recorded."))
            return redirect("finance:transfers")
    qs = Transfer.objects.filter(company=company).select_related("from_account", "to_account")
    context = {
        **screen_page(request, qs),
        "accounts": CashAccount.objects.filter(company=company, is_active=True).order_by("name"),
        "data": request.POST,
        "today": timezone.localdate(),
    }
    return page(request, "finance/transfers.html", context)
