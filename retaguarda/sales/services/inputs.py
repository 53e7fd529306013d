"""What callers (the API, the pages, the demo, channel connectors) hand to the order services."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from retaguarda.core.money import ZERO


@dataclass(frozen=True)
class LineIn:
    """A product by id or by SKU (or barcode); no unit price takes the channel's price list."""

    quantity: Decimal
    product_id: int | None = None
    sku: str = ""
    unit_price: Decimal | None = None
    discount: Decimal = ZERO


@dataclass(frozen=True)
class CustomerIn:
    """A customer a channel sends by its CPF/CNPJ: found among the company's parties, or registered."""

    document: str
    name: str
    email: str = ""
    phone: str = ""
    address: dict | None = None  # postal_code, street, number, complement, district, municipality_id


@dataclass(frozen=True)
class OrderIn:
    channel_id: int
    lines: tuple[LineIn, ...]
    customer_id: int | None = None
    customer: CustomerIn | None = None
    external_id: str = ""
    salesperson_id: int | None = None
    warehouse_id: int | None = None  # default: the channel's
    order_date: date | None = None
    promised_ship_date: date | None = None
    payment_terms: str = ""
    discount: Decimal = ZERO
    freight: Decimal = ZERO
    insurance: Decimal = ZERO
    other_costs: Decimal = ZERO
    delivery_address: dict = field(default_factory=dict)
    notes: str = ""
