"""Demo stock for the demo company: two warehouses, opening balances at cost, a few products below
their minimum, a transfer on the road and a product sold by lot with expiry dates.

Runs after the catalog's demo and only through the inventory services; it works with whatever
stocked products exist (none at all included)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from retaguarda.catalog.models import Product, ProductType
from retaguarda.core.actor import Actor
from retaguarda.core.money import cost as as_cost
from retaguarda.inventory import services
from retaguarda.inventory.models import Warehouse
from retaguarda.inventory.services import ManualLine, TransferLineIn


def _unit_cost(product: Product) -> Decimal:
    if product.cost:
        return product.cost
    if product.price:
        return as_cost(product.price * Decimal("0.55"))
    return Decimal("10")


def build(company, actor: Actor) -> None:
    if Warehouse.objects.filter(company=company, code="CD").exists():
        return
    actor = Actor(actor.user, actor.origin, company.pk, actor.ip)
    shop = services.create_warehouse(actor=actor, company_id=company.pk, code="LOJA", name="Loja Paulista")
    depot = services.create_warehouse(actor=actor, company_id=company.pk, code="CD", name="CD Guarulhos")
    products = [
        p
        for p in Product.objects.filter(company=company, is_active=True, product_type=ProductType.GOODS).order_by("id")
        if p.is_stocked
    ]
    if not products:
        return
    rng = random.Random(4)  # the same demo every time
    perishable = products[-1]
    stocked = [p for i, p in enumerate(products) if i % 7 != 6 and p is not perishable]  # most, not all

    depot_lines, shop_lines = [], []
    for i, product in enumerate(stocked):
        minimum = product.minimum_stock or Decimal(0)
        if minimum and i % 4 == 0:
            qty = max(Decimal(0), (minimum / 2).to_integral_value())  # below the minimum on purpose
        else:
            qty = Decimal(rng.randint(max(int(minimum), 5) + 5, 120))
        if qty:
            depot_lines.append(ManualLine(product.pk, qty, unit_cost=_unit_cost(product)))
        if i % 3 == 0 and qty >= 10:
            shop_lines.append((product, (qty / 5).to_integral_value()))
    if depot_lines:
        services.manual_move(
            actor=actor,
            warehouse_id=depot.pk,
            direction="in",
            counterpart="supplier",
            reason="Saldo inicial da implantação",
            lines=depot_lines,
        )

    today = timezone.localdate()
    services.manual_move(
        actor=actor,
        warehouse_id=depot.pk,
        direction="in",
        counterpart="supplier",
        reason="Saldo inicial por lote",
        lines=[
            ManualLine(
                perishable.pk,
                Decimal(24),
                unit_cost=_unit_cost(perishable),
                lot_code="L2611A",
                expiry=today + timedelta(days=20),
            ),
            ManualLine(
                perishable.pk,
                Decimal(36),
                unit_cost=_unit_cost(perishable),
                lot_code="L2612B",
                expiry=today + timedelta(days=75),
            ),
            ManualLine(
                perishable.pk,
                Decimal(12),
                unit_cost=_unit_cost(perishable),
                lot_code="L2701C",
                expiry=today + timedelta(days=160),
            ),
        ],
    )

    # Stock for the shop: one transfer already received, one still on the road.
    half = len(shop_lines) // 2
    for lines, arrived in (([*shop_lines[:half], (perishable, Decimal(10))], True), (shop_lines[half:], False)):
        if not lines:
            continue
        transfer = services.create_transfer(
            actor=actor,
            from_warehouse_id=depot.pk,
            to_warehouse_id=shop.pk,
            lines=[TransferLineIn(p.pk, q) for p, q in lines],
            notes="Reposição da loja",
        )
        services.ship_transfer(transfer.pk, actor=actor)
        if arrived:
            services.receive_transfer(transfer.pk, actor=actor)

    # A few counter sales at the shop, so the kardex has exits too.
    sold = [(p, q) for p, q in shop_lines[:half] if q >= 2][:3]
    if sold:
        services.manual_move(
            actor=actor,
            warehouse_id=shop.pk,
            direction="out",
            counterpart="customer",
            reason="Vendas no balcão",
            lines=[ManualLine(p.pk, Decimal(1)) for p, _q in sold],
        )
