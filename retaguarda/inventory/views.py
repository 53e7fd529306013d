"""Inventory pages. Reads go through `selectors`, writes through `services`, like the API."""

from datetime import datetime, time
from decimal import Decimal
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from retaguarda.catalog.models import Product
from retaguarda.core.actor import actor_of
from retaguarda.core.errors import DomainError
from retaguarda.core.formats import money_text, quantity_text
from retaguarda.core.money import quantity
from retaguarda.core.pagination import query_without_cursor, requested_limit, screen_page
from retaguarda.core.states import allowed_transitions, state_history
from retaguarda.inventory import forms, selectors, services
from retaguarda.inventory.models import (
    LocationKind,
    ManualOperation,
    StockCount,
    TransferOrder,
    Warehouse,
)
from retaguarda.inventory.states import CountState, TransferState

VIEW = "inventory.view"
POST = "inventory.post"
CHANGE = "inventory.change"


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _error(request, exc: DomainError):
    messages.error(request, exc.message)
    for detail in exc.details:
        if isinstance(detail, dict) and detail.get("message") and detail.get("message") != exc.message:
            messages.error(request, detail["message"])


def _page(request, template, context):
    return render(request, f"{template}#table" if request.htmx else template, context)


def _active_warehouses(company):
    return Warehouse.objects.filter(company=company, is_active=True)


def _lines_form(request, template, lines, problems, **context):
    """A form with product lines (manual moves, transfers), shown again with everything typed and every
    problem: the header's above the form, each line's beside its row and listed with its number."""
    if lines is None:
        lines = [forms.TypedLine(n, {}) for n in range(1, forms.LINE_ROWS + 1)]
    summary = [p["message"] for p in problems] + [m for line in lines for m in line.messages()]
    shared = {
        "warehouses": _active_warehouses(request.company),
        "lines": lines,
        "problems": {p.get("field"): p["message"] for p in problems},
        "summary": summary,
        "data": request.POST,
    }
    return render(
        request,
        template,
        {**shared, **context},
    )


def _product_by_code(company, code: str) -> Product | None:
    code = (code or "").strip()
    if not code:
        return None
    return (
        Product.objects.filter(company=company, sku__iexact=code).order_by("id").first()
        or Product.objects.filter(company=company, gtin=code).order_by("id").first()
    )


# ---------------------------------------------------------------------------- balances and reports


@login_required
@permission_required(VIEW, raise_exception=True)
def balances(request):
    company = request.company
    filters = {"warehouse": request.GET.get("warehouse", ""), "q": request.GET.get("q", "").strip()}
    houses = selectors.warehouses(company)
    window, totals = selectors.balances_window(
        company,
        warehouse_id=_int(filters["warehouse"]),
        search=filters["q"],
        cursor=request.GET.get("cursor"),
        limit=requested_limit(request),
        warehouses=houses,
    )
    context = {
        "rows": window.rows,
        "window": window,
        "query": query_without_cursor(request),
        "warehouses": houses,
        "filters": filters,
        "totals": totals,
    }
    return _page(request, "inventory/balances.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def balances_at(request):
    company = request.company
    day = request.GET.get("date", "")
    warehouse = request.GET.get("warehouse", "")
    listing, moment, total = {"rows": []}, None, None
    try:
        moment = datetime.combine(datetime.strptime(day, "%Y-%m-%d").date(), time.max) if day else None
    except ValueError:
        messages.error(request, _("Invalid date."))
    if moment is not None:
        moment = timezone.make_aware(moment)
        stock = selectors.past_stock(company, moment, warehouse_id=_int(warehouse))
        listing = screen_page(request, stock, ordering=selectors.SKU_ORDER)
        listing["rows"] = selectors.past_balances(listing["rows"])
        total = selectors.past_stock_total(stock) if listing["rows"] else None
    context = {
        **listing,
        "warehouses": selectors.warehouses(company),
        "filters": {"date": day, "warehouse": warehouse},
        "moment": moment,
        "total": total,
    }
    return _page(request, "inventory/balances_at.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def valuation(request):
    rows = selectors.valuation(request.company)
    totals = {
        name: sum((getattr(r, name) for r in rows), Decimal(0))
        for name in ("on_hand", "value", "in_transit", "in_transit_value")
    }
    return render(request, "inventory/valuation.html", {"rows": rows, "totals": totals})


@login_required
@permission_required(VIEW, raise_exception=True)
def below_minimum(request):
    qs = selectors.below_minimum_products(request.company)
    return _page(request, "inventory/below_minimum.html", screen_page(request, qs, ordering=selectors.SKU_ORDER))


# What a kardex row says its document is, and the page that shows it (by the source's id): no query.
DOCUMENTS = {
    ManualOperation.SOURCE_TYPE: (gettext_lazy("Manual entry"), "inventory:moves", False),
    TransferOrder.SOURCE_OUT: (gettext_lazy("Transfer shipped"), "inventory:transfer", True),
    TransferOrder.SOURCE_IN: (gettext_lazy("Transfer received"), "inventory:transfer", True),
    StockCount.SOURCE_TYPE: (gettext_lazy("Stock count adjustment"), "inventory:count", True),
}
MANUAL_EXIT, OTHER_DOCUMENT = gettext_lazy("Manual exit"), gettext_lazy("Other document")


def _document_of(source_type: str, source_id: int, reason: str, *, leaving: bool, urls: dict) -> tuple[str, str]:
    """A move's document in words and the page that shows it; other apps' documents by their reason.
    `urls` keeps for this page the addresses already reversed (a transfer's two moves share one) and the
    words already translated (a page of fifty moves names a few kinds of document)."""
    label, url_name, by_id = DOCUMENTS.get(source_type, (None, None, False))
    if source_type == ManualOperation.SOURCE_TYPE and leaving:
        label = MANUAL_EXIT
    url = ""
    if url_name:
        key = (url_name, source_id if by_id else None)
        url = urls.get(key) or urls.setdefault(key, reverse(url_name, args=[source_id] if by_id else []))
    if label is None:
        return reason or _words(OTHER_DOCUMENT, urls), url
    return _words(label, urls), url


def _words(label, urls: dict) -> str:
    """`label` (one of the lazy texts above) translated once per page; kept by its id, as hashing a lazy
    text translates it."""
    key = ("words", id(label))
    found = urls.get(key)
    if found is None:
        found = urls[key] = str(label)
    return found


# A kardex row. The page's rows are written here, not in the template: resolving and filtering each cell
# there was most of the page's time. Every text from the database goes through `escape` (what Django's
# autoescape does: `html.escape`); the figures are digits and separators, the date digits and slashes.
KARDEX_ROW = (
    '<tr data-source="{source}"><td>{date}</td><td>{document}{note}</td><td>{origin}</td><td>{to}</td>'
    '<td>{lot}</td>{flow}<td class="num">{unit_cost}</td><td class="num">{balance}</td>'
    '<td class="num">{balance_value}</td><td class="num">{average_cost}</td></tr>'
)
KARDEX_FLOW = '<td class="num">{}</td><td class="num">{}</td>'
KARDEX_BETWEEN = '<td class="num muted" colspan="2">{}</td>'  # moved between two places of the scope
KARDEX_LINK = '<a href="{}">{}</a>'
KARDEX_NOTE = '<br><span class="muted">{}</span>'


def _kardex_rows(lines) -> str:
    """The kardex lines as the table's rows, every figure formatted once (`core.formats`)."""
    urls, between = {}, _("%(n)s between warehouses")
    zone = timezone.get_current_timezone()
    rows = []
    for line in lines:
        move = line.move
        reason = move["reason"]
        document, url = _document_of(
            move["source_type"], move["source_id"], reason, leaving=bool(line.quantity_out), urls=urls
        )
        if line.quantity_in or line.quantity_out:
            flow = KARDEX_FLOW.format(
                quantity_text(line.quantity_in) if line.quantity_in else "",
                quantity_text(line.quantity_out) if line.quantity_out else "",
            )
        else:
            flow = KARDEX_BETWEEN.format(escape(between % {"n": quantity_text(move["quantity"])}))
        rows.append(
            KARDEX_ROW.format(
                source=escape(move["source_type"]),
                date=move["created_at"].astimezone(zone).strftime("%d/%m/%Y %H:%M"),
                document=KARDEX_LINK.format(escape(url), escape(document)) if url else escape(document),
                note=KARDEX_NOTE.format(escape(reason)) if reason and reason != document else "",
                origin=escape(move["from_location__name"]),
                to=escape(move["to_location__name"]),
                lot=escape(move["lot__code"] or ""),
                flow=flow,
                unit_cost=money_text(move["unit_cost"]),
                balance=quantity_text(line.balance),
                balance_value=money_text(line.balance_value),
                average_cost=money_text(line.average_cost),
            )
        )
    return mark_safe("\n".join(rows))  # built above: every text escaped


@login_required
@permission_required(VIEW, raise_exception=True)
def kardex(request, product_id: int):
    company = request.company
    found = selectors.kardex_product(company, product_id)
    if found is None:
        raise Http404
    product, stock = found
    warehouse = request.GET.get("warehouse", "")
    result = selectors.kardex_window(
        company, product, warehouse_id=_int(warehouse), cursor=request.GET.get("cursor"), limit=requested_limit(request)
    )
    context = {
        "product": product,
        "kardex": result,
        "rows": _kardex_rows(result.lines),
        "in_transit": stock["in_transit"],
        "window": result.window,
        "warehouses": selectors.warehouses(company),
        "filters": {"warehouse": warehouse},
        "query": query_without_cursor(request),
        "stock": stock,
    }
    return _page(request, "inventory/kardex.html", context)


# ---------------------------------------------------------------------------- moves


@login_required
@permission_required(VIEW, raise_exception=True)
def moves(request):
    company = request.company
    filters = {"warehouse": request.GET.get("warehouse", ""), "product": request.GET.get("product", "").strip()}
    product = _product_by_code(company, filters["product"]) if filters["product"] else None
    if filters["product"] and product is None:
        listing = {"rows": []}
    else:
        qs = selectors.move_list(
            company, product_id=product.pk if product else None, warehouse_id=_int(filters["warehouse"])
        )
        listing = screen_page(request, qs)
    urls = {}
    for move in listing["rows"]:
        leaving = move.from_location.kind == LocationKind.INTERNAL
        move.document, move.document_url = _document_of(
            move.source_type, move.source_id, move.reason, leaving=leaving, urls=urls
        )
    context = {**listing, "warehouses": selectors.warehouses(company), "filters": filters}
    return _page(request, "inventory/moves.html", context)


@login_required
@permission_required(POST, raise_exception=True)
def move_new(request):
    direction = request.POST.get("direction") or request.GET.get("direction") or "in"
    cells = ("cost", "lot", "expiry") if direction == "in" else ()
    lines = forms.read_lines(request.POST, request.company, cells=cells) if request.method == "POST" else None
    problems = []
    if lines is not None:
        filled = [line for line in lines if line.filled]
        problems = services.manual_move_problems(
            direction=direction,
            counterpart=request.POST.get("counterpart") or None,
            reason=request.POST.get("reason", ""),
            line_count=len(filled),
        )
        if not problems and not any(line.errors for line in filled):
            try:
                op, _moves = services.manual_move(
                    actor=actor_of(request),
                    warehouse_id=_int(request.POST.get("warehouse")) or 0,
                    direction=direction,
                    counterpart=request.POST.get("counterpart") or None,
                    reason=request.POST.get("reason", ""),
                    lines=[
                        services.ManualLine(
                            line.product.pk,
                            line.quantity,
                            unit_cost=line.cost,
                            lot_code=line.values.get("lot", ""),
                            expiry=line.expiry,
                        )
                        for line in filled
                    ],
                )
            except DomainError as exc:
                problems = _service_problems(exc, filled)
            else:
                messages.success(request, _("%(op)s posted.") % {"op": op})
                return redirect("inventory:moves")
    counterparts = [
        (k.value, k.label) for k in (services.ENTRY_COUNTERPARTS if direction == "in" else services.EXIT_COUNTERPARTS)
    ]
    return _lines_form(
        request,
        "inventory/move_form.html",
        lines,
        problems,
        direction=direction,
        directions=ManualOperation.Direction.choices,
        counterparts=counterparts,
    )


def _service_problems(exc: DomainError, sent: list[forms.TypedLine]) -> list[dict]:
    """A service's refusal: line problems go beside their rows, the rest above the form."""
    rest = forms.place_service_problems(sent, exc.details)
    placed = any(line.errors for line in sent)
    if rest or not placed:
        return rest or [{"field": None, "message": exc.message}]
    return []


# ---------------------------------------------------------------------------- warehouses


@login_required
@permission_required(VIEW, raise_exception=True)
def warehouses(request):
    company = request.company
    if request.method == "POST":
        _require(request, CHANGE)
        try:
            services.create_warehouse(
                actor=actor_of(request),
                company_id=company.pk,
                code=request.POST.get("code", ""),
                name=request.POST.get("name", ""),
                allow_negative=bool(request.POST.get("allow_negative")),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Warehouse created."))
            return redirect("inventory:warehouses")
    return render(
        request,
        "inventory/warehouses.html",
        {"warehouses": Warehouse.objects.filter(company=company).order_by("code"), "data": request.POST},
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
def warehouse_edit(request, warehouse_id: int):
    warehouse = get_object_or_404(Warehouse, pk=warehouse_id, company=request.company)
    if request.method == "POST":
        try:
            services.update_warehouse(
                warehouse.pk,
                actor=actor_of(request),
                version=_int(request.POST.get("version")),
                code=request.POST.get("code", ""),
                name=request.POST.get("name", ""),
                allow_negative=bool(request.POST.get("allow_negative")),
                is_active=bool(request.POST.get("active")),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Warehouse saved."))
            return redirect("inventory:warehouses")
    return render(request, "inventory/warehouse_form.html", {"warehouse": warehouse})


# ---------------------------------------------------------------------------- transfers


@login_required
@permission_required(VIEW, raise_exception=True)
def transfers(request):
    qs = TransferOrder.objects.filter(company=request.company).select_related("from_warehouse", "to_warehouse")
    state = request.GET.get("state", "")
    if state:
        qs = qs.filter(state=state)
    context = {**screen_page(request, qs), "states": TransferState.choices, "filters": {"state": state}}
    return _page(request, "inventory/transfers.html", context)


@login_required
@permission_required(POST, raise_exception=True)
def transfer_new(request):
    lines = forms.read_lines(request.POST, request.company, cells=()) if request.method == "POST" else None
    problems = []
    if lines is not None:
        filled = [line for line in lines if line.filled]
        from_id, to_id = _int(request.POST.get("from_warehouse")) or 0, _int(request.POST.get("to_warehouse")) or 0
        problems = services.transfer_problems(from_warehouse_id=from_id, to_warehouse_id=to_id, line_count=len(filled))
        if not problems and not any(line.errors for line in filled):
            try:
                transfer = services.create_transfer(
                    actor=actor_of(request),
                    from_warehouse_id=from_id,
                    to_warehouse_id=to_id,
                    notes=request.POST.get("notes", ""),
                    lines=[services.TransferLineIn(line.product.pk, line.quantity) for line in filled],
                )
            except DomainError as exc:
                problems = _service_problems(exc, filled)
            else:
                return redirect("inventory:transfer", transfer_id=transfer.pk)
    return _lines_form(request, "inventory/transfer_form.html", lines, problems)


@login_required
@permission_required(VIEW, raise_exception=True)
def transfer_detail(request, transfer_id: int):
    transfer = get_object_or_404(
        TransferOrder.objects.select_related("from_warehouse", "to_warehouse"), pk=transfer_id, company=request.company
    )
    context = {
        "transfer": transfer,
        "lines": transfer.lines.select_related("product", "lot"),
        "allowed": allowed_transitions(transfer),
        "events": state_history(transfer),
    }
    return render(request, "inventory/transfer_detail.html", context)


@login_required
@permission_required(POST, raise_exception=True)
@require_POST
def transfer_action(request, transfer_id: int, action: str):
    get_object_or_404(TransferOrder, pk=transfer_id, company=request.company)
    run = {"ship": services.ship_transfer, "receive": services.receive_transfer, "cancel": services.cancel_transfer}
    if action not in run:
        raise PermissionDenied
    try:
        run[action](transfer_id, actor=actor_of(request))
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Transfer updated."))
    return redirect("inventory:transfer", transfer_id=transfer_id)


# ---------------------------------------------------------------------------- counts


@login_required
@permission_required(VIEW, raise_exception=True)
def counts(request):
    qs = StockCount.objects.filter(company=request.company).select_related("warehouse")
    return _page(request, "inventory/counts.html", screen_page(request, qs))


@login_required
@permission_required(POST, raise_exception=True)
def count_new(request):
    company = request.company
    if request.method == "POST":
        codes = [c.strip() for c in request.POST.get("products", "").replace(",", "\n").splitlines() if c.strip()]
        product_ids, missing = [], []
        for code in codes:
            product = _product_by_code(company, code)
            (product_ids.append(product.pk) if product else missing.append(code))
        if missing:
            messages.error(request, _("No product with code %(codes)s.") % {"codes": ", ".join(missing)})
        else:
            try:
                count = services.create_count(
                    actor=actor_of(request),
                    warehouse_id=_int(request.POST.get("warehouse")) or 0,
                    product_ids=product_ids or None,
                    notes=request.POST.get("notes", ""),
                )
                if request.POST.get("start"):
                    services.start_count(count.pk, actor=actor_of(request))
            except DomainError as exc:
                _error(request, exc)
            else:
                return redirect("inventory:count", count_id=count.pk)
    return render(
        request,
        "inventory/count_form.html",
        {"warehouses": _active_warehouses(company), "data": request.POST},
    )


def _count_context(request, count: StockCount) -> dict:
    lines = list(count.lines.select_related("product", "lot").order_by("product__sku", "lot_key"))
    on_hand = {}
    if count.state == CountState.COUNTING:
        location = services.stock_location(count.warehouse_id)
        on_hand = {
            (b.product_id, b.lot_key): b.on_hand
            for b in location.balances.filter(product_id__in=[line.product_id for line in lines])
        }
    for line in lines:
        line.typed, line.problem = None, None  # what was typed and its problem, when the page comes back
        line.current = on_hand.get((line.product_id, line.lot_key), line.expected)
        if count.state == CountState.POSTED:
            line.shown_difference = line.difference
        else:
            line.shown_difference = None if line.counted is None else line.counted - line.current
    return {
        "count": count,
        "lines": lines,
        "allowed": allowed_transitions(count),
        "events": state_history(count),
        "counted": sum(1 for line in lines if line.counted is not None),
        "differences": sum(1 for line in lines if line.shown_difference),
    }


def _count_lines(request, count_id: int, **extra):
    """The count's lines fragment, read again after a scan (with the scan's result or error)."""
    count = StockCount.objects.select_related("warehouse").get(pk=count_id)
    return render(request, "inventory/count_detail.html#lines", {**_count_context(request, count), **extra})


@login_required
@permission_required(VIEW, raise_exception=True)
def count_detail(request, count_id: int):
    count = get_object_or_404(StockCount.objects.select_related("warehouse"), pk=count_id, company=request.company)
    context = _count_context(request, count)
    template = "inventory/count_detail.html#lines" if request.htmx else "inventory/count_detail.html"
    return render(request, template, context)


def _typed_counts(request, count: StockCount):
    """Save the quantities typed on the count page; on any problem, the page again with every typed
    value kept and each bad row marked by its number (nothing saved)."""
    context = _count_context(request, count)
    typed, entries, summary = {}, [], []
    for n, line in enumerate(context["lines"], start=1):
        raw = request.POST.get(f"line_{line.pk}")
        if raw is None:
            continue
        typed[line.pk] = raw
        if not raw.strip():
            continue
        try:
            value = forms.number(raw)
        except ValueError as exc:
            line.problem = str(exc)
        else:
            if value < 0 or quantity(value) != value:
                line.problem = _("Quantity cannot be negative (4 decimal places).")
            else:
                entries.append(services.CountEntry(line.product_id, value, line.lot_id))
                continue
        summary.append(
            _("Line %(n)s (%(sku)s) · %(field)s: %(message)s")
            % {"n": n, "sku": line.product.sku, "field": _("counted"), "message": line.problem}
        )
    if not summary:
        try:
            services.record_counts(count.pk, entries, actor=actor_of(request))
            return None
        except DomainError as exc:
            summary = [exc.message] + [d["message"] for d in exc.details if isinstance(d, dict) and d.get("message")]
    for line in context["lines"]:
        line.typed = typed.get(line.pk)
    return render(request, "inventory/count_detail.html", {**context, "summary": summary})


@login_required
@permission_required(POST, raise_exception=True)
@require_POST
def count_action(request, count_id: int, action: str):
    count = get_object_or_404(StockCount, pk=count_id, company=request.company)
    actor = actor_of(request)
    try:
        if action == "start":
            services.start_count(count.pk, actor=actor)
        elif action == "post":
            services.post_count(count.pk, actor=actor)
            messages.success(request, _("Count posted: the differences were adjusted."))
        elif action == "cancel":
            services.cancel_count(count.pk, actor=actor)
        elif action == "quantities":
            typed = _typed_counts(request, count)
            if typed is not None:
                return typed
            messages.success(request, _("Quantities saved."))
        elif action == "upload":
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, _("Choose a CSV file."))
            else:
                text = upload.read().decode("utf-8-sig", errors="replace")
                entries = services.parse_count_csv(count.pk, text, actor=actor)
                services.record_counts(count.pk, entries, actor=actor)
                messages.success(request, _("%(n)s quantities imported.") % {"n": len(entries)})
        elif action == "scan":
            line = services.scan(count.pk, request.POST.get("code", ""), actor=actor)
            if request.htmx:
                return _count_lines(request, count.pk, last_scan=line)
        else:
            raise PermissionDenied
    except DomainError as exc:
        if action == "scan" and request.htmx:
            return _count_lines(request, count.pk, scan_error=exc.details[0]["message"] if exc.details else exc.message)
        _error(request, exc)
    return HttpResponseRedirect(reverse("inventory:count", args=[count.pk]))
