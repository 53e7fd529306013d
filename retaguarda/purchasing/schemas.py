"""The purchasing API's input and output shapes (ninja schemas); the routes are in `api`."""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from retaguarda.core.api import FilledText, StrictSchema
from retaguarda.core.api_numbers import Amount, Measure, PositiveQuantityIn, Scale
from retaguarda.core.money import QUANTITY_PLACES
from retaguarda.core.states import allowed_transitions, timeline
from retaguarda.purchasing.models import (
    CfopMapping,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    Receipt,
    ReceiptLine,
    ReceiptLineLot,
)


class EventOut(Schema):
    from_state: str
    to_state: str
    user: str | None
    origin: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_user(obj):
        return obj.user.get_username() if obj.user_id else None


class DocumentOut(Schema):
    allowed: list[str]
    events: list[EventOut]

    @staticmethod
    def resolve_allowed(obj):
        return allowed_transitions(obj)

    @staticmethod
    def resolve_events(obj):
        return list(timeline(obj))


# ---------------------------------------------------------------------------- requests


class RequestLineSchema(StrictSchema):
    product_id: int
    quantity: Annotated[Decimal, Scale(QUANTITY_PLACES, 10, above_zero=True)] = Field(
        description="in the product's stock unit, up to 4 decimal places"
    )


class RequestIn(StrictSchema):
    writes = (PurchaseRequest,)
    reason: FilledText
    needed_by: datetime.date | None = None
    lines: list[RequestLineSchema] = Field(min_length=1)


class DecisionIn(StrictSchema):
    columns = {"note": PurchaseRequest.decision_note}
    note: str = ""


class RejectionIn(StrictSchema):
    columns = {"note": PurchaseRequest.decision_note}
    note: FilledText = Field(description="why the request is rejected")


class RequestLineOut(Schema):
    id: int
    product_id: int
    quantity: Measure
    sku: str

    @staticmethod
    def resolve_sku(obj):
        return obj.product.sku


class RequestSummaryOut(Schema):
    id: int
    number: int
    state: str
    reason: str
    needed_by: datetime.date | None
    created_at: datetime.datetime


class RequestOut(RequestSummaryOut, DocumentOut):
    decision_note: str
    version: int
    lines: list[RequestLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("product"))


# ---------------------------------------------------------------------------- orders


class CostLineSchema(StrictSchema):
    writes = (PurchaseOrderLine,)
    product_id: int
    quantity: PositiveQuantityIn = Field(description="in the purchase unit, up to 4 decimal places")
    unit_cost: Decimal = Field(description="per purchase unit, before taxes, up to 10 decimal places")
    unit: str | None = Field(None, description="the purchase unit; default the product's")
    factor: Decimal | None = Field(None, description="stock units per purchase unit; default the product's")
    discount: Decimal = Decimal(0)
    ipi: Decimal = Decimal(0)
    icms_st: Decimal = Decimal(0)


class OrderLineSchema(CostLineSchema):
    writes = (PurchaseOrderLine,)
    request_line_id: int | None = None


class OrderIn(StrictSchema):
    writes = (PurchaseOrder,)
    supplier_id: int
    warehouse_id: int
    lines: list[OrderLineSchema] = Field(min_length=1)
    freight: Decimal = Decimal(0)
    insurance: Decimal = Decimal(0)
    other_expenses: Decimal = Decimal(0)
    expected_date: datetime.date | None = None
    payment_terms: str | None = Field(
        None, description="days of each installment, e.g. 30/60/90; default the supplier's"
    )
    notes: str = ""


class CancelIn(StrictSchema):
    columns = {"reason": PurchaseRequest.reason}
    reason: str = ""


class PurchaseOrderLineOut(Schema):
    id: int
    product_id: int
    sku: str
    quantity: Measure
    unit: str
    factor: Measure
    unit_cost: Measure
    discount: Amount
    ipi: Amount
    icms_st: Amount
    received_quantity: Measure
    request_line_id: int | None

    @staticmethod
    def resolve_sku(obj):
        return obj.product.sku


class PurchaseOrderSummaryOut(Schema):
    id: int
    number: int
    state: str
    supplier_id: int
    warehouse_id: int
    order_date: datetime.date
    expected_date: datetime.date | None
    total: Amount


class ChargesOut(Schema):
    """What the header of an order and of a receipt share: the payment terms, the charges and the totals."""

    payment_terms: str
    freight: Amount
    insurance: Amount
    other_expenses: Amount
    goods_total: Amount
    discount_total: Amount
    ipi_total: Amount
    icms_st_total: Amount


class PurchaseOrderOut(ChargesOut, PurchaseOrderSummaryOut, DocumentOut):
    notes: str
    sent_at: datetime.datetime | None
    version: int
    lines: list[PurchaseOrderLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("product"))


# ---------------------------------------------------------------------------- receipts


class LotSchema(Schema):
    code: str
    quantity: Measure = Field(description="in the line's unit")
    expiry: datetime.date | None = None
    manufactured: datetime.date | None = None


class ReceiptLotIn(StrictSchema):
    writes = (ReceiptLineLot,)
    code: str
    quantity: Decimal = Field(description="in the line's unit")
    expiry: datetime.date | None = None
    manufactured: datetime.date | None = None


class ReceiptLineSchema(CostLineSchema):
    writes = (ReceiptLine,)
    order_line_id: int | None = None
    lot_code: str = ""
    lot_expiry: datetime.date | None = None
    lots: list[ReceiptLotIn] = Field(default_factory=list, description="several lots of the line (instead of lot_code)")
    icms_credit: Decimal = Decimal(0)
    pis_credit: Decimal = Decimal(0)
    cofins_credit: Decimal = Decimal(0)


class PayableInstallmentSchema(StrictSchema):
    due_date: datetime.date
    amount: Decimal


class PayableInstallmentOut(Schema):
    due_date: datetime.date
    amount: Amount


class ReceiptIn(StrictSchema):
    writes = (Receipt,)
    typed = frozenset({"nfe_key"})
    supplier_id: int
    warehouse_id: int
    order_ids: list[int] = Field(default_factory=list, description="receive what is open on these orders")
    lines: list[ReceiptLineSchema] = Field(default_factory=list, description="the lines, when not from orders")
    freight: Decimal | None = Field(None, description="omitted (all three): the charges of orders not received yet")
    insurance: Decimal | None = None
    other_expenses: Decimal | None = None
    issue_date: datetime.date | None = None
    invoice_number: str = ""
    nfe_key: str = ""
    payment_terms: str | None = None
    installments: list[PayableInstallmentSchema] = Field(default_factory=list)


class ReceiptLineOut(Schema):
    id: int
    product_id: int
    sku: str
    order_line_id: int | None
    quantity: Measure
    unit: str
    factor: Measure
    stock_quantity: Measure
    unit_cost: Measure
    goods_value: Amount
    discount: Amount
    freight_share: Amount
    insurance_share: Amount
    other_share: Amount
    ipi: Amount
    icms_st: Amount
    icms_credit: Amount
    pis_credit: Amount
    cofins_credit: Amount
    landed_total: Amount
    cost_value: Amount
    unit_stock_cost: Measure
    cfop: str
    lot_code: str
    lot_expiry: datetime.date | None
    lots: list[LotSchema]

    @staticmethod
    def resolve_sku(obj):
        return obj.product.sku

    @staticmethod
    def resolve_lots(obj):
        return list(obj.lots.all())


class ReceiptSummaryOut(Schema):
    id: int
    number: int
    state: str
    supplier_id: int
    warehouse_id: int
    issue_date: datetime.date
    invoice_number: str
    nfe_key: str
    total: Amount


class ReceiptHeadOut(ChargesOut, ReceiptSummaryOut, DocumentOut):
    """A receipt without its lines and installments (`answers` writes those directly)."""

    cost_total: Amount
    credits_total: Amount
    title_id: int | None
    posted_at: datetime.datetime | None
    version: int


class ReceiptOut(ReceiptHeadOut):
    lines: list[ReceiptLineOut]
    installments: list[PayableInstallmentOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("product").prefetch_related("lots"))

    @staticmethod
    def resolve_installments(obj):
        return list(obj.installments.all())


# ---------------------------------------------------------------------------- NF-e imports


class PreviewLineOut(Schema):
    item: int
    supplier_code: str
    gtin: str
    description: str
    cfop: str
    entry_cfop: str
    unit: str
    quantity: Measure
    unit_price: Measure
    goods: Amount
    product_id: int | None
    sku: str | None
    matched_by: str
    factor: Measure
    stock_quantity: Measure
    order_id: int | None
    order_number: int | None
    price_difference: Measure | None
    problems: list[str]
    warnings: list[str]
    lots: list[LotSchema]


class NfeImportOut(Schema):
    id: int
    access_key: str
    state: str
    supplier_document: str
    supplier_name: str
    supplier_id: int | None
    invoice_number: str
    issue_date: datetime.date
    total: Amount
    receipt_id: int | None
    ready: bool
    problems: list[str]
    lines: list[PreviewLineOut]


class AnswerIn(StrictSchema):
    item: int = Field(description="the item's nItem")
    product_id: int
    factor: Decimal | None = Field(None, description="stock units per unit of the supplier's")


class ConfirmIn(StrictSchema):
    writes = (Receipt,)
    warehouse_id: int
    answers: list[AnswerIn] = Field(default_factory=list)
    create_supplier: bool = False
    payment_terms: str | None = Field(None, description="when the note has no installments (cobr/dup)")


# ---------------------------------------------------------------------------- suggestions


class ReorderSuggestionOut(Schema):
    product_id: int
    sku: str
    warehouse_id: int
    supplier_id: int | None
    on_hand: Measure
    reserved: Measure
    on_order: Measure
    daily_sales: Measure
    lead_time_days: int
    quantity: Measure = Field(description="stock units to order")
    order_by: datetime.date


class SuggestionPickIn(StrictSchema):
    product_id: int
    warehouse_id: int
    supplier_id: int | None
    quantity: Decimal = Field(description="stock units")


class PriceVariationOut(Schema):
    receipt_id: int
    receipt_number: int
    order_number: int
    sku: str
    posted_on: datetime.date
    ordered: Measure = Field(description="cost per stock unit on the order, after its discount")
    invoiced: Measure = Field(description="cost per stock unit invoiced, after its discount, before taxes and charges")
    stock_quantity: Measure


class SupplierPerformanceOut(Schema):
    supplier_id: int
    supplier_name: str
    receipts: int = Field(description="receipts of its orders (with an expected date) posted in the window")
    on_time: int
    late: int
    on_time_rate: Measure | None = Field(description="percent")
    average_days_late: Measure | None
    average_lead_days: Measure | None = Field(description="from sending the order to posting the receipt")
    declared_lead_days: int
    ordered_value: Amount
    variance: Amount = Field(description="invoiced - ordered, for the quantities received")
    variance_percent: Measure | None
    variations: list[PriceVariationOut]


class CfopMappingIn(StrictSchema):
    writes = (CfopMapping,)
    entry_cfop: str = Field(description="4 digits starting with 1, 2 or 3, in the official table")


class CfopMappingOut(Schema):
    supplier_cfop: str
    default_entry_cfop: str | None
    entry_cfop: str | None = Field(description="the company's own, replacing the default")
