"""Sales pages: orders (list, entry by SKU or barcode, the order with its actions and timeline) and
the channels. Reads go through `selectors`, writes through `services`, like the API."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from retaguarda.catalog.models import PriceList
from retaguarda.core.actor import actor_of
from retaguarda.core.errors import DomainError, ValidationFailed
from retaguarda.core.pagination import MAX_LIMIT, keyset_page
from retaguarda.core.states import allowed_transitions, timeline
from retaguarda.inventory.models import Warehouse
from retaguarda.parties.models import Party
from retaguarda.sales import selectors, services
from retaguarda.sales.models import ChannelKind, SalesChannel, SalesOrder, Salesperson
from retaguarda.sales.services import LineIn, OrderIn
from retaguarda.sales.states import OrderState

VIEW = "sales.view"
CHANGE = "sales.change"


def _limit(request, default=50) -> int:
    value = request.GET.get("limit", "")
    return max(1, min(int(value), MAX_LIMIT)) if value.isdigit() else default


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _decimal(text: str, default: Decimal | None = None) -> Decimal | None:
    """A number as people type it here: "1.234,56" or "1234.56"; None when it is not one."""
    text = (text or "").strip()
    if not text:
        return default
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _error(request, exc: DomainError):
    messages.error(request, exc.message)
    for detail in exc.details:
        if isinstance(detail, dict) and detail.get("message") and detail.get("message") != exc.message:
            messages.error(request, detail["message"])


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("cursor", None)
    return params.urlencode()


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
    rows, next_cursor = keyset_page(qs, cursor=request.GET.get("cursor"), limit=_limit(request), ordering=("-id",))
    context = {
        "rows": rows,
        "next_cursor": next_cursor,
        "paged": bool(request.GET.get("cursor")),
        "query": _query(request),
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


@login_required
@permission_required(CHANGE, raise_exception=True)
def order_new(request):
    company = request.company
    if request.method == "POST":
        post = request.POST
        lines, problems = _parse_lines(post.get("lines", ""))
        amounts = {name: _decimal(post.get(name, ""), Decimal(0)) for name in ("discount", "freight")}
        problems += [_("Enter a valid amount.") for value in amounts.values() if value is None]
        document = "".join(ch for ch in post.get("customer", "") if ch.isalnum()).upper()
        customer = Party.objects.filter(company=company, document=document, is_customer=True).first()
        if customer is None:
            problems.append(_("Customer not found: type the CPF/CNPJ of a registered customer."))
        for problem in problems:
            messages.error(request, problem)
        if not problems:
            try:
                order = services.create_order(
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
                    actor=actor_of(request),
                )
            except DomainError as exc:
                _error(request, exc)
            else:
                messages.success(request, _("Order %(number)s created.") % {"number": order.number})
                return redirect("sales:order", order_id=order.pk)
    context = {
        "channels": SalesChannel.objects.filter(company=company, active=True).order_by("code"),
        "salespeople": Salesperson.objects.filter(company=company, active=True),
        "data": request.POST,
    }
    return render(request, "sales/order_form.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def order_detail(request, order_id: int):
    order = get_object_or_404(
        SalesOrder.objects.select_related("channel", "customer", "salesperson", "warehouse", "receivable"),
        pk=order_id,
        company=request.company,
    )
    context = {
        "order": order,
        "lines": order.lines.select_related("product").order_by("number"),
        "allowed": allowed_transitions(order),
        "events": _labelled(timeline(order)),
        "notes": selectors.notes_of(order),
    }
    return render(request, "sales/order_detail.html", context)


def _labelled(events) -> list:
    labels = dict(OrderState.choices)
    events = list(events)
    for e in events:
        e.from_label = labels.get(e.from_state, e.from_state)
        e.to_label = labels.get(e.to_state, e.to_state)
    return events


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def order_action(request, order_id: int, action: str):
    get_object_or_404(SalesOrder, pk=order_id, company=request.company)
    post = request.POST
    run = {
        "confirm": lambda pk, actor: services.confirm_order(pk, actor=actor),
        "invoice": lambda pk, actor: services.invoice_order(pk, actor=actor),
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
        "warehouses": Warehouse.objects.filter(company=company, active=True).order_by("code"),
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
