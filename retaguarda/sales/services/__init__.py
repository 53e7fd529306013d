"""Every write of the sales app; this package re-exports the public API.

- `inputs`: what callers hand over (`OrderIn`, `LineIn`, `CustomerIn`).
- `amounts`: an order's money line by line (pure); `pricing`: prices from the channel's list.
- `orders`: `create_order`, `confirm_order` (reserves), `cancel_order` (releases).
- `invoicing`: `invoice_order` (notes through fiscal), `complete_invoicing` (on authorization: stock
  issue, CMV, receivable), `ship_order`, `deliver_order`.
- `channels`: sales channels and salespeople.
"""

from retaguarda.sales.services.amounts import order_money
from retaguarda.sales.services.channels import create_channel, create_salesperson, update_channel
from retaguarda.sales.services.inputs import CustomerIn, LineIn, OrderIn
from retaguarda.sales.services.invoicing import complete_invoicing, deliver_order, invoice_order, ship_order
from retaguarda.sales.services.orders import (
    attach_lines,
    cancel_order,
    confirm_order,
    create_order,
    customer_for,
    source_of,
)

__all__ = [
    "CustomerIn",
    "LineIn",
    "OrderIn",
    "attach_lines",
    "cancel_order",
    "complete_invoicing",
    "confirm_order",
    "create_channel",
    "create_order",
    "create_salesperson",
    "customer_for",
    "deliver_order",
    "invoice_order",
    "order_money",
    "ship_order",
    "source_of",
    "update_channel",
]
