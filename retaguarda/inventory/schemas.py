"""The inventory API's input and output shapes (ninja schemas); the routes are in `api`."""

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from retaguarda.catalog.models import Product
from retaguarda.core.api import FilledText, StrictSchema
from retaguarda.core.api_numbers import Amount, Measure, PositiveQuantityIn, QuantityIn
from retaguarda.core.states import allowed_transitions, timeline
from retaguarda.inventory.models import Lot, ManualOperation, Reservation, StockCount, TransferOrder, Warehouse
from retaguarda.inventory.ownership import PUBLIC_PATTERN


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    allow_negative: bool
    is_active: bool
    version: int


class WarehouseIn(StrictSchema):
    writes = (Warehouse,)
    code: FilledText
    name: FilledText
    allow_negative: bool = False


class WarehousePatch(StrictSchema):
    writes = (Warehouse,)
    version: int
    code: FilledText | None = None
    name: FilledText | None = None
    allow_negative: bool | None = None
    is_active: bool | None = None


class BalanceOut(Schema):
    product_id: int
    sku: str
    name: str
    warehouse_id: int
    warehouse_code: str
    on_hand: Measure
    reserved: Measure
    available: Measure
    in_transit: Measure
    average_cost: Measure
    value: Amount


class PastBalanceOut(Schema):
    product_id: int
    sku: str
    name: str
    on_hand: Measure


class MoveOut(Schema):
    id: int
    product_id: int
    sku: str
    lot: str | None
    from_location: str
    from_kind: str
    to_location: str
    to_kind: str
    quantity: Measure
    unit_cost: Measure
    source_type: str
    source_id: int
    source_line: int
    reason: str
    user: str | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_sku(obj):
        return obj.product.sku

    @staticmethod
    def resolve_lot(obj):
        return obj.lot.code if obj.lot_id else None

    @staticmethod
    def resolve_from_location(obj):
        return obj.from_location.name

    @staticmethod
    def resolve_from_kind(obj):
        return obj.from_location.kind

    @staticmethod
    def resolve_to_location(obj):
        return obj.to_location.name

    @staticmethod
    def resolve_to_kind(obj):
        return obj.to_location.kind

    @staticmethod
    def resolve_user(obj):
        return obj.user.get_username() if obj.user_id else None


class ManualLineIn(StrictSchema):
    columns = {"lot_code": Lot.code}
    product_id: int
    quantity: PositiveQuantityIn
    unit_cost: Decimal | None = None
    lot_id: int | None = None
    lot_code: str = ""
    expiry: datetime.date | None = None


class ManualIn(StrictSchema):
    writes = (ManualOperation,)
    warehouse_id: int
    direction: str  # "in" or "out"
    reason: str
    counterpart: str | None = None  # supplier, customer, adjustment, scrap
    lines: list[ManualLineIn] = Field(min_length=1)


class ManualOut(Schema):
    id: int
    number: int
    direction: str
    warehouse_id: int
    counterpart: str
    reason: str
    moves: list[MoveOut]


class KardexLineOut(Schema):
    move: MoveOut
    quantity_in: Measure
    quantity_out: Measure
    balance: Measure
    balance_value: Amount
    average_cost: Measure


class KardexOut(Schema):
    product_id: int
    sku: str
    opening: Measure
    opening_value: Amount
    lines: list[KardexLineOut]
    next_cursor: str | None


class ValuationOut(Schema):
    warehouse_id: int
    warehouse_code: str
    products: int
    on_hand: Measure
    value: Amount
    in_transit: Measure
    in_transit_value: Amount


class BelowMinimumOut(Schema):
    product_id: int
    sku: str
    name: str
    minimum_stock: Measure
    on_hand: Measure
    available: Measure


class LotOut(Schema):
    id: int
    product_id: int
    code: str
    expiry: datetime.date | None


class LotIn(StrictSchema):
    writes = (Lot,)
    product_id: int
    code: str
    expiry: datetime.date | None = None


class FefoOut(Schema):
    lot_id: int | None
    lot: str | None
    expiry: datetime.date | None
    quantity: Measure


class EventOut(Schema):
    from_state: str
    to_state: str
    user: str | None
    origin: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_user(obj):
        return obj.user.get_username() if obj.user_id else None


class TransferLineIn(StrictSchema):
    product_id: int
    quantity: PositiveQuantityIn
    lot_id: int | None = None


class StockTransferIn(StrictSchema):
    writes = (TransferOrder,)
    from_warehouse_id: int
    to_warehouse_id: int
    notes: str = ""
    lines: list[TransferLineIn] = Field(min_length=1)


class TransferLineOut(Schema):
    id: int
    product_id: int
    quantity: Measure
    lot_id: int | None = None
    sku: str

    @staticmethod
    def resolve_sku(obj):
        return obj.product.sku


class StockTransferOut(Schema):
    id: int
    number: int
    state: str
    from_warehouse_id: int
    to_warehouse_id: int
    notes: str
    shipped_at: datetime.datetime | None
    received_at: datetime.datetime | None
    version: int
    lines: list[TransferLineOut]
    allowed: list[str]
    events: list[EventOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("product"))

    @staticmethod
    def resolve_allowed(obj):
        return allowed_transitions(obj)

    @staticmethod
    def resolve_events(obj):
        return list(timeline(obj))


class TransferSummaryOut(Schema):
    id: int
    number: int
    state: str
    from_warehouse_id: int
    to_warehouse_id: int
    created_at: datetime.datetime


class CountIn(StrictSchema):
    writes = (StockCount,)
    warehouse_id: int
    product_ids: list[int] | None = None
    notes: str = ""


class CountLineOut(Schema):
    id: int
    product_id: int
    sku: str
    lot: str | None
    expected: Measure
    counted: Measure | None
    difference: Measure | None

    @staticmethod
    def resolve_sku(obj):
        return obj.product.sku

    @staticmethod
    def resolve_lot(obj):
        return obj.lot.code if obj.lot_id else None


class CountSummaryOut(Schema):
    id: int
    number: int
    state: str
    warehouse_id: int
    whole_warehouse: bool
    notes: str
    created_at: datetime.datetime
    posted_at: datetime.datetime | None


class CountOut(CountSummaryOut):
    lines: list[CountLineOut]
    allowed: list[str]
    events: list[EventOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("product", "lot"))

    @staticmethod
    def resolve_allowed(obj):
        return allowed_transitions(obj)

    @staticmethod
    def resolve_events(obj):
        return list(timeline(obj))


class CountEntryIn(StrictSchema):
    product_id: int
    quantity: QuantityIn
    lot_id: int | None = None


class CountQuantitiesIn(StrictSchema):
    entries: list[CountEntryIn]
    add: bool = False  # add to what was counted (scans) instead of replacing it


class ScanIn(StrictSchema):
    columns = {"code": Product.sku}
    code: str


class ReservationLineIn(StrictSchema):
    line: int = 0
    product_id: int
    warehouse_id: int
    quantity: PositiveQuantityIn
    lot_id: int | None = None


class ReservationIn(StrictSchema):
    writes = (Reservation,)
    source_type: str = Field(json_schema_extra={"pattern": PUBLIC_PATTERN})
    source_id: int
    lines: list[ReservationLineIn] = Field(min_length=1)


class ReservationOut(Schema):
    id: int
    source_type: str
    source_id: int
    source_line: int
    product_id: int
    sku: str
    location_id: int
    warehouse_id: int | None
    lot_id: int | None
    quantity: Measure
    state: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_sku(obj):
        return obj.product.sku

    @staticmethod
    def resolve_warehouse_id(obj):
        return obj.location.warehouse_id


class ReleaseIn(StrictSchema):
    writes = (Reservation,)
    source_type: str = Field(json_schema_extra={"pattern": PUBLIC_PATTERN})
    source_id: int
    source_line: int | None = None  # all lines of the document when absent
