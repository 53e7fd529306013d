"""Rounding: whatever the lines, discounts and freight, the lines add up exactly to the header."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from retaguarda.core.money import amount
from retaguarda.sales.services.amounts import order_money

quantities = st.decimals(min_value="0.0001", max_value="999", places=4)
prices = st.decimals(min_value="0", max_value="9999", places=4)
cents = st.decimals(min_value="0", max_value="500", places=2)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.tuples(quantities, prices), min_size=1, max_size=25),
    discount_share=st.fractions(min_value=0, max_value=1),
    freight=cents,
    insurance=cents,
    other=cents,
)
def test_lines_always_sum_exactly_to_the_header(lines, discount_share, freight, insurance, other):
    grosses = sum((amount(q * p) for q, p in lines), Decimal(0))
    discount = amount(Decimal(discount_share.numerator) / Decimal(discount_share.denominator) * grosses)
    money, problems = order_money(
        [(q, p, Decimal(0)) for q, p in lines], discount=discount, freight=freight, insurance=insurance, other=other
    )

    assert problems == []
    assert sum(m.discount for m in money.lines) == money.discount_total == discount
    assert sum(m.freight for m in money.lines) == freight
    assert sum(m.insurance for m in money.lines) == insurance
    assert sum(m.other for m in money.lines) == other
    assert sum(m.total for m in money.lines) == money.total == grosses - discount + freight + insurance + other
    for m in money.lines:
        assert m.total >= 0 and m.discount <= m.gross
        assert m.total == m.gross - m.discount + m.freight + m.insurance + m.other
        assert all(amount(v) == v for v in (m.gross, m.discount, m.freight, m.total))


def test_an_uneven_split_gives_the_leftover_centavos_to_the_largest_remainders():
    money, _ = order_money(
        [(Decimal(1), Decimal("10.00"), Decimal(0))] * 3, discount=Decimal("1.00"), freight=Decimal("0.01")
    )
    assert [m.discount for m in money.lines] == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]
    assert [m.freight for m in money.lines] == [Decimal("0.00"), Decimal("0.01"), Decimal("0.00")] or sum(
        m.freight for m in money.lines
    ) == Decimal("0.01")
