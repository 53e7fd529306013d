"""Purchasing pages (/compras/): requests, orders, receipts and the supplier NF-e import.

Lists run a fixed number of queries (keyset pages, related rows joined); forms keep what was typed and
show every problem beside its line; actions call the same services as the API."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from retaguarda.core.actor import actor_of
from retaguarda.core.errors import DomainError
from retaguarda.core.money import ZERO
from retaguarda.core.pagination import screen_page
from retaguarda.core.states import allowed_transitions, state_history
from retaguarda.inventory import forms as line_forms
from retaguarda.inventory.models import Warehouse
from retaguarda.parties.models import Party
from retaguarda.purchasing import selectors, services
from retaguarda.purchasing.models import CfopMapping, NfeImport, PurchaseOrder, PurchaseRequest, Receipt
from retaguarda.purchasing.nfe import services as nfe_services
from retaguarda.purchasing.nfe.cfop import DEFAULT_ENTRY_CFOP
from retaguarda.purchasing.nfe.matching import Answer
from retaguarda.purchasing.states import OrderState, ReceiptState, RequestState

VIEW = "purchasing.view"
REQUEST = "purchasing.request"
APPROVE = "purchasing.approve"
ORDER = "purchasing.order"
RECEIVE = "purchasing.receive"
ORDER_CELLS = ("cost", "discount", "ipi", "icms_st")


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for detail in exc.details:
        if isinstance(detail, dict) and detail.get("message") and detail.get("message") != exc.message:
            messages.error(request, detail["message"])


def _list(request, qs, template, **context):
    """A page of `qs` with its total and both neighbours; htmx asks for the table alone."""
    state = request.GET.get("state", "")
    if state:
        qs = qs.filter(state=state)
    context = {
        **screen_page(request, qs),
        "filters": {"state": state},
        **context,
    }
    return render(request, f"{template}#table" if request.htmx else template, context)


def _money(text: str, line: line_forms.TypedLine, cell: str):
    if not text:
        return ZERO
    try:
        return line_forms.number(text)
    except ValueError as exc:
        line.add_error(cell, str(exc))
        return None


def _suppliers(company):
    return Party.objects.filter(company=company, is_supplier=True, is_active=True).only("legal_name", "trade_name")


def _warehouses(company):
    return Warehouse.objects.filter(company=company, is_active=True)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------- requests


@login_required
@permission_required(VIEW, raise_exception=True)
def requests(request):
    qs = PurchaseRequest.objects.filter(company=request.company).select_related("requested_by")
    return _list(request, qs, "purchasing/requests.html", states=RequestState.choices)


@login_required
@permission_required(REQUEST, raise_exception=True)
def request_new(request):
    lines, problems = None, []
    if request.method == "POST":
        lines = line_forms.read_lines(request.POST, request.company, cells=())
        filled = [line for line in lines if line.filled]
        if not any(line.errors for line in filled):
            try:
                created = services.create_request(
                    actor=actor_of(request),
                    reason=request.POST.get("reason", ""),
                    needed_by=_date(request.POST.get("needed_by", "")),
                    lines=[services.RequestLineIn(line.product.pk, line.quantity) for line in filled],
                )
            except DomainError as exc:
                problems = _placed(exc, filled)
            else:
                messages.success(request, _("Request sent for approval."))
                return redirect("purchasing:request", request_id=created.pk)
    return _lines_form(request, "purchasing/request_form.html", lines, problems)


def _placed(exc: DomainError, sent) -> list[dict]:
    rest = line_forms.place_service_problems(sent, exc.details)
    if rest or not any(line.errors for line in sent):
        return rest or [{"field": None, "message": exc.message}]
    return []


def _lines_form(request, template, lines, problems, **context):
    if lines is None:
        lines = [line_forms.TypedLine(n, {}) for n in range(1, line_forms.LINE_ROWS + 1)]
    summary = [p["message"] for p in problems] + [m for line in lines for m in line.messages()]
    return render(
        request,
        template,
        {
            "lines": lines,
            "problems": {p.get("field"): p["message"] for p in problems},
            "summary": summary,
            "data": request.POST,
            **context,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def request_detail(request, request_id: int):
    purchase_request = get_object_or_404(PurchaseRequest, pk=request_id, company=request.company)
    context = {
        "doc": purchase_request,
        "lines": purchase_request.lines.select_related("product"),
        "allowed": allowed_transitions(purchase_request),
        "events": state_history(purchase_request),
    }
    return render(request, "purchasing/request_detail.html", context)


@login_required
@require_POST
def request_action(request, request_id: int, action: str):
    get_object_or_404(PurchaseRequest, pk=request_id, company=request.company)
    actor, note = actor_of(request), request.POST.get("note", "")
    run = {
        "approve": (APPROVE, lambda: services.approve_request(request_id, actor=actor, note=note)),
        "reject": (APPROVE, lambda: services.reject_request(request_id, actor=actor, note=note)),
        "cancel": (REQUEST, lambda: services.cancel_request(request_id, actor=actor)),
    }
    if action not in run or not request.user.has_perm(run[action][0]):
        raise PermissionDenied
    try:
        run[action][1]()
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Request updated."))
    return redirect("purchasing:request", request_id=request_id)


# ---------------------------------------------------------------------------- orders


@login_required
@permission_required(VIEW, raise_exception=True)
def orders(request):
    qs = PurchaseOrder.objects.filter(company=request.company).select_related("supplier", "warehouse")
    supplier = _int(request.GET.get("supplier"))
    if supplier:
        qs = qs.filter(supplier_id=supplier)
    return _list(request, qs, "purchasing/orders.html", states=OrderState.choices)


@login_required
@permission_required(ORDER, raise_exception=True)
def order_new(request):
    lines, problems = None, []
    if request.method == "POST":
        lines = line_forms.read_lines(request.POST, request.company, cells=ORDER_CELLS)
        filled = [line for line in lines if line.filled]
        parsed = []
        for line in filled:
            values = [_money(line.values.get(cell, ""), line, cell) for cell in ("discount", "ipi", "icms_st")]
            if line.values.get("cost", "") == "":
                line.add_error("cost", _("Type the unit cost."))
            parsed.append(values)
        charges = [
            _money(request.POST.get(name, "").strip(), line_forms.TypedLine(0, {}), name) for name in ("freight",)
        ]
        if not any(line.errors for line in filled):
            try:
                order = services.create_order(
                    services.OrderIn(
                        supplier_id=_int(request.POST.get("supplier")) or 0,
                        warehouse_id=_int(request.POST.get("warehouse")) or 0,
                        lines=[
                            services.OrderLineIn(
                                line.product.pk, line.quantity, line.cost, discount=v[0], ipi=v[1], icms_st=v[2]
                            )
                            for line, v in zip(filled, parsed, strict=True)
                        ],
                        charges=services.Charges(freight=charges[0] if charges[0] is not None else ZERO),
                        expected_date=_date(request.POST.get("expected_date", "")),
                        payment_terms=request.POST.get("payment_terms", "").strip() or None,
                        notes=request.POST.get("notes", ""),
                    ),
                    actor=actor_of(request),
                )
            except DomainError as exc:
                problems = _placed(exc, filled)
            else:
                messages.success(request, _("Purchase order created."))
                return redirect("purchasing:order", order_id=order.pk)
    return _lines_form(
        request,
        "purchasing/order_form.html",
        lines,
        problems,
        suppliers=_suppliers(request.company),
        warehouses=_warehouses(request.company),
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def order_detail(request, order_id: int):
    order = get_object_or_404(
        PurchaseOrder.objects.select_related("supplier", "warehouse"), pk=order_id, company=request.company
    )
    context = {
        "doc": order,
        "lines": order.lines.select_related("product"),
        "allowed": allowed_transitions(order),
        "receivable": order.state in (OrderState.ORDERED, OrderState.PARTIALLY_RECEIVED),
        "receipts": Receipt.objects.filter(lines__order_line__order=order).distinct().order_by("id"),
        "events": state_history(order),
    }
    return render(request, "purchasing/order_detail.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def order_pdf(request, order_id: int):
    from retaguarda.purchasing.pdf import order_pdf as build_pdf

    order = get_object_or_404(
        PurchaseOrder.objects.select_related("company", "supplier", "warehouse"), pk=order_id, company=request.company
    )
    response = HttpResponse(build_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pedido-{order.number}.pdf"'
    return response


@login_required
@require_POST
def order_action(request, order_id: int, action: str):
    order = get_object_or_404(PurchaseOrder, pk=order_id, company=request.company)
    actor = actor_of(request)
    perm = RECEIVE if action == "receive" else ORDER
    if action not in ("send", "cancel", "receive") or not request.user.has_perm(perm):
        raise PermissionDenied
    try:
        if action == "send":
            services.send_order(order_id, actor=actor)
        elif action == "cancel":
            services.cancel_order(order_id, actor=actor, reason=request.POST.get("reason", ""))
        else:
            receipt = services.create_receipt(
                services.ReceiptIn(
                    order.supplier_id,
                    order.warehouse_id,
                    services.lines_from_orders(actor, [order_id]),
                    charges=services.charges_from_orders(actor, [order_id]),
                ),
                actor=actor,
            )
            messages.success(request, _("Draft receipt created: check it and post it."))
            return redirect("purchasing:receipt", receipt_id=receipt.pk)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Purchase order updated."))
    return redirect("purchasing:order", order_id=order_id)


# ---------------------------------------------------------------------------- receipts


@login_required
@permission_required(VIEW, raise_exception=True)
def receipts(request):
    qs = Receipt.objects.filter(company=request.company).select_related("supplier", "warehouse")
    return _list(request, qs, "purchasing/receipts.html", states=ReceiptState.choices)


@login_required
@permission_required(VIEW, raise_exception=True)
def receipt_detail(request, receipt_id: int):
    receipt = get_object_or_404(
        Receipt.objects.select_related("supplier", "warehouse", "title"), pk=receipt_id, company=request.company
    )
    context = {
        "doc": receipt,
        "lines": receipt.lines.select_related("product", "order_line__order").prefetch_related("lots"),
        "installments": receipt.installments.all(),
        "allowed": allowed_transitions(receipt),
        "events": state_history(receipt),
    }
    return render(request, "purchasing/receipt_detail.html", context)


@login_required
@permission_required(RECEIVE, raise_exception=True)
@require_POST
def receipt_action(request, receipt_id: int, action: str):
    get_object_or_404(Receipt, pk=receipt_id, company=request.company)
    run = {"post": services.post_receipt, "cancel": services.cancel_receipt}
    if action not in run:
        raise PermissionDenied
    try:
        run[action](receipt_id, actor=actor_of(request))
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Receipt updated."))
    return redirect("purchasing:receipt", receipt_id=receipt_id)


# ---------------------------------------------------------------------------- NF-e imports


@login_required
@permission_required(VIEW, raise_exception=True)
def nfe_imports(request):
    """The upload form and the notes awaiting confirmation or entered."""
    problems = []
    if request.method == "POST":
        if not request.user.has_perm(RECEIVE):
            raise PermissionDenied
        files = [(f.name, f.read()) for f in request.FILES.getlist("files")[:50]]
        try:
            imports = nfe_services.upload_nfe(files, actor=actor_of(request))
        except DomainError as exc:
            problems = [exc.message] + [
                d["message"]
                for d in exc.details
                if isinstance(d, dict) and d.get("message") and d["message"] != exc.message
            ]
        else:
            if len(imports) == 1:
                return redirect("purchasing:nfe_import", import_id=imports[0].pk)
            messages.success(request, _("%(n)s notes read: confirm each one.") % {"n": len(imports)})
            return redirect("purchasing:nfe_imports")
    qs = NfeImport.objects.filter(company=request.company).select_related("receipt").defer("xml")
    response = _list(request, qs, "purchasing/nfe_imports.html", summary=problems)
    if problems:
        response.status_code = 422
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def nfe_import(request, import_id: int):
    """The preview the user corrects (a product per unmatched item, the conversion), then confirms."""
    get_object_or_404(NfeImport.objects.defer("xml"), pk=import_id, company=request.company)
    answers, typed, summary = {}, {}, []
    if request.method == "POST":
        if not request.user.has_perm(RECEIVE):
            raise PermissionDenied
        answers, typed, summary = _answers(request)
    preview = nfe_services.import_preview(import_id, actor=actor_of(request), answers=answers)
    if request.method == "POST" and not summary:
        try:
            receipt = nfe_services.confirm_nfe(
                import_id,
                nfe_services.ConfirmIn(
                    warehouse_id=_int(request.POST.get("warehouse")) or 0,
                    answers=answers,
                    create_supplier=request.POST.get("create_supplier") == "1",
                    payment_terms=request.POST.get("payment_terms", "").strip() or None,
                ),
                actor=actor_of(request),
            )
        except DomainError as exc:
            summary = [exc.message] + [
                d["message"]
                for d in exc.details
                if isinstance(d, dict) and d.get("message") and d["message"] != exc.message
            ]
        else:
            messages.success(request, _("NF-e entered: stock and payable posted."))
            return redirect("purchasing:receipt", receipt_id=receipt.pk)
    context = {
        "preview": preview,
        "doc": preview.nfe_import,
        "typed": typed,
        "summary": summary,
        "warehouses": _warehouses(request.company),
        "data": request.POST,
    }
    return render(request, "purchasing/nfe_import.html", context, status=422 if summary else 200)


def _answers(request) -> tuple[dict[int, Answer], dict[str, str], list[str]]:
    """The products typed (SKU or GTIN) and conversions for the items, as answers; problems in Portuguese."""
    typed = {k: v.strip() for k, v in request.POST.items() if k.startswith(("product_", "factor_"))}
    codes = {v for k, v in typed.items() if k.startswith("product_") and v}
    products = line_forms.products_by_code(request.company, codes)
    answers, problems = {}, []
    for key, code in typed.items():
        if not key.startswith("product_") or not code:
            continue
        item = _int(key.removeprefix("product_"))
        factor_text = typed.get(f"factor_{item}", "")
        product = products.get(code)
        if item is None:
            continue
        if product is None:
            problems.append(_("Item %(n)s: no product with code %(code)s.") % {"n": item, "code": code})
            continue
        factor = None
        if factor_text:
            try:
                factor = line_forms.number(factor_text)
            except ValueError as exc:
                problems.append(_("Item %(n)s: %(message)s") % {"n": item, "message": exc})
                continue
        answers[item] = Answer(product.pk, factor)
    return answers, typed, problems


# ---------------------------------------------------------------------------- suggestions and late suppliers


@login_required
@permission_required(VIEW, raise_exception=True)
def suggestions(request):
    """What to buy now; the rows selected become draft orders, one per supplier and warehouse."""
    rows = selectors.reorder_suggestions(request.company)
    if request.method == "POST":
        if not request.user.has_perm(ORDER):
            raise PermissionDenied
        picked = []
        for value in request.POST.getlist("pick"):
            product_id, _sep, warehouse_id = value.partition("-")
            row = next((r for r in rows if f"{r.product.pk}-{r.warehouse.pk}" == value), None)
            if row is not None and _int(product_id) and _int(warehouse_id):
                picked.append(
                    services.PickedSuggestion(
                        row.product.pk, row.warehouse.pk, row.supplier.pk if row.supplier else None, row.quantity
                    )
                )
        try:
            created = services.orders_from_suggestions(picked, actor=actor_of(request))
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("%(n)s draft purchase orders created.") % {"n": len(created)})
            return redirect("purchasing:orders")
    return render(request, "purchasing/suggestions.html", {"rows": rows})


@login_required
@permission_required(VIEW, raise_exception=True)
def late(request):
    return render(request, "purchasing/late.html", {"rows": selectors.late_suppliers(request.company)})


@login_required
@permission_required(VIEW, raise_exception=True)
def suppliers_performance(request):
    return render(
        request,
        "purchasing/performance.html",
        {"rows": selectors.supplier_performance(request.company), "days": selectors.PERFORMANCE_WINDOW_DAYS},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def supplier_performance(request, party_id: int):
    """One supplier's figures; the supplier's page (parties) loads the card alone through htmx."""
    supplier = get_object_or_404(Party, pk=party_id, company=request.company, is_supplier=True)
    rows = selectors.supplier_performance(request.company, supplier_id=supplier.pk)
    context = {"supplier": supplier, "perf": rows[0] if rows else None, "days": selectors.PERFORMANCE_WINDOW_DAYS}
    template = "purchasing/supplier_performance.html"
    return render(request, f"{template}#card" if request.htmx else template, context)


@login_required
@permission_required(VIEW, raise_exception=True)
def cfop_map(request):
    """The supplier's CFOP → our entry CFOP: the defaults and the company's own, which replace them."""
    data, summary, problems = {}, [], {}
    if request.method == "POST":
        if not request.user.has_perm(ORDER):
            raise PermissionDenied
        actor = actor_of(request)
        data = {
            "supplier_cfop": request.POST.get("supplier_cfop", ""),
            "entry_cfop": request.POST.get("entry_cfop", ""),
        }
        try:
            if request.POST.get("delete"):
                services.delete_cfop_mapping(actor=actor, supplier_cfop=request.POST["delete"])
                messages.success(request, _("Back to the default entry CFOP."))
            else:
                services.set_cfop_mapping(actor=actor, **data)
                messages.success(request, _("Entry CFOP saved."))
            return redirect("purchasing:cfop_map")
        except DomainError as exc:
            summary = [d["message"] for d in exc.details] or [exc.message]
            problems = {d["field"]: d["message"] for d in exc.details if "field" in d}
    own = {m.supplier_cfop: m for m in CfopMapping.objects.filter(company=request.company)}
    rows = [
        {"supplier_cfop": code, "default": DEFAULT_ENTRY_CFOP.get(code, ""), "own": own.get(code)}
        for code in sorted(set(DEFAULT_ENTRY_CFOP) | set(own))
    ]
    context = {"rows": rows, "data": data, "summary": summary, "problems": problems}
    return render(request, "purchasing/cfop_map.html", context, status=422 if summary else 200)
