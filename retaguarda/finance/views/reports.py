"""The finance home, cash flow (chart, table, CSV/XLSX), the income statement (DRE) with its drill-down,
receivables aging, payables by due date, collections and a party's statement."""

import io
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core.actor import actor_of
from retaguarda.core.errors import DomainError
from retaguarda.core.pagination import query_without_cursor, screen_page
from retaguarda.core.tabular import CONTENT_TYPES, export_filename, write_export
from retaguarda.finance import selectors, services
from retaguarda.finance.exports import CashFlowExport, DreExport
from retaguarda.finance.models import (
    CashAccount,
    Category,
    CostCenter,
    DreGroup,
    FinancialEntry,
    JournalAccount,
    JournalLine,
    ReminderTemplate,
    TitleKind,
)
from retaguarda.finance.selectors.dre import CASH_KINDS
from retaguarda.finance.views.common import CHANGE, VIEW, day, integer, require, show_error


def _export(request, exporter, name: str, fmt: str) -> HttpResponse:
    out = io.BytesIO()
    write_export(exporter, out, fmt)
    response = HttpResponse(out.getvalue(), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{export_filename(name, fmt)}"'
    return response


def _chart_data(flow) -> dict:
    return {
        "labels": [r.start.strftime("%d/%m" if flow.granularity != "month" else "%m/%Y") for r in flow.rows],
        "inflow": [str(r.realized_in + r.projected_in) for r in flow.rows],
        "outflow": [str(-(r.realized_out + r.projected_out)) for r in flow.rows],
        "balance": [str(r.balance) for r in flow.rows],
        "projected_from": next((i for i, r in enumerate(flow.rows) if r.end >= flow.today), len(flow.rows)),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def home(request):
    company = request.company
    today = timezone.localdate()
    flow = selectors.cash_flow(company.pk, start=today, end=today + timedelta(days=30), today=today)
    context = {
        "accounts": CashAccount.objects.filter(company=company, is_active=True).order_by("name"),
        "flow": flow,
        "chart": _chart_data(flow),
        "receivables": selectors.open_installments(
            company.pk, kind=TitleKind.RECEIVABLE, due_to=today + timedelta(days=7)
        )[:10],
        "payables": selectors.open_installments(company.pk, kind=TitleKind.PAYABLE, due_to=today + timedelta(days=7))[
            :10
        ],
        "today": today,
    }
    return render(request, "finance/home.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def cashflow(request):
    company = request.company
    today = timezone.localdate()
    start = day(request.GET.get("start"), today.replace(day=1))
    end = day(request.GET.get("end"), start + timedelta(days=89))
    if end < start:
        end = start
    granularity = request.GET.get("granularity", "day")
    account_id = integer(request.GET.get("account"))
    if account_id and not CashAccount.objects.filter(pk=account_id, company=company).exists():
        raise Http404
    flow = selectors.cash_flow(
        company.pk, start=start, end=end, granularity=granularity, account_id=account_id, today=today
    )
    fmt = request.GET.get("export")
    if fmt in CONTENT_TYPES:
        return _export(request, CashFlowExport(actor=actor_of(request), flow=flow), "fluxo-de-caixa", fmt)
    context = {
        "flow": flow,
        "chart": _chart_data(flow),
        "accounts": CashAccount.objects.filter(company=company).order_by("name"),
        "filters": {"start": start, "end": end, "granularity": flow.granularity, "account": account_id},
        "query": query_without_cursor(request),
        "totals": flow.totals(),
        "table": _table(flow),
    }
    return render(request, "finance/cashflow.html", context)


def _table(flow) -> list[tuple]:
    """The table's rows as plain tuples (period, amounts, balance): a year by day is 365 rows, and the
    template's attribute and date lookups on each cell were a third of the page's time."""
    rows = []
    for r in flow.rows:
        period = f"{r.start:%d/%m/%Y}" if r.end == r.start else f"{r.start:%d/%m/%Y} \u2013 {r.end:%d/%m/%Y}"
        rows.append((period, (r.realized_in, r.realized_out, r.projected_in, r.projected_out, r.net), r.balance))
    return rows


@login_required
@permission_required(VIEW, raise_exception=True)
def dre(request):
    company = request.company
    today = timezone.localdate()
    start = day(request.GET.get("start"), today.replace(month=1, day=1))
    end = day(request.GET.get("end"), today)
    if end < start or (end - start).days > 800:
        end = min(max(end, start), start + timedelta(days=800))
    basis = request.GET.get("basis", "accrual")
    center = integer(request.GET.get("cost_center"))
    report = selectors.income_statement(company.pk, start=start, end=end, basis=basis, cost_center_id=center)
    fmt = request.GET.get("export")
    if fmt in CONTENT_TYPES:
        return _export(request, DreExport(actor=actor_of(request), dre=report), "dre", fmt)
    chart_rows = [r for r in report.rows if r.key in ("net_revenue", "gross_profit", "net_result")]
    context = {
        "dre": report,
        "filters": {"start": start, "end": end, "basis": report.basis, "cost_center": center},
        "cost_centers": CostCenter.objects.filter(company=company).order_by("code"),
        "query": query_without_cursor(request),
        "chart": {
            "labels": [m.strftime("%m/%Y") for m in report.months],
            "series": [{"label": r.label, "values": [str(v) for v in r.values]} for r in chart_rows],
        },
    }
    return render(request, "finance/dre.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def dre_detail(request):
    """What is behind a line of the income statement: journal lines (accrual) or entries (cash)."""
    company = request.company
    start, end = day(request.GET.get("start")), day(request.GET.get("end"))
    if not start or not end:
        raise Http404
    basis = request.GET.get("basis", "accrual")
    category_id, group = integer(request.GET.get("category")), request.GET.get("group", "")
    categories = Category.objects.filter(company=company)
    if category_id:
        categories = categories.filter(pk=category_id)
    elif group in DreGroup.values:
        categories = categories.filter(dre_group=group)
    else:
        raise Http404
    center = integer(request.GET.get("cost_center"))
    if basis == "cash":
        qs = FinancialEntry.objects.filter(
            company=company, kind__in=CASH_KINDS, category__in=categories, date__gte=start, date__lte=end
        )
        qs = qs.select_related("title", "party", "category", "account")
    else:
        qs = JournalLine.objects.filter(
            company=company, account=JournalAccount.RESULT, category__in=categories, date__gte=start, date__lte=end
        )
        qs = qs.select_related("entry", "category", "party")
    if center:
        qs = qs.filter(cost_center_id=center)
    context = {
        **screen_page(request, qs, ordering=("date", "id"), default_limit=100),
        "basis": basis,
        "start": start,
        "end": end,
        "category": categories.first() if category_id else None,
        "group": dict(DreGroup.choices).get(group, ""),
    }
    return render(request, "finance/dre_detail.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def aging(request):
    company = request.company
    kind = request.GET.get("kind", TitleKind.RECEIVABLE)
    kind = kind if kind in TitleKind.values else TitleKind.RECEIVABLE
    report = selectors.aging(company.pk, kind=kind)
    upcoming = (
        selectors.open_installments(company.pk, kind=TitleKind.PAYABLE)[:200] if kind == TitleKind.PAYABLE else []
    )
    return render(
        request,
        "finance/aging.html",
        {"report": report, "kind": kind, "buckets": selectors.BUCKETS, "totals": report.totals(), "upcoming": upcoming},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def collections(request):
    company = request.company
    services.ensure_templates(company.pk)
    if request.method == "POST":
        require(request, CHANGE)
        try:
            template_id = integer(request.POST.get("template_id"))
            fields = {
                "name": request.POST.get("name", ""),
                "days_offset": _offset(request.POST.get("days_offset")),
                "subject": request.POST.get("subject", ""),
                "body": request.POST.get("body", ""),
            }
            if template_id:
                get_object_or_404(ReminderTemplate, pk=template_id, company=company)
                services.update_template(
                    template_id,
                    actor=actor_of(request),
                    version=integer(request.POST.get("version")),
                    is_active=bool(request.POST.get("is_active")),
                    **fields,
                )
            else:
                services.create_template(actor=actor_of(request), **fields)
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Reminder saved."))
            return redirect("finance:collections")
    context = {
        "rows": selectors.follow_up(company.pk),
        "today": timezone.localdate(),
        "templates": ReminderTemplate.objects.filter(company=company).order_by("days_offset", "id"),
        "placeholders": services.reminders.PLACEHOLDERS,
        "data": request.POST,
    }
    return render(request, "finance/collections.html", context)


def _offset(text) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


@login_required
@permission_required(VIEW, raise_exception=True)
def party_statement(request, party_id: int):
    from retaguarda.parties.models import Party

    company = request.company
    party = get_object_or_404(Party, pk=party_id, company=company)
    today = timezone.localdate()
    start = day(request.GET.get("start"), date(today.year, 1, 1))
    end = day(request.GET.get("end"), today + timedelta(days=365))
    statement = selectors.party_statement(company.pk, party.pk, start=start, end=end)
    context = {
        "party": party,
        "statement": statement,
        "filters": {"start": start, "end": end},
        "position": selectors.customer_position(company.pk, party.pk),
        "open": selectors.open_installments(company.pk, kind=TitleKind.RECEIVABLE, party_id=party.pk)[:100],
        "open_payables": selectors.open_installments(company.pk, kind=TitleKind.PAYABLE, party_id=party.pk)[:100],
        "today": today,
    }
    return render(request, "finance/party_statement.html", context)
