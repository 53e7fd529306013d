"""Receivables and payables: the lists, a new title with its installments, a title's page with its
settlements, credits, notes and timeline, and the commands on it."""

import re
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from retaguarda.core.actor import actor_of
from retaguarda.core.errors import DomainError, ValidationFailed
from retaguarda.core.pagination import screen_page
from retaguarda.core.states import state_history
from retaguarda.finance import selectors, services
from retaguarda.finance.models import (
    CashAccount,
    Category,
    CostCenter,
    Installment,
    NoteKind,
    Settlement,
    Title,
    TitleKind,
    WithheldTax,
)
from retaguarda.finance.states import TitleState
from retaguarda.finance.views.common import (
    POST,
    VIEW,
    day,
    integer,
    money,
    page,
    show_error,
)

INSTALLMENT_ROWS = 12


def _kind(request, given: str | None = None) -> str:
    kind = given or request.GET.get("kind") or request.POST.get("kind") or TitleKind.RECEIVABLE
    return kind if kind in TitleKind.values else TitleKind.RECEIVABLE


@login_required
@permission_required(VIEW, raise_exception=True)
def title_list(request, kind: str | None = None):
    company = request.company
    kind = _kind(request, kind)
    today = timezone.localdate()
    filters = {k: request.GET.get(k, "").strip() for k in ("state", "q", "due_from", "due_to", "overdue")}
    qs = Title.objects.filter(company=company, kind=kind).select_related("party", "category")
    if filters["state"] in TitleState.values:
        qs = qs.filter(state=filters["state"])
    elif filters["state"] == "pending":
        qs = qs.filter(state__in=[TitleState.OPEN, TitleState.PARTIAL])
    if filters["q"]:
        q = filters["q"]
        qs = qs.filter(
            Q(description__icontains=q)
            | Q(document_number__icontains=q)
            | Q(party__legal_name__icontains=q)
            | Q(party__trade_name__icontains=q)
            | Q(number=int(q) if q.isdigit() else -1)
        )
    window = Installment.objects.filter(company=company, kind=kind, amount_open__gt=0)
    due_from, due_to = day(filters["due_from"]), day(filters["due_to"])
    if due_from:
        window = window.filter(due_date__gte=due_from)
    if due_to:
        window = window.filter(due_date__lte=due_to)
    if filters["overdue"]:
        window = window.filter(due_date__lt=today)
    if due_from or due_to or filters["overdue"]:
        qs = qs.filter(pk__in=window.values("title_id"))
    listing = screen_page(request, qs)
    rows = listing["rows"]
    next_due: dict[int, object] = {}
    for title_id, due in (
        Installment.objects.filter(title__in=rows, amount_open__gt=0)
        .order_by("due_date")
        .values_list("title_id", "due_date")
    ):
        next_due.setdefault(title_id, due)
    for row in rows:
        row.next_due = next_due.get(row.pk)
    context = {
        "kind": kind,
        **listing,
        "filters": filters,
        "states": TitleState.choices,
        "today": today,
    }
    return page(request, "finance/titles.html", context)


def party_from_text(company, text: str) -> int | None:
    """The party typed as CPF/CNPJ, or as a name matching exactly one party; None when empty."""
    from retaguarda.parties.models import Party

    text = (text or "").strip()
    if not text:
        return None
    document = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    parties = Party.objects.filter(company=company)
    found = list(parties.filter(document=document)[:2]) if len(document) in (11, 14) else []
    if not found:
        name = text.split(" - ")[0].strip()
        found = list(parties.filter(Q(legal_name__iexact=name) | Q(trade_name__iexact=name))[:2])
        if not found:
            found = list(parties.filter(Q(legal_name__icontains=name) | Q(trade_name__icontains=name))[:2])
    if len(found) != 1:
        raise ValidationFailed(
            details=[
                {"field": "party", "message": _("No single customer or supplier matches “%(text)s”.") % {"text": text}}
            ]
        )
    return found[0].pk


def _form_context(request, kind: str) -> dict:
    company = request.company
    services.ensure_chart(company.pk)
    wanted = "income" if kind == TitleKind.RECEIVABLE else "expense"
    return {
        "kind": kind,
        "categories": Category.objects.filter(company=company, is_active=True, kind=wanted).order_by("code"),
        "cost_centers": CostCenter.objects.filter(company=company, is_active=True).order_by("code"),
        "rows": [
            (n, request.POST.get(f"due_{n}", ""), request.POST.get(f"amount_{n}", ""))
            for n in range(1, INSTALLMENT_ROWS + 1)
        ],
        "parties": _party_choices(company, kind),
        "data": request.POST,
        "today": timezone.localdate(),
    }


def _party_choices(company, kind: str):
    from retaguarda.parties.models import Party

    role = {"is_customer": True} if kind == TitleKind.RECEIVABLE else {"is_supplier": True}
    return (
        Party.objects.filter(company=company, is_active=True, **role)
        .order_by("legal_name")
        .values_list("legal_name", "document")[:500]
    )


@login_required
@permission_required(POST, raise_exception=True)
def title_new(request):
    kind = _kind(request)
    if request.method == "POST":
        installments = []
        count = integer(request.POST.get("count"))
        total = money(request.POST.get("total"))
        first_due = day(request.POST.get("first_due"))
        try:
            if count and total is not None and first_due:
                installments = services.split_installments(
                    total, count, first_due, every_days=integer(request.POST.get("every_days")) or 30
                )
            else:
                for n in range(1, INSTALLMENT_ROWS + 1):
                    due, value = request.POST.get(f"due_{n}", ""), request.POST.get(f"amount_{n}", "")
                    if due.strip() or value.strip():
                        installments.append(services.InstallmentIn(day(due), money(value)))
            party_id = party_from_text(request.company, request.POST.get("party", ""))
            title = services.create_title(
                actor=actor_of(request),
                kind=kind,
                installments=installments,
                issue_date=day(request.POST.get("issue_date"), timezone.localdate()),
                competence_date=day(request.POST.get("competence_date")),
                category_id=integer(request.POST.get("category_id")),
                cost_center_id=integer(request.POST.get("cost_center_id")),
                party_id=party_id,
                description=request.POST.get("description", ""),
                document_number=request.POST.get("document_number", ""),
                notes=request.POST.get("notes", ""),
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("%(title)s created.") % {"title": title})
            return redirect("finance:title", title.pk)
    return render(request, "finance/title_form.html", _form_context(request, kind))


@login_required
@permission_required(VIEW, raise_exception=True)
def title_detail(request, title_id: int):
    company = request.company
    title = get_object_or_404(
        Title.objects.select_related("party", "category", "cost_center"), pk=title_id, company=company
    )
    installments = list(title.installments.order_by("number"))
    settlements = list(title.settlements.select_related("account", "installment").order_by("-id"))
    context = {
        "title": title,
        "installments": installments,
        "open_installments": [i for i in installments if i.amount_open > 0],
        "settlements": settlements,
        "entries": title.entries.select_related("account", "category").order_by("-id")[:100],
        "notes": title.collection_notes.select_related("user").order_by("-id"),
        "accounts": CashAccount.objects.filter(company=company, is_active=True).order_by("name"),
        "taxes": WithheldTax.choices,
        "events": state_history(title),
        "today": timezone.localdate(),
        "position": selectors.customer_position(company.pk, title.party_id, kind=title.kind)
        if title.party_id
        else None,
        "data": request.POST,
    }
    return render(request, "finance/title_detail.html", context)


@login_required
@permission_required(POST, raise_exception=True)
@require_POST
def title_settle(request, title_id: int):
    title = get_object_or_404(Title, pk=title_id, company=request.company)
    installment_id = integer(request.POST.get("installment_id"))
    if not title.installments.filter(pk=installment_id).exists():
        messages.error(request, _("Choose the installment to settle."))
        return title_detail(request, title_id)
    withholdings = []
    for n in range(1, 4):
        tax, value = request.POST.get(f"tax_{n}", ""), money(request.POST.get(f"tax_amount_{n}"))
        if tax and value is not None:
            withholdings.append(services.Withholding(tax, value))
    try:
        services.settle(
            installment_id,
            actor=actor_of(request),
            on=day(request.POST.get("date"), timezone.localdate()),
            account_id=integer(request.POST.get("account_id")),
            paid=money(request.POST.get("paid")),
            interest=money(request.POST.get("interest")),
            fine=money(request.POST.get("fine")),
            discount=money(request.POST.get("discount")),
            withholdings=withholdings,
            memo=request.POST.get("memo", ""),
        )
    except DomainError as exc:
        show_error(request, exc)
        return title_detail(request, title_id)
    messages.success(request, _("Settlement recorded."))
    return redirect("finance:title", title.pk)


@login_required
@permission_required(POST, raise_exception=True)
@require_POST
def title_cancel(request, title_id: int):
    title = get_object_or_404(Title, pk=title_id, company=request.company)
    try:
        services.cancel_title(title.pk, actor=actor_of(request), reason=request.POST.get("reason", ""))
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("%(title)s cancelled.") % {"title": title})
    return redirect("finance:title", title.pk)


@login_required
@permission_required(POST, raise_exception=True)
@require_POST
def settlement_reverse(request, settlement_id: int):
    settlement = get_object_or_404(Settlement, pk=settlement_id, company=request.company)
    try:
        services.reverse_settlement(settlement.pk, actor=actor_of(request), reason=request.POST.get("reason", ""))
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("Settlement reversed."))
    return redirect("finance:title", settlement.title_id)


@login_required
@permission_required(POST, raise_exception=True)
@require_POST
def title_note(request, title_id: int):
    title = get_object_or_404(Title, pk=title_id, company=request.company)
    kind = request.POST.get("kind", NoteKind.NOTE)
    try:
        services.add_note(
            title.pk,
            actor=actor_of(request),
            kind=kind,
            text=request.POST.get("text", ""),
            promised_date=day(request.POST.get("promised_date")),
            promised_amount=money(request.POST.get("promised_amount")),
        )
    except DomainError as exc:
        show_error(request, exc)
        return title_detail(request, title_id)
    messages.success(request, _("Note recorded."))
    return redirect("finance:title", title.pk)


def due_soon(company, kind: str, days: int = 7):
    today = timezone.localdate()
    return selectors.open_installments(company.pk, kind=kind, due_to=today + timedelta(days=days))[:15]
