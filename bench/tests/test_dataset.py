from decimal import Decimal

from bench.dataset import StockPlan, counts, cpf, customer_rows, gtin13, product_rows
from retaguarda.core.validators import is_valid_cpf, is_valid_gtin


def test_scale_one_has_the_issue_counts():
    assert counts(1) == {
        "products": 10_000,
        "customers": 2_000,
        "moves": 1_000_000,
        "orders": 100_000,
        "financial_entries": 500_000,
    }


def test_tiny_scales_keep_a_floor_of_rows():
    assert counts(0.0001)["products"] == 20
    assert counts(0.01)["moves"] == 10_000


def test_same_seed_same_products_and_customers():
    assert product_rows(7, 50) == product_rows(7, 50)
    assert customer_rows(7, 50) == customer_rows(7, 50)


def test_other_seed_other_products():
    assert product_rows(7, 50) != product_rows(8, 50)


def test_generated_documents_pass_the_projects_validators():
    assert all(is_valid_gtin(r["gtin"]) for r in product_rows(1, 200))
    assert all(is_valid_cpf(r["document"]) for r in customer_rows(1, 200))
    assert gtin13("789000000001") == "7890000000017"
    assert cpf("529982247") == "52998224725"


def test_skus_and_documents_are_unique():
    rows = product_rows(3, 1000)
    assert len({r["sku"] for r in rows}) == 1000
    assert len({r["document"] for r in customer_rows(3, 1000)}) == 1000


def test_stock_plan_is_deterministic():
    first = list(StockPlan(5, 2000, 40))
    second = list(StockPlan(5, 2000, 40))
    assert first == second
    assert first != list(StockPlan(6, 2000, 40))


def test_stock_plan_never_goes_negative_and_balances_are_the_sum_of_moves():
    plan = StockPlan(11, 5000, 30)
    running: dict[int, Decimal] = {}
    for move in plan:
        delta = move.quantity if move.incoming else -move.quantity
        running[move.product] = running.get(move.product, Decimal(0)) + delta
        assert running[move.product] >= 0
        assert move.quantity > 0
    assert running == plan.on_hand


def test_stock_plan_average_cost_is_the_weighted_average():
    plan = StockPlan(2, 3000, 5)
    qty: dict[int, Decimal] = {}
    value: dict[int, Decimal] = {}
    for move in plan:
        p = move.product
        if move.incoming:
            value[p] = value.get(p, Decimal(0)) + move.quantity * move.unit_cost
            qty[p] = qty.get(p, Decimal(0)) + move.quantity
        else:
            value[p] -= move.quantity * (value[p] / qty[p])
            qty[p] -= move.quantity
    for p, q in qty.items():
        if q > 0:
            assert abs(value[p] / q - plan.average_cost[p]) < Decimal("0.01")


def test_moves_are_in_date_order():
    days = [m.day for m in StockPlan(1, 1000, 10, days=100)]
    assert days == sorted(days)
    assert days[0] == 0 and days[-1] == 99
