"""The inventory API's input and output shapes (ninja schemas); the routes are in `api`."""

import datetime
from decimal import Decimal

from ninja import Schema

from retaguarda.core.states import allowed_transitions, timeline


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    allow_negative: bool
    active: bool
    version: int


class WarehouseIn(Schema):
    code: str
    name: str
    allow_negative: bool = False


class WarehousePatch(Schema):
    version: int
    code: str | None = None
    name: str | None = None
    allow_negative: bool | None = None
    active: bool | None = None


class BalanceOut(Schema):
    product_id: int
    sku: str
    name: str
    warehouse_id: int
    warehouse_code: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    in_transit: Decimal
    average_cost: Decimal
    value: Decimal


class PastBalanceOut(Schema):
    product_id: int
    sku: str
    name: str
    on_hand: Decimal


class MoveOut(Schema):
    id: int
    product_id: int
    sku: str
    lot: str | None
    from_location: str
    from_kind: str
    to_location: str
    to_kind: str
    quantity: Decimal
    unit_cost: Decimal
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


class ManualLineIn(Schema):
    product_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None
    lot_id: int | None = None
    lot_code: str = ""
    expiry: datetime.date | None = None


class ManualIn(Schema):
    warehouse_id: int
    direction: str  # "in" or "out"
    reason: str
    counterpart: str | None = None  # supplier, customer, adjustment, scrap
    lines: list[ManualLineIn]


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
    quantity_in: Decimal
    quantity_out: Decimal
    balance: Decimal
    balance_value: Decimal
    average_cost: Decimal


class KardexOut(Schema):
    product_id: int
    sku: str
    opening: Decimal
    opening_value: Decimal
    lines: list[KardexLineOut]
    next_cursor: str | None


class ValuationOut(Schema):
    warehouse_id: int
    warehouse_code: str
    products: int
    on_hand: Decimal
    value: Decimal
    in_transit: Decimal
    in_transit_value: Decimal


class BelowMinimumOut(Schema):
    product_id: int
    sku: str
    name: str
    minimum_stock: Decimal
    on_hand: Decimal
    available: Decimal


class LotOut(Schema):
    id: int
    product_id: int
    code: str
    expiry: datetime.date | None


class LotIn(Schema):
    product_id: int
    code: str
    expiry: datetime.date | None = None


class FefoOut(Schema):
    lot_id: int | None
    lot: str | None
    expiry: datetime.date | None
    quantity: Decimal


class EventOut(Schema):
    from_state: str
    to_state: str
    user: str | None
    origin: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_user(obj):
        return obj.user.get_username() if obj.user_id else None


class TransferLineSchema(Schema):
    product_id: int
    quantity: Decimal
    lot_id: int | None = None


class TransferIn(Schema):
    from_warehouse_id: int
    to_warehouse_id: int
    notes: str = ""
    lines: list[TransferLineSchema]


class TransferLineOut(TransferLineSchema):
    id: int
    sku: str

    @staticmethod
    def resolve_sku(obj):
        return obj.product.sku


class TransferOut(Schema):
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


class CountIn(Schema):
    warehouse_id: int
    product_ids: list[int] | None = None
    notes: str = ""


class CountLineOut(Schema):
    id: int
    product_id: int
    sku: str
    lot: str | None
    expected: Decimal
    counted: Decimal | None
    difference: Decimal | None

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


class CountEntryIn(Schema):
    product_id: int
    quantity: Decimal
    lot_id: int | None = None


class CountQuantitiesIn(Schema):
    entries: list[CountEntryIn]
    add: bool = False  # add to what was counted (scans) instead of replacing it


class ScanIn(Schema):
    code: str


class ReservationLineIn(Schema):
    line: int = 0
    product_id: int
    warehouse_id: int
    quantity: Decimal
    lot_id: int | None = None


class ReservationIn(Schema):
    source_type: str
    source_id: int
    lines: list[ReservationLineIn]


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
    quantity: Decimal
    state: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_sku(obj):
        return obj.product.sku

    @staticmethod
    def resolve_warehouse_id(obj):
        return obj.location.warehouse_id


class ReleaseIn(Schema):
    source_type: str
    source_id: int
    source_line: int | None = None  # all lines of the document when absent
