"""Finance pages. Reads go through `selectors`, writes through `services`, like the API."""

from retaguarda.finance.views.accounts import account_detail, account_list, entry_new, transfer_list
from retaguarda.finance.views.reports import aging, cashflow, collections, dre, dre_detail, home, party_statement
from retaguarda.finance.views.setup import category_edit, category_list, recurring_list, recurring_toggle
from retaguarda.finance.views.statements import line_action, line_detail, reconciliation, statement_list
from retaguarda.finance.views.titles import (
    settlement_reverse,
    title_cancel,
    title_detail,
    title_list,
    title_new,
    title_note,
    title_settle,
)

__all__ = [
    "account_detail",
    "account_list",
    "aging",
    "cashflow",
    "category_edit",
    "category_list",
    "collections",
    "dre",
    "dre_detail",
    "entry_new",
    "home",
    "line_action",
    "line_detail",
    "party_statement",
    "reconciliation",
    "recurring_list",
    "recurring_toggle",
    "settlement_reverse",
    "statement_list",
    "title_cancel",
    "title_detail",
    "title_list",
    "title_new",
    "title_note",
    "title_settle",
    "transfer_list",
]
