"""What callers (sales, the API, the page) hand to the document service: plain frozen dataclasses.

Amounts are Decimal with 2 places and already spread over the lines (use `core.money.spread` for a
header freight or discount); quantities 4 places, unit prices up to 10.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from retaguarda.core.money import ZERO


@dataclass(frozen=True)
class ItemIn:
    product_id: int
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = ZERO
    freight: Decimal = ZERO
    insurance: Decimal = ZERO
    other: Decimal = ZERO
    description: str = ""  # default: the product's name
    source_line: str = ""  # the caller's line reference (e.g. "sales.order:12:3")


@dataclass(frozen=True)
class PaymentIn:
    """NF-e detPag: `method` is tPag (01 cash, 03 credit card, 04 debit card, 15 boleto, 17 PIX,
    90 no payment, 99 other)."""

    method: str
    amount: Decimal


@dataclass(frozen=True)
class InstallmentIn:
    """NF-e cobr/dup: one installment of the invoice (duplicata)."""

    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class DocumentIn:
    """A note to build. `operation` is the operation's code ("venda", "devolucao_venda", ...) or None for
    the company's default sale (or return, when `referenced_keys` is set)."""

    items: tuple[ItemIn, ...]
    recipient_id: int | None = None  # a Party of the company; required on an NF-e (55)
    model: int = 55
    operation: str | None = None
    payments: tuple[PaymentIn, ...] = ()
    installments: tuple[InstallmentIn, ...] = ()
    referenced_keys: tuple[str, ...] = ()  # the notes a return (or complement) refers to
    final_consumer: bool | None = None  # default: the recipient is not an ICMS taxpayer
    presence: int = 1  # indPres: 1 in person, 2 internet, 3 phone, 4 NFC-e delivery, 9 other
    freight_mode: int = 9  # modFrete: 0 by the seller, 1 by the buyer, 9 no freight
    additional_info: str = ""
    source_type: str = ""  # e.g. "sales.order"
    source_id: int | None = None
    issue_at: datetime | None = None  # default: now (the tax rates of that day apply)
    extra: dict = field(default_factory=dict, compare=False)
