"""Purchasing API at `/api/v1/purchasing`: requests, orders, receipts, supplier NF-e imports.

State changes are POST commands; a foreign id is 404. An NF-e upload answers the parsed preview with
its matches and problems; `/confirm` turns it into a posted receipt with its payable."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import File, Router, Status, UploadedFile

from retaguarda.core.actor import actor_of
from retaguarda.core.api import Page, PageLimit, idempotent, keyset_page_body
from retaguarda.core.api_auth import require
from retaguarda.core.api_numbers import write_decimals
from retaguarda.purchasing import selectors, services
from retaguarda.purchasing.answers import json_answer, receipt_answer
from retaguarda.purchasing.models import CfopMapping, NfeImport, PurchaseOrder, PurchaseRequest, Receipt
from retaguarda.purchasing.nfe import services as nfe_services
from retaguarda.purchasing.nfe.cfop import DEFAULT_ENTRY_CFOP
from retaguarda.purchasing.nfe.matching import Answer, Preview
from retaguarda.purchasing.schemas import (
    CancelIn,
    CfopMappingIn,
    CfopMappingOut,
    ConfirmIn,
    DecisionIn,
    NfeImportOut,
    OrderIn,
    PurchaseOrderOut,
    PurchaseOrderSummaryOut,
    ReceiptIn,
    ReceiptOut,
    ReceiptSummaryOut,
    RejectionIn,
    ReorderSuggestionOut,
    RequestIn,
    RequestOut,
    RequestSummaryOut,
    SuggestionPickIn,
    SupplierPerformanceOut,
)

router = Router(tags=["purchasing"])
VIEW = require("purchasing.view")
REQUEST = require("purchasing.request")
APPROVE = require("purchasing.approve")
ORDER = require("purchasing.order")
RECEIVE = require("purchasing.receive")
MAX_UPLOAD_FILES = 50


def _own(request, model, pk: int):
    return get_object_or_404(model, pk=pk, company=request.company)


def _page(request, model, state: str, cursor: str | None, limit: int, **filters) -> dict:
    qs = model.objects.filter(company=request.company, **filters)
    if state:
        qs = qs.filter(state=state)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("-id",))


# ---------------------------------------------------------------------------- requests


@router.get("/requests", response=Page[RequestSummaryOut], auth=VIEW)
def list_requests(request, state: str = "", cursor: str | None = None, limit: PageLimit = 50):
    return _page(request, PurchaseRequest, state, cursor, limit)


@router.post("/requests", response={201: RequestOut}, auth=REQUEST)
@idempotent
def create_request(request, body: RequestIn):
    created = services.create_request(
        actor=actor_of(request),
        reason=body.reason,
        needed_by=body.needed_by,
        lines=[services.RequestLineIn(line.product_id, line.quantity) for line in body.lines],
    )
    return Status(201, created)


@router.get("/requests/{request_id}", response=RequestOut, auth=VIEW)
def get_request(request, request_id: int):
    return _own(request, PurchaseRequest, request_id)


@router.post("/requests/{request_id}/approve", response=RequestOut, auth=APPROVE)
def approve_request(request, request_id: int, body: DecisionIn):
    return services.approve_request(request_id, actor=actor_of(request), note=body.note)


@router.post("/requests/{request_id}/reject", response=RequestOut, auth=APPROVE)
def reject_request(request, request_id: int, body: RejectionIn):
    return services.reject_request(request_id, actor=actor_of(request), note=body.note)


@router.post("/requests/{request_id}/cancel", response=RequestOut, auth=REQUEST)
def cancel_request(request, request_id: int):
    return services.cancel_request(request_id, actor=actor_of(request))


# ---------------------------------------------------------------------------- orders


@router.get("/orders", response=Page[PurchaseOrderSummaryOut], auth=VIEW)
def list_orders(
    request, state: str = "", supplier_id: int | None = None, cursor: str | None = None, limit: PageLimit = 50
):
    filters = {"supplier_id": supplier_id} if supplier_id else {}
    return _page(request, PurchaseOrder, state, cursor, limit, **filters)


@router.post("/orders", response={201: PurchaseOrderOut}, auth=ORDER)
@idempotent
def create_order(request, body: OrderIn):
    order = services.create_order(
        services.OrderIn(
            supplier_id=body.supplier_id,
            warehouse_id=body.warehouse_id,
            lines=[services.OrderLineIn(**line.dict()) for line in body.lines],
            charges=services.Charges(body.freight, body.insurance, body.other_expenses),
            expected_date=body.expected_date,
            payment_terms=body.payment_terms,
            notes=body.notes,
        ),
        actor=actor_of(request),
    )
    return Status(201, order)


@router.get("/orders/{order_id}", response=PurchaseOrderOut, auth=VIEW)
def get_order(request, order_id: int):
    return _own(request, PurchaseOrder, order_id)


@router.post("/orders/{order_id}/send", response=PurchaseOrderOut, auth=ORDER)
def send_order(request, order_id: int):
    """Draft → ordered; the order's PDF is e-mailed to the supplier after commit."""
    return services.send_order(order_id, actor=actor_of(request))


@router.post("/orders/{order_id}/cancel", response=PurchaseOrderOut, auth=ORDER)
def cancel_order(request, order_id: int, body: CancelIn):
    return services.cancel_order(order_id, actor=actor_of(request), reason=body.reason)


# ---------------------------------------------------------------------------- receipts


@router.get("/receipts", response=Page[ReceiptSummaryOut], auth=VIEW)
def list_receipts(
    request, state: str = "", supplier_id: int | None = None, cursor: str | None = None, limit: PageLimit = 50
):
    filters = {"supplier_id": supplier_id} if supplier_id else {}
    return _page(request, Receipt, state, cursor, limit, **filters)


@router.post("/receipts", response={201: ReceiptOut}, auth=RECEIVE)
@idempotent
def create_receipt(request, body: ReceiptIn):
    """A draft receipt: the open lines of `order_ids` and/or the `lines` given, landed costs computed."""
    actor = actor_of(request)
    lines = services.lines_from_orders(actor, body.order_ids) if body.order_ids else []
    lines += [
        services.ReceiptLineIn(**{**line.dict(), "lots": tuple(services.LotIn(**lot) for lot in line.dict()["lots"])})
        for line in body.lines
    ]
    given = (body.freight, body.insurance, body.other_expenses)
    if all(v is None for v in given):
        charges = services.charges_from_orders(actor, body.order_ids)
    else:
        charges = services.Charges(*(Decimal(0) if v is None else v for v in given))
    receipt = services.create_receipt(
        services.ReceiptIn(
            supplier_id=body.supplier_id,
            warehouse_id=body.warehouse_id,
            lines=lines,
            charges=charges,
            issue_date=body.issue_date,
            invoice_number=body.invoice_number,
            nfe_key=body.nfe_key,
            payment_terms=body.payment_terms,
            installments=[services.InstallmentIn(i.due_date, i.amount) for i in body.installments],
        ),
        actor=actor,
    )
    return receipt_answer(receipt, 201)


@router.get("/receipts/{receipt_id}", response=ReceiptOut, auth=VIEW)
def get_receipt(request, receipt_id: int):
    return receipt_answer(_own(request, Receipt, receipt_id))


@router.post("/receipts/{receipt_id}/post", response=ReceiptOut, auth=RECEIVE)
def post_receipt(request, receipt_id: int):
    """Stock in at landed cost, the orders received, the payable created."""
    return receipt_answer(services.post_receipt(receipt_id, actor=actor_of(request)))


@router.post("/receipts/{receipt_id}/cancel", response=ReceiptOut, auth=RECEIVE)
def cancel_receipt(request, receipt_id: int):
    return receipt_answer(services.cancel_receipt(receipt_id, actor=actor_of(request)))


# ---------------------------------------------------------------------------- NF-e imports


def preview_out(preview: Preview) -> dict:
    imported = preview.nfe_import
    return {
        "id": imported.pk,
        "access_key": imported.access_key,
        "state": imported.state,
        "supplier_document": imported.supplier_document,
        "supplier_name": imported.supplier_name,
        "supplier_id": preview.supplier.pk if preview.supplier else None,
        "invoice_number": imported.invoice_number,
        "issue_date": imported.issue_date,
        "total": imported.total,
        "receipt_id": imported.receipt_id,
        "ready": preview.ready,
        "problems": preview.problems,
        "lines": [
            {
                "item": line.item.number,
                "supplier_code": line.item.code,
                "gtin": line.item.gtin,
                "description": line.item.name,
                "cfop": line.item.cfop,
                "entry_cfop": line.entry_cfop,
                "unit": line.item.unit,
                "quantity": line.item.quantity,
                "unit_price": line.item.unit_price,
                "goods": line.item.goods,
                "product_id": line.product.pk if line.product else None,
                "sku": line.product.sku if line.product else None,
                "matched_by": line.matched_by,
                "factor": line.factor,
                "stock_quantity": line.stock_quantity,
                "order_id": line.order_line.order_id if line.order_line else None,
                "order_number": line.order_line.order.number if line.order_line else None,
                "price_difference": line.price_difference,
                "problems": line.problems,
                "warnings": line.warnings,
                "lots": [
                    {"code": lot.code, "quantity": lot.quantity, "expiry": lot.expiry, "manufactured": lot.manufactured}
                    for lot in line.item.lots
                ],
            }
            for line in preview.lines
        ],
    }


@router.post("/nfe-imports", response={201: list[NfeImportOut]}, auth=RECEIVE)
def upload_nfe(request, files: File[list[UploadedFile]]):
    """Upload one or more NF-e XML files or zips (multipart, field `files`); answers each note's preview."""
    actor = actor_of(request)
    uploaded = [(f.name or "arquivo", f.read()) for f in files[:MAX_UPLOAD_FILES]]
    previews = nfe_services.upload_and_preview(uploaded, actor=actor)
    return json_answer([write_decimals(preview_out(p), NfeImportOut) for p in previews], 201)


@router.get("/nfe-imports/{import_id}", response=NfeImportOut, auth=VIEW)
def get_nfe_import(request, import_id: int):
    _own(request, NfeImport, import_id)
    preview = nfe_services.import_preview(import_id, actor=actor_of(request))
    return json_answer(write_decimals(preview_out(preview), NfeImportOut))


@router.post("/nfe-imports/{import_id}/confirm", response=ReceiptOut, auth=RECEIVE)
def confirm_nfe_import(request, import_id: int, body: ConfirmIn):
    """The note enters: a posted receipt and its payable. Unmatched items need an answer."""
    _own(request, NfeImport, import_id)
    receipt = nfe_services.confirm_nfe(
        import_id,
        nfe_services.ConfirmIn(
            warehouse_id=body.warehouse_id,
            answers={a.item: Answer(a.product_id, a.factor) for a in body.answers},
            create_supplier=body.create_supplier,
            payment_terms=body.payment_terms,
        ),
        actor=actor_of(request),
    )
    return receipt_answer(receipt)


# ---------------------------------------------------------------------------- suggestions


@router.get("/suggestions", response=list[ReorderSuggestionOut], auth=VIEW)
def list_suggestions(request, window_days: int = selectors.SALES_WINDOW_DAYS):
    """Per product with a minimum and warehouse: the quantity to order (stock units) and by when."""
    rows = selectors.reorder_suggestions(request.company, window_days=max(1, min(window_days, 365)))
    return [
        {
            "product_id": r.product.pk,
            "sku": r.product.sku,
            "warehouse_id": r.warehouse.pk,
            "supplier_id": r.supplier.pk if r.supplier else None,
            "on_hand": r.on_hand,
            "reserved": r.reserved,
            "on_order": r.on_order,
            "daily_sales": r.daily_sales,
            "lead_time_days": r.lead_time_days,
            "quantity": r.quantity,
            "order_by": r.order_by,
        }
        for r in rows
    ]


@router.post("/suggestions/orders", response={201: list[PurchaseOrderSummaryOut]}, auth=ORDER)
@idempotent
def orders_from_suggestions(request, body: list[SuggestionPickIn]):
    """The picked suggestions become draft orders, one per supplier and warehouse."""
    picked = [services.PickedSuggestion(p.product_id, p.warehouse_id, p.supplier_id, p.quantity) for p in body]
    return Status(201, services.orders_from_suggestions(picked, actor=actor_of(request)))


@router.get("/suppliers/performance", response=list[SupplierPerformanceOut], auth=VIEW)
def supplier_performance(request, supplier_id: int | None = None, days: int = selectors.PERFORMANCE_WINDOW_DAYS):
    """Per supplier: receipts against its orders on time or late, lead time, invoiced against ordered prices."""
    rows = selectors.supplier_performance(request.company, supplier_id=supplier_id, days=max(1, min(days, 3660)))
    return [
        {
            "supplier_id": p.supplier.pk,
            "supplier_name": p.supplier.legal_name,
            "receipts": p.receipts,
            "on_time": p.on_time,
            "late": p.late,
            "on_time_rate": p.on_time_rate,
            "average_days_late": p.average_days_late,
            "average_lead_days": p.average_lead_days,
            "declared_lead_days": p.supplier.lead_time_days,
            "ordered_value": p.ordered_value,
            "variance": p.variance,
            "variance_percent": p.variance_percent,
            "variations": [{**v.__dict__} for v in p.variations[:50]],
        }
        for p in rows
    ]


# ---------------------------------------------------------------------------- entry CFOP map


def _cfop_rows(company) -> list[dict]:
    own = dict(CfopMapping.objects.filter(company=company).values_list("supplier_cfop", "entry_cfop"))
    return [
        {"supplier_cfop": c, "default_entry_cfop": DEFAULT_ENTRY_CFOP.get(c), "entry_cfop": own.get(c)}
        for c in sorted(set(DEFAULT_ENTRY_CFOP) | set(own))
    ]


@router.get("/cfop-map", response=list[CfopMappingOut], auth=VIEW)
def list_cfop_map(request):
    """The supplier's CFOP → entry CFOP: the defaults and the company's own."""
    return _cfop_rows(request.company)


@router.put("/cfop-map/{supplier_cfop}", response=CfopMappingOut, auth=ORDER)
def set_cfop_mapping(request, supplier_cfop: str, body: CfopMappingIn):
    row = services.set_cfop_mapping(actor=actor_of(request), supplier_cfop=supplier_cfop, entry_cfop=body.entry_cfop)
    return next(r for r in _cfop_rows(request.company) if r["supplier_cfop"] == row.supplier_cfop)


@router.delete("/cfop-map/{supplier_cfop}", response={204: None}, auth=ORDER)
def delete_cfop_mapping(request, supplier_cfop: str):
    services.delete_cfop_mapping(actor=actor_of(request), supplier_cfop=supplier_cfop)
    return Status(204, None)
