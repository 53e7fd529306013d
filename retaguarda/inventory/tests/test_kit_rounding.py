"""Kit components round once, half up to 4 places, so moves, reservations and balances agree."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retaguarda.core.errors import ValidationFailed
from retaguarda.core.money import quantity
from retaguarda.inventory import selectors, services
from retaguarda.inventory.services import Need, Source

D = Decimal


def test_a_fractional_kit_moves_its_rounded_component_and_the_balance_follows(stock, make_product, make_kit, warehouse):
    screw = make_product("PAR")
    kit = make_kit([(screw, "0.3333")])
    stock.receive(screw, warehouse, "10")

    [move] = stock.issue(kit, warehouse, "1.5")  # 1.5 x 0.3333 = 0.49995

    assert move.quantity == D("0.5000")
    assert stock.on_hand(screw, warehouse) == D("9.5000")
    assert selectors.drift() == []


def test_a_fractional_kit_reserves_the_same_rounded_quantity(stock, make_product, make_kit, warehouse, actor):
    screw = make_product("PAR")
    kit = make_kit([(screw, "0.3333")])
    stock.receive(screw, warehouse, "10")

    services.reserve([Need(kit.pk, warehouse.pk, D("1.5"), Source("manual.order", 1, 1))], actor=actor)

    assert stock.reserved(screw, warehouse) == D("0.5000")


def test_a_component_that_rounds_to_nothing_is_refused(stock, make_product, make_kit, warehouse):
    screw = make_product("PAR")
    kit = make_kit([(screw, "0.3")])
    stock.receive(screw, warehouse, "10")

    with pytest.raises(ValidationFailed) as exc:
        stock.issue(kit, warehouse, "0.0001")
    assert "PAR" in exc.value.message
    assert stock.on_hand(screw, warehouse) == D(10)


def test_a_kit_inside_a_kit_is_refused_as_catalog_refuses_it(stock, make_product, make_kit, warehouse):
    screw = make_product("PAR")
    inner = make_kit([(screw, "1")], sku="INNER")
    outer = make_kit([(inner, "2")], sku="OUTER")  # written past catalog's rule, as old data could be
    stock.receive(screw, warehouse, "10")

    with pytest.raises(ValidationFailed) as exc:
        stock.issue(outer, warehouse, "1")
    assert "INNER" in exc.value.message and "OUTER" in exc.value.message


scaled = st.integers(min_value=1, max_value=30000).map(lambda n: D(n) / 10000)  # 0.0001 .. 3.0000


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(per_kit=st.lists(scaled, min_size=1, max_size=3), kits=st.lists(scaled, min_size=1, max_size=6))
def test_fractional_kits_keep_the_ledger_exact(per_kit, kits, stock, make_product, make_kit, warehouse):
    with transaction.atomic():
        parts = [make_product() for _q in per_kit]
        kit = make_kit(list(zip(parts, [str(q) for q in per_kit], strict=True)))
        for part in parts:
            stock.receive(part, warehouse, "100000")
        expected = [D(100000)] * len(parts)
        for n in kits:
            needs = [quantity(n * q) for q in per_kit]
            if any(need <= 0 for need in needs):
                with pytest.raises(ValidationFailed):
                    stock.issue(kit, warehouse, str(n))
                continue
            stock.issue(kit, warehouse, str(n))
            expected = [e - need for e, need in zip(expected, needs, strict=True)]
        assert [stock.on_hand(p, warehouse) for p in parts] == expected
        assert selectors.drift() == []
        transaction.set_rollback(True)
