"""Every write of the purchasing app; this package re-exports the public API.

- `requests`: purchase requests (ask, approve, reject, cancel).
- `orders`: purchase orders (draft, send, cancel).
- `cfop_map`: the company's supplier CFOP → entry CFOP map.
- `receipts`: receipts against orders or standalone, posted into stock at landed cost (`landed`) with
  the payable created in finance.
"""

from retaguarda.purchasing.services.cfop_map import delete_cfop_mapping, set_cfop_mapping
from retaguarda.purchasing.services.common import installments_from_terms, terms_days
from retaguarda.purchasing.services.landed import LandedIn, LandedLine, landed_costs
from retaguarda.purchasing.services.lines import CostLineIn
from retaguarda.purchasing.services.orders import Charges, OrderIn, OrderLineIn, cancel_order, create_order, send_order
from retaguarda.purchasing.services.receipts import (
    InstallmentIn,
    LotIn,
    ReceiptIn,
    ReceiptLineIn,
    cancel_receipt,
    charges_from_orders,
    create_receipt,
    lines_from_orders,
    post_receipt,
)
from retaguarda.purchasing.services.requests import (
    RequestLineIn,
    approve_request,
    cancel_request,
    create_request,
    reject_request,
)
from retaguarda.purchasing.services.suggestions import PickedSuggestion, orders_from_suggestions

__all__ = [
    "Charges",
    "CostLineIn",
    "InstallmentIn",
    "LandedIn",
    "LandedLine",
    "LotIn",
    "OrderIn",
    "OrderLineIn",
    "PickedSuggestion",
    "ReceiptIn",
    "ReceiptLineIn",
    "RequestLineIn",
    "approve_request",
    "cancel_order",
    "cancel_receipt",
    "cancel_request",
    "charges_from_orders",
    "create_order",
    "create_receipt",
    "create_request",
    "delete_cfop_mapping",
    "installments_from_terms",
    "landed_costs",
    "lines_from_orders",
    "orders_from_suggestions",
    "post_receipt",
    "reject_request",
    "send_order",
    "set_cfop_mapping",
    "terms_days",
]
