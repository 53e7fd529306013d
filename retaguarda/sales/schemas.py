"""The sales API's input and output shapes (ninja schemas); the routes are in `api`."""

import datetime
from decimal import Decimal

from ninja import Field, Schema

from retaguarda.catalog.models import Product
from retaguarda.core.api import StrictSchema
from retaguarda.core.api_numbers import Amount, Measure, PositiveMoneyIn, PositiveQuantityIn
from retaguarda.core.states import allowed_transitions, timeline
from retaguarda.parties.models import Party, PartyAddress
from retaguarda.sales.models import CommissionRule, Quote, SalesChannel, SalesGoal, SalesOrder, Salesperson, SalesReturn
from retaguarda.sales.services import CustomerIn, LineIn, OrderIn

Strict = StrictSchema


class ChannelOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    price_list_id: int | None
    warehouse_id: int
    fee_percent: Measure
    fee_fixed: Amount
    active: bool
    version: int


class ChannelIn(Strict):
    writes = (SalesChannel,)
    code: str = Field(max_length=20)
    name: str = Field(max_length=80)
    kind: str
    warehouse_id: int
    price_list_id: int | None = None
    fee_percent: Decimal = Decimal("0")
    fee_fixed: Decimal = Decimal("0")


class ChannelPatch(Strict):
    writes = (SalesChannel,)
    version: int
    code: str | None = Field(None, max_length=20)
    name: str | None = Field(None, max_length=80)
    kind: str | None = None
    warehouse_id: int | None = None
    price_list_id: int | None = None
    fee_percent: Decimal | None = None
    fee_fixed: Decimal | None = None
    active: bool | None = None


class DeliveryAddressIn(Strict):
    writes = (PartyAddress,)
    typed = frozenset({"postal_code", "municipality_id"})
    postal_code: str
    street: str
    number: str
    complement: str = ""
    district: str
    municipality_id: str = Field(description="IBGE code of the municipality")


class CustomerSchema(Strict):
    """A customer not registered yet: found by CPF/CNPJ (alphanumeric CNPJ too), else registered."""

    writes = (Party,)
    columns = {"name": Party.legal_name}
    typed = frozenset({"document", "phone"})

    document: str
    name: str
    email: str = ""
    phone: str = ""
    address: DeliveryAddressIn | None = None


class OrderLineIn(Strict):
    writes = (Product,)
    sku: str = Field("", max_length=60, description="SKU or GTIN, when `product_id` is not given")
    product_id: int | None = None
    quantity: PositiveQuantityIn
    unit_price: Decimal | None = Field(None, description="Default: the channel's price list")
    discount: Decimal = Decimal("0")


class OrderCreateIn(Strict):
    writes = (SalesOrder,)
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
    delivery_address: DeliveryAddressIn | None = None
    notes: str = Field("", max_length=2000)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=5000)

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


class QuoteCreateIn(OrderCreateIn):
    writes = (Quote,)
    columns = {"external_id": SalesOrder.external_id}
    valid_until: datetime.date | None = Field(None, description="Default: 10 days after the quote's date")


class OrderCancelIn(Strict):
    columns = {"reason": SalesOrder.cancel_reason}
    reason: str = Field("", max_length=200)


class ShipIn(Strict):
    writes = (SalesOrder,)
    carrier: str = Field("", max_length=80)
    tracking_code: str = Field("", max_length=80)


class OrderLineOut(Schema):
    number: int
    product_id: int
    quantity: Measure
    unit_price: Measure
    gross: Amount
    discount: Amount
    freight: Amount
    insurance: Amount
    other: Amount
    total: Amount


class OrderEventOut(Schema):
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
    products_total: Amount
    discount_total: Amount
    freight: Amount
    total: Amount
    version: int


class OrderOut(OrderSummaryOut):
    payment_terms: str
    discount: Amount
    insurance: Amount
    other_costs: Amount
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
    events: list[OrderEventOut]

    @staticmethod
    def resolve_events(obj):
        return list(timeline(obj))


class QuoteOut(Schema):
    id: int
    number: int
    state: str
    channel_id: int
    customer_id: int
    salesperson_id: int | None
    quote_date: datetime.date
    valid_until: datetime.date
    payment_terms: str
    discount: Amount
    freight: Amount
    insurance: Amount
    other_costs: Amount
    products_total: Amount
    discount_total: Amount
    total: Amount
    notes: str
    version: int
    lines: list[OrderLineOut]
    order_id: int | None

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_order_id(obj):
        order = getattr(obj, "order", None) if obj.state == "converted" else None
        return order.pk if order is not None else None


class ReturnLineSchema(Strict):
    line: int = Field(description="The order line's number")
    quantity: PositiveQuantityIn


class ReturnIn(Strict):
    writes = (SalesReturn,)
    lines: list[ReturnLineSchema] = Field(min_length=1, max_length=5000)
    reason: str = Field(max_length=200)
    destination: str = Field("stock", description="stock (back to the warehouse) or scrap")


class ReturnLineOut(Schema):
    quantity: Measure
    gross: Amount
    discount: Amount
    freight: Amount
    total: Amount
    line: int

    @staticmethod
    def resolve_line(obj):
        return obj.order_line.number


class ReturnOut(Schema):
    id: int
    number: int
    order_id: int
    state: str
    destination: str
    reason: str
    total: Amount
    cost: Amount
    refund_id: int | None
    lines: list[ReturnLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("order_line"))


class SalespersonOut(Schema):
    id: int
    name: str
    email: str
    active: bool


class SalespersonIn(Strict):
    writes = (Salesperson,)
    name: str = Field(max_length=80)
    email: str = Field("", max_length=254)


class GoalIn(Strict):
    writes = (SalesGoal,)
    month: datetime.date = Field(description="Any day of the month")
    metric: str = Field(description="revenue, orders or margin")
    target: PositiveMoneyIn
    salesperson_id: int | None = None
    channel_id: int | None = None


class GoalOut(Schema):
    id: int
    month: datetime.date
    metric: str
    target: Measure
    salesperson_id: int | None
    channel_id: int | None
    achieved: Measure
    percent: Measure
    daily_pace: Measure
    days_left: int


class CommissionLineOut(Schema):
    salesperson: str
    order_number: int
    day: datetime.date
    sku: str
    base: Amount
    discount_pct: Measure
    rate: Measure
    commission: Amount
    note: str


class CommissionRuleIn(Strict):
    writes = (CommissionRule,)
    salesperson_id: int
    rate: Decimal
    category: str = Field("", max_length=60)
    discount_band: Decimal | None = None
    reduced_rate: Decimal | None = None
