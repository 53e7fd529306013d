"""Reads of the finance app shared by the API, the pages, reports and other apps."""

from retaguarda.finance.selectors.drift import Drift, drift
from retaguarda.finance.selectors.positions import Position, customer_position

__all__ = ["Drift", "Position", "customer_position", "drift"]
