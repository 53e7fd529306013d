"""Scenarios register themselves on import, in run order."""

from bench.scenarios import baseline, receipt, reports, finance, reserve, intake, purchasing, nfe, sefaz, big_order, watch, memory  # noqa: F401, I001
