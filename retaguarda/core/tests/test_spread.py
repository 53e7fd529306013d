"""`spread` is largest remainder, for positive and negative totals alike."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retaguarda.core.money import spread


def largest_remainder(total: Decimal, weights: list[Decimal], places: int) -> list[Decimal]:
    """Reference (Hamilton's method) in whole units and integer weights: floor each quota of the
    magnitude, give the leftover units to the largest remainders (first line first on a tie), and
    mirror the result for a negative total."""
    scale = 10**places
    units = int(total * scale)
    magnitude = abs(units)
    weight_scale = 10 ** max((-w.as_tuple().exponent for w in weights), default=0)
    ints = [int(w * weight_scale) for w in weights]
    if sum(ints) == 0:
        ints = [1] * len(ints)
    whole = sum(ints)
    quotas = [divmod(magnitude * w, whole) for w in ints]
    parts = [q for q, _r in quotas]
    leftover = magnitude - sum(parts)
    for i in sorted(range(len(ints)), key=lambda i: (-quotas[i][1], i))[:leftover]:
        parts[i] += 1
    sign = -1 if units < 0 else 1
    return [Decimal(sign * p) / scale for p in parts]


totals = st.decimals(min_value=Decimal("-100000"), max_value=Decimal("100000"), places=2)
weight = st.decimals(min_value=Decimal(0), max_value=Decimal("10000"), places=4)


@given(total=totals, weights=st.lists(weight, min_size=1, max_size=12))
def test_spread_matches_largest_remainder_and_sums_to_the_total(total, weights):
    parts = spread(total, weights)

    assert parts == largest_remainder(total, weights, 2)
    assert sum(parts) == total
    assert all(p.as_tuple().exponent == -2 for p in parts)


@given(total=totals, weights=st.lists(weight, min_size=1, max_size=12))
def test_a_negative_total_spreads_as_the_mirror_of_the_positive(total, weights):
    assert spread(-total, weights) == [-p for p in spread(total, weights)]


@given(
    total=st.decimals(min_value=Decimal("-1000"), max_value=Decimal("1000"), places=4),
    weights=st.lists(weight, min_size=1, max_size=6),
)
def test_spread_at_quantity_scale(total, weights):
    assert spread(total, weights, places=4) == largest_remainder(total, weights, 4)


def test_the_issue_example_gives_the_cent_to_the_largest_remainder():
    assert spread(Decimal("-1.00"), [Decimal(7), Decimal(3), Decimal("0.5")]) == [
        Decimal("-0.67"),
        Decimal("-0.28"),
        Decimal("-0.05"),
    ]


def test_spread_refuses_negative_weights():
    with pytest.raises(ValueError):
        spread(Decimal("1.00"), [Decimal(1), Decimal(-1)])
