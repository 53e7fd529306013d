"""Inventory test factories: products, warehouses and a small stock helper."""

import itertools
from decimal import Decimal

import pytest

from retaguarda.br_tables.models import Ncm
from retaguarda.catalog.models import KitComponent, Product, ProductType
from retaguarda.inventory import selectors, services
from retaguarda.inventory.models import LocationKind
from retaguarda.inventory.services import MoveIn, Source

_seq = itertools.count(1)


def D(value) -> Decimal:
    return Decimal(str(value))


@pytest.fixture
def make_product(company):
    ncm = Ncm.objects.order_by("code").first()

    def make(sku=None, *, company=company, product_type=ProductType.GOODS, minimum_stock=0, gtin="SEM GTIN", **extra):
        n = next(_seq)
        return Product.objects.create(
            company=company,
            sku=sku or f"SKU-{n:04d}",
            name=extra.pop("name", f"Produto {n}"),
            product_type=product_type,
            ncm=ncm,
            minimum_stock=D(minimum_stock),
            gtin=gtin,
            **extra,
        )

    return make


@pytest.fixture
def make_kit(make_product):
    def make(components: list[tuple[Product, str]], sku=None):
        kit = make_product(sku, product_type=ProductType.KIT)
        for component, qty in components:
            KitComponent.objects.create(kit=kit, component=component, quantity=D(qty))
        return kit

    return make


@pytest.fixture
def make_warehouse(company, actor):
    def make(code=None, name=None, *, allow_negative=False, company=company):
        n = next(_seq)
        return services.create_warehouse(
            actor=actor,
            company_id=company.pk,
            code=code or f"D{n}",
            name=name or f"Depósito {n}",
            allow_negative=allow_negative,
        )

    return make


@pytest.fixture
def warehouse(make_warehouse):
    return make_warehouse("LOJA", "Loja Paulista")


@pytest.fixture
def product(make_product):
    return make_product("CANECA", name="Caneca de cerâmica")


class Stock:
    """Shortcuts for tests: receive stock, read balances."""

    def __init__(self, company, actor):
        self.company = company
        self.actor = actor
        self._source = itertools.count(1)

    def receive(self, product, warehouse, qty, cost="10", lot=None):
        supplier = services.virtual_location(self.company.pk, LocationKind.SUPPLIER)
        return services.post_moves(
            [
                MoveIn(
                    product_id=product.pk,
                    quantity=D(qty),
                    from_location_id=supplier.pk,
                    to_location_id=services.stock_location(warehouse).pk,
                    source=Source("test.receipt", next(self._source), 1),
                    lot_id=lot.pk if lot else None,
                    unit_cost=D(cost),
                )
            ],
            actor=self.actor,
        )

    def issue(self, product, warehouse, qty, lot=None):
        customer = services.virtual_location(self.company.pk, LocationKind.CUSTOMER)
        return services.post_moves(
            [
                MoveIn(
                    product_id=product.pk,
                    quantity=D(qty),
                    from_location_id=services.stock_location(warehouse).pk,
                    to_location_id=customer.pk,
                    source=Source("test.issue", next(self._source), 1),
                    lot_id=lot.pk if lot else None,
                )
            ],
            actor=self.actor,
        )

    def row(self, product, warehouse):
        return selectors.product_warehouse_totals(product.pk, warehouse.pk)

    def on_hand(self, product, warehouse):
        return self.row(product, warehouse)["on_hand"]

    def reserved(self, product, warehouse):
        return self.row(product, warehouse)["reserved"]

    def available(self, product, warehouse):
        row = self.row(product, warehouse)
        return row["on_hand"] - row["reserved"]


@pytest.fixture
def stock(company, actor):
    return Stock(company, actor)
