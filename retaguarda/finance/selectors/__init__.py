"""Reads of the finance app shared by the API, the pages, reports and other apps."""

from retaguarda.finance.selectors.drift import Drift, drift

__all__ = ["Drift", "drift"]
