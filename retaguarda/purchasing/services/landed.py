"""Landed cost: what each received line really cost, exactly to the centavo.

landed = goods - discount + freight + insurance + other expenses + IPI + ICMS-ST (the line's part of
the invoice); the stock value leaves out the recoverable credits (ICMS, PIS, COFINS in the regime
normal). Header charges are spread over the lines by their net value with `core.money.spread`
unless the lines bring their own shares (the NF-e gives `vFrete`, `vSeg`, `vOutro` per item)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from retaguarda.core.money import ZERO, amount, cost, quantity, spread


@dataclass(frozen=True)
class LandedIn:
    goods: Decimal
    discount: Decimal
    ipi: Decimal
    icms_st: Decimal
    stock_quantity: Decimal
    credits: Decimal = ZERO
    shares: tuple[Decimal, Decimal, Decimal] | None = None  # freight, insurance, other, when the XML gives them


@dataclass(frozen=True)
class LandedLine:
    freight: Decimal
    insurance: Decimal
    other: Decimal
    landed_total: Decimal
    cost_value: Decimal
    unit_cost: Decimal  # per stock unit, 6 places


def landed_costs(lines: Sequence[LandedIn], freight: Decimal, insurance: Decimal, other: Decimal) -> list[LandedLine]:
    if lines and all(line.shares is not None for line in lines):
        shares = [line.shares for line in lines]
    else:
        weights = [line.goods - line.discount for line in lines]
        shares = list(zip(spread(freight, weights), spread(insurance, weights), spread(other, weights), strict=True))
    result = []
    for line, (f, s, o) in zip(lines, shares, strict=True):
        landed = amount(line.goods - line.discount + f + s + o + line.ipi + line.icms_st)
        value = landed - line.credits
        qty = quantity(line.stock_quantity)
        result.append(LandedLine(f, s, o, landed, value, cost(value / qty) if qty else ZERO))
    return result
