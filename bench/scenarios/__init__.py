"""Scenarios register themselves on import, in run order."""

from bench.scenarios import baseline, receipt, reports, finance, reserve, purchasing, nfe, sefaz, watch, pending, memory  # noqa: F401, I001
