"""An order's money, line by line: pure arithmetic, no database.

Each line's gross is rounded half up to the centavo; its own discount comes off it; the order's
discount is spread over what is left, then freight, insurance and other costs over the value after
discounts (`core.money.spread`). Every header total is a sum of the lines, so the lines always add up
exactly to the header, and the NF-e built from them too."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.core.money import ZERO, amount, spread


@dataclass(frozen=True)
class LineMoney:
    gross: Decimal
    line_discount: Decimal
    discount: Decimal  # the line's own plus its share of the order's
    freight: Decimal
    insurance: Decimal
    other: Decimal
    total: Decimal


@dataclass(frozen=True)
class OrderMoney:
    lines: list[LineMoney]
    products_total: Decimal
    discount_total: Decimal
    total: Decimal


def order_money(
    lines: Sequence[tuple[Decimal, Decimal, Decimal]],
    *,
    discount: Decimal = ZERO,
    freight: Decimal = ZERO,
    insurance: Decimal = ZERO,
    other: Decimal = ZERO,
) -> tuple[OrderMoney | None, list[dict]]:
    """`lines` are (quantity, unit price, line discount). Returns the amounts, or the problems found."""
    problems: list[dict] = []
    grosses = [amount(q * p) for q, p, _d in lines]
    for i, ((_q, _p, line_discount), gross) in enumerate(zip(lines, grosses, strict=True), 1):
        if line_discount > gross:
            problems.append(
                {
                    "field": f"lines.{i}.discount",
                    "message": _("Line %(n)s: the discount is larger than the line.") % {"n": i},
                }
            )
    nets = [g - d for g, (_q, _p, d) in zip(grosses, lines, strict=True)]
    net_total = sum(nets, ZERO)
    if not problems and discount > net_total:
        problems.append({"field": "discount", "message": _("The discount is larger than the order.")})
    if problems:
        return None, problems
    shares = spread(discount, nets) if lines else []
    after = [n - s for n, s in zip(nets, shares, strict=True)]
    freights = spread(freight, after) if lines else []
    insurances = spread(insurance, after) if lines else []
    others = spread(other, after) if lines else []
    result = []
    for i, (_q, _p, line_discount) in enumerate(lines):
        disc = line_discount + shares[i]
        result.append(
            LineMoney(
                gross=grosses[i],
                line_discount=line_discount,
                discount=disc,
                freight=freights[i],
                insurance=insurances[i],
                other=others[i],
                total=grosses[i] - disc + freights[i] + insurances[i] + others[i],
            )
        )
    return (
        OrderMoney(
            lines=result,
            products_total=sum((m.gross for m in result), ZERO),
            discount_total=sum((m.discount for m in result), ZERO),
            total=sum((m.total for m in result), ZERO),
        ),
        [],
    )
