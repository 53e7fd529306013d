"""Every write of the finance app; this package re-exports the public API.

For other apps (sales, purchasing, fiscal), the stable interface is:
- `create_title(actor=, kind=, installments=[InstallmentIn(due, amount)], source=SourceRef(type, ref), ...)`:
  a receivable or payable; a retry with the same source returns the first title.
- `cancel_title(title_id, actor=)`, `title_for_source(company_id, SourceRef)`;
  `credit_title(title_id, actor=, amount=, source=SourceRef)` for a return (excess → a title the other way).
- `post_result(actor=, on=, source=SourceRef, lines=[ResultLine("cmv" | "sales_taxes", amount)])`:
  cost of goods sold and taxes on sales into the journal, once per source.
- `settle(installment_id, actor=, ...)` with `Withholding(tax, amount)` for withheld taxes and the
  2027 split payment (IBS/CBS).
Reads for them are in `finance.selectors` (`customer_position`).

Lock order of every writer: title, its installments (by id), cash accounts (by id)."""

from retaguarda.finance.services.accounts import create_account, update_account
from retaguarda.finance.services.chart import (
    DEFAULT_CHART,
    category_for_role,
    create_category,
    create_cost_center,
    ensure_chart,
    update_category,
    update_cost_center,
)
from retaguarda.finance.services.credits import credit_title
from retaguarda.finance.services.direct import record_direct
from retaguarda.finance.services.notes import add_note
from retaguarda.finance.services.reconciliation import (
    CreateIn,
    SettleIn,
    reconcile,
    set_ignored,
    undo_reconciliation,
)
from retaguarda.finance.services.recurring import (
    create_recurring_bill,
    generate_due,
    occurrences,
    update_recurring_bill,
)
from retaguarda.finance.services.reminders import create_template, ensure_templates, queue_reminders, update_template
from retaguarda.finance.services.results import ResultLine, post_result
from retaguarda.finance.services.settlements import Withholding, reverse_settlement, settle
from retaguarda.finance.services.statements import import_statement
from retaguarda.finance.services.titles import (
    InstallmentIn,
    SourceRef,
    cancel_title,
    create_title,
    split_installments,
    title_for_source,
)
from retaguarda.finance.services.transfers import transfer

__all__ = [
    "DEFAULT_CHART",
    "CreateIn",
    "InstallmentIn",
    "ResultLine",
    "SettleIn",
    "SourceRef",
    "Withholding",
    "add_note",
    "cancel_title",
    "category_for_role",
    "create_account",
    "create_category",
    "create_cost_center",
    "create_recurring_bill",
    "create_template",
    "create_title",
    "credit_title",
    "ensure_chart",
    "ensure_templates",
    "generate_due",
    "import_statement",
    "occurrences",
    "post_result",
    "queue_reminders",
    "reconcile",
    "record_direct",
    "reverse_settlement",
    "set_ignored",
    "settle",
    "split_installments",
    "title_for_source",
    "transfer",
    "undo_reconciliation",
    "update_account",
    "update_category",
    "update_cost_center",
    "update_recurring_bill",
    "update_template",
]
