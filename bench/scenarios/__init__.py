"""Scenarios register themselves on import, in run order."""

from bench.scenarios import baseline, receipt, reports, finance, reserve, intake  # noqa: F401, I001
from bench.scenarios import purchasing, nfe, sefaz, big_order, watch, memory  # noqa: F401
