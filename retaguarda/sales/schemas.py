"""The sales API's input and output shapes (ninja schemas); the routes are in `api`."""

import datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from retaguarda.core.states import allowed_transitions, timeline
from retaguarda.sales.services import CustomerIn, LineIn, OrderIn


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ChannelOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    price_list_id: int | None
    warehouse_id: int
    fee_percent: Decimal
    fee_fixed: Decimal
    active: bool
    version: int


class ChannelIn(Strict):
    code: str = Field(max_length=20)
    name: str = Field(max_length=80)
    kind: str
    warehouse_id: int
    price_list_id: int | None = None
    fee_percent: Decimal = Decimal("0")
    fee_fixed: Decimal = Decimal("0")


class ChannelPatch(Strict):
    version: int
    code: str | None = Field(None, max_length=20)
    name: str | None = Field(None, max_length=80)
    kind: str | None = None
    warehouse_id: int | None = None
    price_list_id: int | None = None
    fee_percent: Decimal | None = None
    fee_fixed: Decimal | None = None
    active: bool | None = None


class AddressIn(Strict):
    postal_code: str = Field(max_length=9)
    street: str = Field(max_length=60)
    number: str = Field(max_length=60)
    complement: str = Field("", max_length=60)
    district: str = Field(max_length=60)
    municipality_id: str = Field(max_length=7, description="IBGE code of the municipality")


class CustomerSchema(Strict):
    """A customer not registered yet: found by CPF/CNPJ (alphanumeric CNPJ too), else registered."""

    document: str = Field(max_length=18)
    name: str = Field(max_length=120)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    address: AddressIn | None = None


class OrderLineIn(Strict):
    sku: str = Field("", max_length=60, description="SKU or GTIN, when `product_id` is not given")
    product_id: int | None = None
    quantity: Decimal
    unit_price: Decimal | None = Field(None, description="Default: the channel's price list")
    discount: Decimal = Decimal("0")


class OrderCreateIn(Strict):
    channel_id: int
    external_id: str = Field("", max_length=80, description="The channel's order id: taken once per channel")
    customer_id: int | None = None
    customer: CustomerSchema | None = None
    salesperson_id: int | None = None
    warehouse_id: int | None = None
    order_date: datetime.date | None = None
    promised_ship_date: datetime.date | None = None
    payment_terms: str = Field("", max_length=60, description="Days to each installment, e.g. 30/60/90")
    discount: Decimal = Decimal("0")
    freight: Decimal = Decimal("0")
    insurance: Decimal = Decimal("0")
    other_costs: Decimal = Decimal("0")
    delivery_address: AddressIn | None = None
    notes: str = Field("", max_length=2000)
    lines: list[OrderLineIn] = Field(max_length=5000)

    def to_input(self) -> OrderIn:
        customer = None
        if self.customer is not None:
            c = self.customer
            customer = CustomerIn(
                document=c.document,
                name=c.name,
                email=c.email,
                phone=c.phone,
                address=c.address.dict() if c.address else None,
            )
        return OrderIn(
            channel_id=self.channel_id,
            external_id=self.external_id,
            customer_id=self.customer_id,
            customer=customer,
            salesperson_id=self.salesperson_id,
            warehouse_id=self.warehouse_id,
            order_date=self.order_date,
            promised_ship_date=self.promised_ship_date,
            payment_terms=self.payment_terms,
            discount=self.discount,
            freight=self.freight,
            insurance=self.insurance,
            other_costs=self.other_costs,
            delivery_address=self.delivery_address.dict() if self.delivery_address else {},
            notes=self.notes,
            lines=tuple(
                LineIn(
                    quantity=line.quantity,
                    product_id=line.product_id,
                    sku=line.sku,
                    unit_price=line.unit_price,
                    discount=line.discount,
                )
                for line in self.lines
            ),
        )


class CancelIn(Strict):
    reason: str = Field("", max_length=200)


class ShipIn(Strict):
    carrier: str = Field("", max_length=80)
    tracking_code: str = Field("", max_length=80)


class OrderLineOut(Schema):
    number: int
    product_id: int
    quantity: Decimal
    unit_price: Decimal
    gross: Decimal
    discount: Decimal
    freight: Decimal
    insurance: Decimal
    other: Decimal
    total: Decimal


class EventOut(Schema):
    from_state: str
    to_state: str
    created_at: datetime.datetime
    payload: dict


class OrderSummaryOut(Schema):
    id: int
    number: int
    state: str
    channel_id: int
    external_id: str
    customer_id: int
    salesperson_id: int | None
    warehouse_id: int
    order_date: datetime.date
    promised_ship_date: datetime.date | None
    products_total: Decimal
    discount_total: Decimal
    freight: Decimal
    total: Decimal
    version: int


class OrderOut(OrderSummaryOut):
    payment_terms: str
    discount: Decimal
    insurance: Decimal
    other_costs: Decimal
    notes: str
    carrier: str
    tracking_code: str
    receivable_id: int | None
    lines: list[OrderLineOut]
    allowed: list[str]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_allowed(obj):
        return allowed_transitions(obj)


class OrderDetailOut(OrderOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj):
        return list(timeline(obj))
