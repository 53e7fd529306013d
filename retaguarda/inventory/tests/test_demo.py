from decimal import Decimal

from retaguarda.inventory import demo, selectors
from retaguarda.inventory.models import TransferOrder, Warehouse
from retaguarda.inventory.states import TransferState


def test_the_demo_builds_warehouses_stock_lots_and_a_transfer_in_transit(company, actor, make_product):
    products = [make_product(minimum_stock=20, cost=Decimal("4.5")) for _ in range(10)]

    demo.build(company, actor)
    demo.build(company, actor)  # a second run changes nothing

    assert sorted(Warehouse.objects.filter(company=company).values_list("code", flat=True)) == ["CD", "LOJA"]
    assert TransferOrder.objects.filter(company=company, state=TransferState.SHIPPED).count() == 1
    assert selectors.below_minimum(company)[0]
    assert selectors.product_stock(products[-1])["lots"]
    assert any(r.in_transit for r in selectors.balances(company, limit=200)[0])
    assert selectors.drift(company.pk) == []


def test_the_demo_works_without_products(company, actor):
    demo.build(company, actor)

    assert Warehouse.objects.filter(company=company).count() == 2
