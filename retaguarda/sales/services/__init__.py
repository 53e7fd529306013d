"""Every write of the sales app; this package re-exports the public API.

- `inputs`: what callers hand over (`OrderIn`, `LineIn`, `CustomerIn`).
- `amounts`: an order's money line by line (pure); `pricing`: prices from the channel's list.
- `orders`: `create_order`, `confirm_order` (reserves), `cancel_order` (releases).
- `invoicing`: `invoice_order` (notes through fiscal), `complete_invoicing` (on authorization: stock
  issue, CMV, receivable), `ship_order`, `deliver_order`.
- `channels`: sales channels and salespeople.
- `quotes`: `create_quote`, `convert_quote` (into an order, optionally confirmed), `cancel_quote`.
- `returns`: `create_return` (return NF-e through fiscal), `complete_return` (on authorization: stock
  back or to scrap, CMV reversed, customer credited).
- `commissions`: rules, the company's basis (invoiced or paid), the statement per period.
- `goals`: monthly targets (revenue, orders, margin) and their progress.
- `reversals`: cancelling an invoiced order through its notes' cancellation.
"""

from retaguarda.sales.services.amounts import order_money
from retaguarda.sales.services.channels import create_channel, create_salesperson, update_channel
from retaguarda.sales.services.commissions import save_rule, set_basis, statement, totals_by_salesperson
from retaguarda.sales.services.goals import month_of, progress, save_goal
from retaguarda.sales.services.inputs import CustomerIn, LineIn, OrderIn
from retaguarda.sales.services.invoicing import (
    complete_invoicing,
    deliver_order,
    invoice_order,
    retry_invoicing,
    ship_order,
)
from retaguarda.sales.services.orders import (
    attach_lines,
    cancel_order,
    confirm_order,
    create_order,
    customer_for,
    edit_draft,
    source_of,
)
from retaguarda.sales.services.quotes import as_order_input, cancel_quote, convert_quote, create_quote, is_expired
from retaguarda.sales.services.returns import RETURNABLE, ReturnLineIn, complete_return, create_return

__all__ = [
    "RETURNABLE",
    "CustomerIn",
    "LineIn",
    "OrderIn",
    "ReturnLineIn",
    "as_order_input",
    "attach_lines",
    "cancel_order",
    "cancel_quote",
    "complete_invoicing",
    "complete_return",
    "confirm_order",
    "convert_quote",
    "create_channel",
    "create_order",
    "create_quote",
    "create_return",
    "create_salesperson",
    "customer_for",
    "deliver_order",
    "edit_draft",
    "invoice_order",
    "is_expired",
    "month_of",
    "order_money",
    "progress",
    "retry_invoicing",
    "save_goal",
    "save_rule",
    "set_basis",
    "ship_order",
    "source_of",
    "statement",
    "totals_by_salesperson",
    "update_channel",
]
