"""The tax engine: `calculate(TaxContext, [LineIn]) -> TaxResult`, pure, one calculator per tax.

See `model` for the inputs and outputs, `matching` for how a rule is chosen, `calculators` for the
formulas (each quoted in its docstring with its legal basis) and `engine` for the order and the checks
(CST and CSOSN never mixed, the IBS/CBS group always filled for the regime normal).
"""

from retaguarda.fiscal.taxes.engine import calculate
from retaguarda.fiscal.taxes.model import (
    LineIn,
    LineTaxes,
    Recipient,
    Regime,
    Rule,
    Scope,
    Tax,
    TaxContext,
    TaxResult,
    TaxValue,
    UfRates,
)

__all__ = [
    "LineIn",
    "LineTaxes",
    "Recipient",
    "Regime",
    "Rule",
    "Scope",
    "Tax",
    "TaxContext",
    "TaxResult",
    "TaxValue",
    "UfRates",
    "calculate",
]
