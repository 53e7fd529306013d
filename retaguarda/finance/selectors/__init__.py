"""Reads of the finance app shared by the API, the pages, reports and other apps."""

from retaguarda.finance.selectors.aging import (
    BUCKETS,
    Aging,
    AgingRow,
    PartyStatement,
    aging,
    open_installments,
    party_statement,
)
from retaguarda.finance.selectors.cashflow import CashFlow, CashFlowRow, cash_flow
from retaguarda.finance.selectors.dre import Dre, DreRow, income_statement
from retaguarda.finance.selectors.drift import Drift, drift
from retaguarda.finance.selectors.follow_up import FollowUp, follow_up
from retaguarda.finance.selectors.positions import (
    Position,
    customer_position,
    customer_positions,
    open_total_subquery,
)
from retaguarda.finance.selectors.suggestions import Suggestion, suggestions

__all__ = [
    "BUCKETS",
    "Aging",
    "AgingRow",
    "CashFlow",
    "CashFlowRow",
    "Dre",
    "DreRow",
    "Drift",
    "FollowUp",
    "PartyStatement",
    "Position",
    "Suggestion",
    "aging",
    "cash_flow",
    "customer_position",
    "customer_positions",
    "drift",
    "follow_up",
    "income_statement",
    "open_installments",
    "open_total_subquery",
    "party_statement",
    "suggestions",
]
