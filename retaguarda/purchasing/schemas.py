"""The purchasing API's input and output shapes (ninja schemas); the routes are in `api`."""

import datetime
from decimal import Decimal

from ninja import Field, Schema

from retaguarda.core.api import StrictSchema
from retaguarda.core.states import allowed_transitions, timeline


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
    quantity: Decimal = Field(description="in the product's stock unit, up to 4 decimal places")


class RequestIn(StrictSchema):
    reason: str
    needed_by: datetime.date | None = None
    lines: list[RequestLineSchema]


class DecisionIn(StrictSchema):
    note: str = ""


class RequestLineOut(Schema):
    id: int
    product_id: int
    quantity: Decimal
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
    product_id: int
    quantity: Decimal = Field(description="in the purchase unit, up to 4 decimal places")
    unit_cost: Decimal = Field(description="per purchase unit, before taxes, up to 10 decimal places")
    unit: str | None = Field(None, description="the purchase unit; default the product's")
    factor: Decimal | None = Field(None, description="stock units per purchase unit; default the product's")
    discount: Decimal = Decimal(0)
    ipi: Decimal = Decimal(0)
    icms_st: Decimal = Decimal(0)


class OrderLineSchema(CostLineSchema):
    request_line_id: int | None = None


class OrderIn(StrictSchema):
    supplier_id: int
    warehouse_id: int
    lines: list[OrderLineSchema]
    freight: Decimal = Decimal(0)
    insurance: Decimal = Decimal(0)
    other_expenses: Decimal = Decimal(0)
    expected_date: datetime.date | None = None
    payment_terms: str | None = Field(
        None, description="days of each installment, e.g. 30/60/90; default the supplier's"
    )
    notes: str = ""


class CancelIn(StrictSchema):
    reason: str = ""


class PurchaseOrderLineOut(Schema):
    id: int
    product_id: int
    sku: str
    quantity: Decimal
    unit: str
    factor: Decimal
    unit_cost: Decimal
    discount: Decimal
    ipi: Decimal
    icms_st: Decimal
    received_quantity: Decimal
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
    total: Decimal


class PurchaseOrderOut(PurchaseOrderSummaryOut, DocumentOut):
    payment_terms: str
    freight: Decimal
    insurance: Decimal
    other_expenses: Decimal
    goods_total: Decimal
    discount_total: Decimal
    ipi_total: Decimal
    icms_st_total: Decimal
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
    quantity: Decimal = Field(description="in the line's unit")
    expiry: datetime.date | None = None
    manufactured: datetime.date | None = None


class ReceiptLotIn(StrictSchema):
    code: str
    quantity: Decimal = Field(description="in the line's unit")
    expiry: datetime.date | None = None
    manufactured: datetime.date | None = None


class ReceiptLineSchema(CostLineSchema):
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


class ReceiptIn(StrictSchema):
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
    quantity: Decimal
    unit: str
    factor: Decimal
    stock_quantity: Decimal
    unit_cost: Decimal
    goods_value: Decimal
    discount: Decimal
    freight_share: Decimal
    insurance_share: Decimal
    other_share: Decimal
    ipi: Decimal
    icms_st: Decimal
    icms_credit: Decimal
    pis_credit: Decimal
    cofins_credit: Decimal
    landed_total: Decimal
    cost_value: Decimal
    unit_stock_cost: Decimal
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
    total: Decimal


class ReceiptHeadOut(ReceiptSummaryOut, DocumentOut):
    """A receipt without its lines and installments (`answers` writes those directly)."""

    payment_terms: str
    freight: Decimal
    insurance: Decimal
    other_expenses: Decimal
    goods_total: Decimal
    discount_total: Decimal
    ipi_total: Decimal
    icms_st_total: Decimal
    cost_total: Decimal
    credits_total: Decimal
    title_id: int | None
    posted_at: datetime.datetime | None
    version: int


class ReceiptOut(ReceiptHeadOut):
    lines: list[ReceiptLineOut]
    installments: list[PayableInstallmentSchema]

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
    quantity: Decimal
    unit_price: Decimal
    goods: Decimal
    product_id: int | None
    sku: str | None
    matched_by: str
    factor: Decimal
    stock_quantity: Decimal
    order_id: int | None
    order_number: int | None
    price_difference: Decimal | None
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
    total: Decimal
    receipt_id: int | None
    ready: bool
    problems: list[str]
    lines: list[PreviewLineOut]


class AnswerIn(StrictSchema):
    item: int = Field(description="the item's nItem")
    product_id: int
    factor: Decimal | None = Field(None, description="stock units per unit of the supplier's")


class ConfirmIn(StrictSchema):
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
    on_hand: Decimal
    reserved: Decimal
    on_order: Decimal
    daily_sales: Decimal
    lead_time_days: int
    quantity: Decimal = Field(description="stock units to order")
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
    ordered: Decimal = Field(description="cost per stock unit on the order, after its discount")
    invoiced: Decimal = Field(description="cost per stock unit invoiced, after its discount, before taxes and charges")
    stock_quantity: Decimal


class SupplierPerformanceOut(Schema):
    supplier_id: int
    supplier_name: str
    receipts: int = Field(description="receipts of its orders (with an expected date) posted in the window")
    on_time: int
    late: int
    on_time_rate: Decimal | None = Field(description="percent")
    average_days_late: Decimal | None
    average_lead_days: Decimal | None = Field(description="from sending the order to posting the receipt")
    declared_lead_days: int
    ordered_value: Decimal
    variance: Decimal = Field(description="invoiced - ordered, for the quantities received")
    variance_percent: Decimal | None
    variations: list[PriceVariationOut]


class CfopMappingIn(StrictSchema):
    entry_cfop: str = Field(description="4 digits starting with 1, 2 or 3, in the official table")


class CfopMappingOut(Schema):
    supplier_cfop: str
    default_entry_cfop: str | None
    entry_cfop: str | None = Field(description="the company's own, replacing the default")
