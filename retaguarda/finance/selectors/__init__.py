"""Reads of the finance app shared by the API, the pages, reports and other apps."""

from retaguarda.finance.selectors.drift import Drift, drift
from retaguarda.finance.selectors.positions import Position, customer_position
from retaguarda.finance.selectors.suggestions import Suggestion, suggestions

__all__ = ["Drift", "Position", "Suggestion", "customer_position", "drift", "suggestions"]
