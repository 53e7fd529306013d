"""Sales pages: orders (list, entry by SKU or barcode, the order with its actions and timeline) and
the channels. Reads go through `selectors`, writes through `services`, like the API."""

import csv
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from retaguarda.catalog.models import PriceList
from retaguarda.core.actor import actor_of
from retaguarda.core.decimals import read_decimal
from retaguarda.core.errors import DomainError, ValidationFailed
from retaguarda.core.pagination import query_without_cursor, screen_page
from retaguarda.core.states import allowed_transitions, state_history
from retaguarda.finance.selectors import customer_position
from retaguarda.inventory.models import Warehouse
from retaguarda.parties.models import Party
from retaguarda.sales import pdf, selectors, services
from retaguarda.sales.models import (
    ChannelKind,
    CommissionBasis,
    CommissionRule,
    GoalMetric,
    Quote,
    ReturnDestination,
    SalesChannel,
    SalesOrder,
    Salesperson,
)
from retaguarda.sales.services import LineIn, OrderIn
from retaguarda.sales.states import OrderState, QuoteState

VIEW = "sales.view"
CHANGE = "sales.change"
SHIP = "sales.ship"  # Logística ships and delivers without changing orders otherwise


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _decimal(text: str, default: Decimal | None = None) -> Decimal | None:
    """A number as people type it here ("1.234,56", "1234.56"), read by the one reader; None when it is
    not one (NaN, infinity and exponents included). The services check each field's places and range."""
    text = (text or "").strip()
    if not text:
        return default
    try:
        return read_decimal(text, typed=True)
    except ValueError:
        return None


def _error(request, exc: DomainError):
    messages.error(request, exc.message)
    for detail in exc.details:
        if isinstance(detail, dict) and detail.get("message") and detail.get("message") != exc.message:
            messages.error(request, detail["message"])


@login_required
@permission_required(VIEW, raise_exception=True)
def orders(request):
    company = request.company
    filters = {
        "state": request.GET.get("state", ""),
        "channel": request.GET.get("channel", ""),
        "date_from": request.GET.get("date_from", ""),
        "date_to": request.GET.get("date_to", ""),
        "q": request.GET.get("q", "").strip(),
        "late": request.GET.get("late", ""),
    }
    qs = selectors.order_list(
        company.pk,
        state=filters["state"],
        channel_id=_int(filters["channel"]),
        date_from=selectors.parse_date(filters["date_from"]),
        date_to=selectors.parse_date(filters["date_to"]),
        customer=filters["q"],
        late=bool(filters["late"]),
    )
    context = {
        **screen_page(request, qs),
        "filters": filters,
        "states": OrderState.choices,
        "channels": list(SalesChannel.objects.filter(company=company).order_by("code")),
        "today": timezone.localdate(),
    }
    template = "sales/orders.html"
    return render(request, f"{template}#table" if request.htmx else template, context)


def _parse_lines(text: str) -> tuple[list[LineIn], list[str]]:
    """One line per product: "SKU or barcode; quantity; unit price (optional); discount (optional)"."""
    lines, problems = [], []
    for n, raw in enumerate((text or "").splitlines(), 1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.replace("\t", ";").split(";")]
        code = parts[0]
        quantity = _decimal(parts[1] if len(parts) > 1 else "", Decimal(1))
        price = _decimal(parts[2]) if len(parts) > 2 and parts[2] else None
        discount = _decimal(parts[3], Decimal(0)) if len(parts) > 3 else Decimal(0)
        if quantity is None or (len(parts) > 2 and parts[2] and price is None) or discount is None:
            problems.append(_("Line %(n)s: “%(text)s” is not “SKU; quantity; price”.") % {"n": n, "text": raw.strip()})
            continue
        lines.append(LineIn(quantity=quantity, sku=code, unit_price=price, discount=discount))
    return lines, problems


def _typed_order(request) -> tuple[OrderIn | None, list[str]]:
    """The order (or quote) typed on the entry form, or the problems found in what was typed."""
    post = request.POST
    lines, problems = _parse_lines(post.get("lines", ""))
    amounts = {name: _decimal(post.get(name, ""), Decimal(0)) for name in ("discount", "freight")}
    problems += [_("Enter a valid amount.") for value in amounts.values() if value is None]
    document = "".join(ch for ch in post.get("customer", "") if ch.isalnum()).upper()
    customer = Party.objects.filter(company=request.company, document=document, is_customer=True).first()
    if customer is None:
        problems.append(_("Customer not found: type the CPF/CNPJ of a registered customer."))
    if problems:
        return None, problems
    return (
        OrderIn(
            channel_id=_int(post.get("channel")) or 0,
            customer_id=customer.pk,
            salesperson_id=_int(post.get("salesperson")),
            payment_terms=post.get("payment_terms", ""),
            promised_ship_date=selectors.parse_date(post.get("promised_ship_date", "")),
            notes=post.get("notes", ""),
            lines=tuple(lines),
            **amounts,
        ),
        [],
    )


def _entry_form(request, *, quote: bool):
    company = request.company
    if request.method == "POST":
        data, problems = _typed_order(request)
        for problem in problems:
            messages.error(request, problem)
        if data is not None:
            try:
                if quote:
                    created = services.create_quote(
                        data,
                        actor=actor_of(request),
                        valid_until=selectors.parse_date(request.POST.get("valid_until", "")),
                    )
                else:
                    created = services.create_order(data, actor=actor_of(request))
            except DomainError as exc:
                _error(request, exc)
            else:
                messages.success(request, _("%(document)s created.") % {"document": created})
                if quote:
                    return redirect("sales:quote", quote_id=created.pk)
                return redirect("sales:order", order_id=created.pk)
    context = {
        "quote": quote,
        "channels": SalesChannel.objects.filter(company=company, active=True).order_by("code"),
        "salespeople": Salesperson.objects.filter(company=company, active=True),
        "data": request.POST,
    }
    return render(request, "sales/order_form.html", context)


@login_required
@permission_required(CHANGE, raise_exception=True)
def order_new(request):
    return _entry_form(request, quote=False)


@login_required
@permission_required(CHANGE, raise_exception=True)
def quote_new(request):
    return _entry_form(request, quote=True)


@login_required
@permission_required(VIEW, raise_exception=True)
def quotes(request):
    qs = Quote.objects.filter(company=request.company).select_related("customer", "channel")
    state = request.GET.get("state", "")
    if state:
        qs = qs.filter(state=state)
    context = {
        **screen_page(request, qs),
        "filters": {"state": state},
        "states": QuoteState.choices,
        "today": timezone.localdate(),
    }
    template = "sales/quotes.html"
    return render(request, f"{template}#table" if request.htmx else template, context)


@login_required
@permission_required(VIEW, raise_exception=True)
def quote_detail(request, quote_id: int):
    quote = get_object_or_404(
        Quote.objects.select_related("channel", "customer", "salesperson"), pk=quote_id, company=request.company
    )
    order = SalesOrder.objects.filter(quote=quote).only("pk", "number").first()
    context = {
        "quote": quote,
        "order": order,
        "expired": services.is_expired(quote),
        "lines": quote.lines.select_related("product").order_by("number"),
        "allowed": allowed_transitions(quote),
    }
    return render(request, "sales/quote_detail.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def quote_pdf(request, quote_id: int):
    quote = get_object_or_404(
        Quote.objects.select_related("company", "customer", "salesperson"), pk=quote_id, company=request.company
    )
    response = HttpResponse(pdf.quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="orcamento-{quote.number}.pdf"'
    return response


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def quote_action(request, quote_id: int, action: str):
    get_object_or_404(Quote, pk=quote_id, company=request.company)
    try:
        if action == "convert":
            order = services.convert_quote(quote_id, actor=actor_of(request), confirm=bool(request.POST.get("confirm")))
            messages.success(request, _("%(document)s created.") % {"document": order})
            return redirect("sales:order", order_id=order.pk)
        if action == "cancel":
            services.cancel_quote(quote_id, actor=actor_of(request))
        else:
            raise PermissionDenied
    except DomainError as exc:
        _error(request, exc)
    return redirect("sales:quote", quote_id=quote_id)


@login_required
@permission_required(VIEW, raise_exception=True)
def order_detail(request, order_id: int):
    order = get_object_or_404(
        SalesOrder.objects.select_related("channel", "customer", "salesperson", "warehouse", "receivable"),
        pk=order_id,
        company=request.company,
    )
    rejections = selectors.rejections(order)
    context = {
        "order": order,
        "lines": order.lines.select_related("product").order_by("number"),
        "allowed": allowed_transitions(order),
        "events": state_history(order),
        "notes": selectors.notes_of(order),
        "rejections": rejections,
        "position": customer_position(order.company_id, order.customer_id),
        "resendable": any(n.can_resend for n in rejections),
        "returns": order.returns.all(),
        "returnable": order.state in services.RETURNABLE,
        "editable": order.state == OrderState.DRAFT and request.user.has_perm(CHANGE),
        "destinations": ReturnDestination.choices,
    }
    return render(request, "sales/order_detail.html", context)


def _typed_lines(post, numbers) -> tuple[list[LineIn], list[dict], list[str]]:
    """The draft's lines as typed on its page (each row's SKU, quantity, price, discount; a row left
    with quantity 0 is removed), plus the row added by SKU or barcode."""
    lines, rows, problems = [], [], []
    for n in [*numbers, "new"]:
        code = post.get(f"sku_{n}", "").strip()
        typed = {k: post.get(f"{k}_{n}", "") for k in ("qty", "price", "discount")}
        if not code:
            continue
        rows.append({"sku": code, **typed})
        qty = _decimal(typed["qty"], Decimal(1))
        price = _decimal(typed["price"]) if typed["price"].strip() else None
        discount = _decimal(typed["discount"], Decimal(0))
        if qty is None or discount is None or (typed["price"].strip() and price is None):
            problems.append(_("Line %(n)s: enter numbers such as 2 or 19,90.") % {"n": code})
        elif qty != 0:
            lines.append(LineIn(quantity=qty, sku=code, unit_price=price, discount=discount))
    return lines, rows, problems


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def order_lines(request, order_id: int):
    """The draft's lines edited in place (htmx): saved and answered with the table and its totals."""
    order = get_object_or_404(SalesOrder, pk=order_id, company=request.company)
    numbers = [str(n) for n in order.lines.values_list("number", flat=True)]
    lines, rows, problems = _typed_lines(request.POST, numbers)
    errors = list(problems)
    if not problems:
        try:
            order = services.edit_draft(
                order.pk, actor=actor_of(request), version=_int(request.POST.get("version")), lines=tuple(lines)
            )
        except DomainError as exc:
            errors = [exc.message] + [
                d["message"]
                for d in exc.details
                if isinstance(d, dict) and d.get("message") and d["message"] != exc.message
            ]
    if errors:
        context = {"order": order, "typed": rows, "errors": errors, "editable": True}
    else:
        context = {"order": order, "lines": order.lines.select_related("product").order_by("number"), "editable": True}
    return render(request, "sales/partials/order_lines.html", context)


@login_required
@require_POST
def order_action(request, order_id: int, action: str):
    if not request.user.has_perm(SHIP if action in ("ship", "deliver") else CHANGE):
        raise PermissionDenied
    get_object_or_404(SalesOrder, pk=order_id, company=request.company)
    post = request.POST
    run = {
        "confirm": lambda pk, actor: services.confirm_order(pk, actor=actor),
        "invoice": lambda pk, actor: services.invoice_order(pk, actor=actor),
        "resend": lambda pk, actor: services.retry_invoicing(pk, actor=actor),
        "ship": lambda pk, actor: services.ship_order(
            pk, actor=actor, carrier=post.get("carrier", ""), tracking_code=post.get("tracking_code", "")
        ),
        "deliver": lambda pk, actor: services.deliver_order(pk, actor=actor),
        "cancel": lambda pk, actor: services.cancel_order(pk, actor=actor, reason=post.get("reason", "")),
    }
    if action not in run:
        raise PermissionDenied
    try:
        run[action](order_id, actor_of(request))
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Order updated."))
    return redirect("sales:order", order_id=order_id)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def order_return(request, order_id: int):
    order = get_object_or_404(SalesOrder, pk=order_id, company=request.company)
    lines, problems = [], []
    for line in order.lines.only("number"):
        typed = request.POST.get(f"return_{line.number}", "")
        value = _decimal(typed)
        if typed.strip() and value is None:
            problems.append(_("Line %(n)s: enter a quantity.") % {"n": line.number})
        elif value:
            lines.append(services.ReturnLineIn(line.number, value))
    for problem in problems:
        messages.error(request, problem)
    if not problems:
        try:
            ret = services.create_return(
                order.pk,
                lines,
                actor=actor_of(request),
                reason=request.POST.get("reason", ""),
                destination=request.POST.get("destination", "stock"),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(
                request, _("%(document)s created: the return note is on its way to SEFAZ.") % {"document": ret}
            )
    return redirect("sales:order", order_id=order.pk)


def _channel_fields(post) -> dict:
    fee_percent = _decimal(post.get("fee_percent", ""), Decimal(0))
    fee_fixed = _decimal(post.get("fee_fixed", ""), Decimal(0))
    problems = []
    if fee_percent is None:
        problems.append({"field": "fee_percent", "message": _("The fee is a percentage from 0 to 99.99.")})
    if fee_fixed is None:
        problems.append({"field": "fee_fixed", "message": _("Enter an amount of zero or more.")})
    if problems:
        raise ValidationFailed(details=problems)
    return {
        "code": post.get("code", ""),
        "name": post.get("name", ""),
        "kind": post.get("kind", ""),
        "warehouse_id": _int(post.get("warehouse")),
        "price_list_id": _int(post.get("price_list")),
        "fee_percent": fee_percent,
        "fee_fixed": fee_fixed,
    }


def _channel_choices(company) -> dict:
    return {
        "kinds": ChannelKind.choices,
        "warehouses": Warehouse.objects.filter(company=company, is_active=True).order_by("code"),
        "price_lists": PriceList.objects.filter(company=company, is_active=True).order_by("name"),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def channels(request):
    company = request.company
    if request.method == "POST":
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        try:
            services.create_channel(actor=actor_of(request), **_channel_fields(request.POST))
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Channel created."))
            return redirect("sales:channels")
    rows = SalesChannel.objects.filter(company=company).select_related("warehouse", "price_list").order_by("code")
    return render(request, "sales/channels.html", {"rows": rows, "data": request.POST, **_channel_choices(company)})


@login_required
@permission_required(CHANGE, raise_exception=True)
def channel_edit(request, channel_id: int):
    channel = get_object_or_404(SalesChannel, pk=channel_id, company=request.company)
    if request.method == "POST":
        try:
            services.update_channel(
                channel.pk,
                actor=actor_of(request),
                version=_int(request.POST.get("version")),
                active=bool(request.POST.get("active")),
                **_channel_fields(request.POST),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Channel saved."))
            return redirect("sales:channels")
    return render(
        request,
        "sales/channel_form.html",
        {"channel": channel, "data": request.POST, **_channel_choices(request.company)},
    )


def _month_param(request) -> date:
    value = selectors.parse_date((request.GET.get("month") or "") + "-01") if request.GET.get("month") else None
    return services.month_of(value or timezone.localdate())


@login_required
@permission_required(VIEW, raise_exception=True)
def goals(request):
    company = request.company
    month = _month_param(request)
    if request.method == "POST":
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        target = _decimal(request.POST.get("target", ""))
        try:
            services.save_goal(
                actor=actor_of(request),
                month=month,
                metric=request.POST.get("metric", ""),
                target=target if target is not None else Decimal(-1),
                salesperson_id=_int(request.POST.get("salesperson")),
                channel_id=_int(request.POST.get("channel")),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Goal saved."))
            return redirect(f"{request.path}?month={month:%Y-%m}")
    context = {
        "month": month,
        "previous": services.goals.previous_month(month),
        "next": services.month_of(services.goals.month_end(month) + timedelta(days=1)),
        "rows": services.progress(company.pk, month),
        "metrics": GoalMetric.choices,
        "salespeople": Salesperson.objects.filter(company=company, active=True),
        "channels": SalesChannel.objects.filter(company=company, active=True).order_by("code"),
        "data": request.POST,
    }
    return render(request, "sales/goals.html", context)


def _period(request) -> tuple[date, date]:
    today = timezone.localdate()
    start = selectors.parse_date(request.GET.get("start", "")) or today.replace(day=1)
    end = selectors.parse_date(request.GET.get("end", "")) or today
    return start, end


@login_required
@permission_required(VIEW, raise_exception=True)
def commissions(request):
    company = request.company
    start, end = _period(request)
    person = _int(request.GET.get("salesperson"))
    lines = services.statement(company.pk, start, end, salesperson_id=person)
    if request.GET.get("format") == "csv":
        return _commissions_csv(lines, start, end)
    context = {
        "start": start,
        "end": end,
        "person": person,
        "lines": lines,
        "totals": services.totals_by_salesperson(lines),
        "salespeople": Salesperson.objects.filter(company=company).order_by("name"),
        "rules": CommissionRule.objects.filter(company=company).select_related("salesperson"),
        "basis": services.commissions.basis_of(company.pk),
        "bases": CommissionBasis.choices,
        "query": query_without_cursor(request),
    }
    return render(request, "sales/commissions.html", context)


def _commissions_csv(lines, start: date, end: date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="comissoes-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Salesperson"),
            _("Order"),
            _("Date"),
            _("SKU"),
            _("Base"),
            _("Discount (%)"),
            _("Rate (%)"),
            _("Commission"),
            _("Notes"),
        ]
    )
    for line in lines:
        writer.writerow(
            [
                line.salesperson,
                line.order_number,
                line.day.strftime("%d/%m/%Y"),
                line.sku,
                _br(line.base),
                _br(line.discount_pct),
                _br(line.rate),
                _br(line.commission),
                line.note,
            ]
        )
    return response


def _br(value: Decimal) -> str:
    return f"{value:f}".replace(".", ",")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def commission_settings(request):
    try:
        if "basis" in request.POST:
            services.set_basis(request.POST.get("basis", ""), actor=actor_of(request))
        else:
            rate = _decimal(request.POST.get("rate", ""))
            services.save_rule(
                actor=actor_of(request),
                salesperson_id=_int(request.POST.get("salesperson")) or 0,
                category=request.POST.get("category", ""),
                rate=rate if rate is not None else Decimal(-1),
                discount_band=_decimal(request.POST.get("discount_band", "")),
                reduced_rate=_decimal(request.POST.get("reduced_rate", "")),
            )
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Commission settings saved."))
    return redirect("sales:commissions")


@login_required
@permission_required(VIEW, raise_exception=True)
def salespeople(request):
    company = request.company
    if request.method == "POST":
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        try:
            services.create_salesperson(
                actor=actor_of(request), name=request.POST.get("name", ""), email=request.POST.get("email", "")
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Salesperson created."))
            return redirect("sales:salespeople")
    return render(
        request, "sales/salespeople.html", {"rows": Salesperson.objects.filter(company=company), "data": request.POST}
    )
