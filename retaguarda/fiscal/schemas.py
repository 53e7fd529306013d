"""The fiscal API's input and output shapes (ninja schemas); the routes are in `api`."""

import datetime
from decimal import Decimal

from ninja import Field, Schema

from retaguarda.core.api import FilledText, StrictSchema
from retaguarda.core.api_numbers import Amount, Measure, PositiveQuantityIn
from retaguarda.core.states import allowed_transitions
from retaguarda.fiscal import certificates
from retaguarda.fiscal.models import (
    FiscalDocument,
    FiscalDocumentLine,
    FiscalEvent,
    FiscalSettings,
    Operation,
    TaxRule,
    Voiding,
)
from retaguarda.fiscal.services import DocumentIn, InstallmentIn, ItemIn, PaymentIn

Strict = StrictSchema


class ItemSchema(Strict):
    writes = (FiscalDocumentLine,)
    product_id: int
    quantity: PositiveQuantityIn = Field(description="up to 4 decimals")
    unit_price: Decimal = Field(description="up to 10 decimals")
    discount: Decimal = Decimal("0")
    freight: Decimal = Decimal("0")
    insurance: Decimal = Decimal("0")
    other: Decimal = Decimal("0")
    description: str = ""


class PaymentSchema(Strict):
    method: str = Field(
        min_length=2,
        max_length=2,
        pattern=r"^[0-9]{2}$",
        description="tPag: 01 cash, 03 credit card, 04 debit card, 15 boleto, 17 PIX, 90 none, 99 other",
    )
    amount: Decimal


class InstallmentSchema(Strict):
    due_date: datetime.date
    amount: Decimal


class DocumentInSchema(Strict):
    writes = (FiscalDocument,)
    columns = {"operation": Operation.code}
    model: int = Field(55, description="55 NF-e, 65 NFC-e")
    recipient_id: int | None = None
    operation: str | None = Field(None, description="operation code; default: the company's sale (or return)")
    items: list[ItemSchema] = Field(min_length=1)
    payments: list[PaymentSchema] = []
    installments: list[InstallmentSchema] = []
    referenced_keys: list[str] = []
    final_consumer: bool | None = None
    presence: int = 1
    freight_mode: int = 9
    additional_info: str = ""

    def to_input(self) -> DocumentIn:
        return DocumentIn(
            model=self.model,
            recipient_id=self.recipient_id,
            operation=self.operation,
            items=tuple(ItemIn(**item.dict()) for item in self.items),
            payments=tuple(PaymentIn(**p.dict()) for p in self.payments),
            installments=tuple(InstallmentIn(**i.dict()) for i in self.installments),
            referenced_keys=tuple(self.referenced_keys),
            final_consumer=self.final_consumer,
            presence=self.presence,
            freight_mode=self.freight_mode,
            additional_info=self.additional_info,
        )


class TaxOut(Schema):
    tax: str
    cst: str
    base: Amount
    rate: Measure
    value: Amount
    rule_id: int | None
    rule_name: str
    why: list[str]


class LineOut(Schema):
    number: int
    product_id: int
    code: str
    description: str
    ncm: str
    cfop: str
    quantity: Measure
    unit_price: Measure
    gross: Amount
    discount: Amount
    freight: Amount
    taxes: list[TaxOut]

    @staticmethod
    def resolve_taxes(obj):
        return [{"tax": tax, **value} for tax, value in obj.taxes.items()]


class DocumentSummaryOut(Schema):
    id: int
    model: int
    series: int
    number: int | None
    key: str
    state: str
    environment: int
    nature: str
    recipient_id: int | None
    recipient_name: str
    total: Amount
    issued_at: datetime.datetime | None
    source_type: str
    source_id: int | None
    version: int

    @staticmethod
    def resolve_recipient_name(obj):
        return (obj.recipient_data or {}).get("name", "")


class DocumentOut(DocumentSummaryOut):
    emission_type: int = Field(description="tpEmis: 1 normal, 6 SVC-AN, 7 SVC-RS, 9 NFC-e offline")
    contingency_since: datetime.datetime | None
    contingency_reason: str
    direction: int
    purpose: int
    final_consumer: bool
    referenced_keys: list[str]
    products_total: Amount
    discount_total: Amount
    freight_total: Amount
    insurance_total: Amount
    other_total: Amount
    tax_totals: dict[str, Amount]
    qr_code: str
    protocol: str
    status_code: str
    status_message: str
    allowed_actions: list[str]
    lines: list[LineOut]

    @staticmethod
    def resolve_allowed_actions(obj):
        return allowed_transitions(obj)

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class PreviewOut(Schema):
    total: Amount
    tax_totals: dict[str, Amount]
    lines: list[LineOut]


class OperationOut(Schema):
    id: int
    code: str
    name: str
    direction: int
    purpose: int
    cfop_internal: str
    cfop_interstate: str
    cfop_foreign: str
    is_active: bool


class TaxRuleOut(Schema):
    id: int
    version: int
    name: str
    tax: str
    priority: int
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    is_active: bool
    operation_id: int | None
    cfop: str
    origin_uf: str
    destination_uf: str
    scope: str
    ncm_prefix: str
    regime: str
    recipient: str
    product_origins: str
    cst: str
    rate: Measure | None
    base_reduction: Measure
    mva: Measure
    st_rate: Measure | None
    credit_rate: Measure
    cclasstrib: str
    set_cfop: str
    legal_basis: str


class TaxRuleIn(Strict):
    writes = (TaxRule,)
    name: FilledText
    tax: str
    priority: int = 0
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    is_active: bool = True
    operation_id: int | None = None
    cfop: str = ""
    origin_uf: str = ""
    destination_uf: str = ""
    scope: str = ""
    ncm_prefix: str = ""
    regime: str = ""
    recipient: str = ""
    product_origins: str = ""
    cst: str = ""
    rate: Decimal | None = None
    base_reduction: Decimal = Decimal("0")
    mva: Decimal = Decimal("0")
    st_rate: Decimal | None = None
    credit_rate: Decimal = Decimal("0")
    cclasstrib: str = ""
    set_cfop: str = ""
    ipi_enq: str = "999"
    difal_double_base: bool = False
    legal_basis: str = ""


class SettingsOut(Schema):
    environment: int
    sefaz_url: str
    contingency: bool
    contingency_since: datetime.datetime | None
    contingency_reason: str
    nfe_series: int
    nfce_series: int
    nfce_qr_version: int
    uses_test_certificate: bool
    certificate_subject: str
    certificate_cnpj: str
    certificate_not_before: datetime.datetime | None
    certificate_not_after: datetime.datetime | None
    certificate_fingerprint: str
    certificate_days_left: int | None = Field(None, description="days until the A1 certificate expires")
    csc_id: str
    default_sale_operation_id: int | None
    default_return_operation_id: int | None
    version: int

    @staticmethod
    def resolve_certificate_days_left(obj):
        return certificates.days_left(obj)


class BatchIn(Strict):
    document_ids: list[int] = Field(min_length=1, max_length=500, description="queued notes of this company")


class ContingencyIn(Strict):
    columns = {"reason": FiscalSettings.contingency_reason}
    on: bool
    reason: str = Field(
        "", description="15 to 256 characters, printed on every note (xJust); required to enter (empty to leave)"
    )


class CscIn(Strict):
    writes = (FiscalSettings,)
    csc_id: str = Field(description="1 to 6 digits, given by SEFAZ")
    csc: str = Field(description="16 to 36 letters and digits, given by SEFAZ")


class NoteCancelIn(Strict):
    columns = {"reason": Voiding.reason}
    reason: str = Field(min_length=15, description="15 to 255 characters (spaces in a row count as one)")


class CorrectionIn(Strict):
    writes = (FiscalEvent,)
    text: str = Field(
        min_length=15, max_length=1000, description="15 to 1000 characters (spaces in a row count as one)"
    )


class FiscalEventOut(Schema):
    id: int
    document_id: int
    event_type: str
    sequence: int
    text: str
    protocol: str
    created_at: datetime.datetime


class ExchangeOut(Schema):
    id: int
    service: str
    status_code: str
    message: str
    milliseconds: int
    request: str
    response: str
    created_at: datetime.datetime


class VoidingIn(Strict):
    writes = (Voiding,)
    model: int = 55
    series: int
    first: int
    last: int
    reason: str = Field(min_length=15, description="15 to 255 characters (spaces in a row count as one)")


class VoidingOut(Schema):
    id: int
    model: int
    series: int
    first: int
    last: int
    reason: str
    protocol: str


class StatusOut(Schema):
    status_code: str
    message: str
