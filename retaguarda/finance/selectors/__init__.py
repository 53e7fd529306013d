"""Reads of the finance app shared by the API, the pages, reports and other apps."""

from retaguarda.finance.selectors.cashflow import CashFlow, CashFlowRow, cash_flow
from retaguarda.finance.selectors.dre import Dre, DreRow, income_statement
from retaguarda.finance.selectors.drift import Drift, drift
from retaguarda.finance.selectors.positions import Position, customer_position
from retaguarda.finance.selectors.suggestions import Suggestion, suggestions

__all__ = [
    "CashFlow",
    "CashFlowRow",
    "Dre",
    "DreRow",
    "Drift",
    "Position",
    "Suggestion",
    "cash_flow",
    "customer_position",
    "drift",
    "income_statement",
    "suggestions",
]
