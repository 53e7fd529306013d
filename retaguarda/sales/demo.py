"""Demo sales: four channels (shop, online store, marketplace, phone), three salespeople with their
commission rules and this month's goals, a few quotes, and orders over the last three months in every
state, built through the services only.

Two hundred orders, taken and confirmed in one pass each so `serve --demo` starts quickly: they reserve
and release real stock; a few are invoiced, their notes queued for the local fake SEFAZ, and become `invoiced` once it authorizes them."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from retaguarda.catalog.models import PriceList
from retaguarda.core.actor import Actor
from retaguarda.core.errors import DomainError
from retaguarda.inventory.models import LocationKind, StockBalance, Warehouse
from retaguarda.parties.models import Party
from retaguarda.sales import services
from retaguarda.sales.models import SalesChannel
from retaguarda.sales.services import LineIn, OrderIn

ORDERS = 200
QUOTES = 4
INVOICED = 3
CHANNELS = [
    ("LOJA", "Loja Paulista", "shop", Decimal(0), Decimal(0)),
    ("SITE", "Loja virtual", "online_store", Decimal("2.5"), Decimal(0)),
    ("ML", "Mercado Livre", "marketplace", Decimal("16"), Decimal("6.00")),
    ("FONE", "Televendas e WhatsApp", "phone", Decimal(0), Decimal(0)),
]
SALESPEOPLE = ["Ana Ribeiro", "Bruno Tavares", "Carla Menezes"]
# The marketplace's coupon campaign: on a cheap order it eats the margin the channel's fees left (watch's
# `sales.below_cost` finds those orders).
COUPON = Decimal("20.00")


def build(company, actor: Actor) -> None:
    actor = Actor(actor.user, actor.origin, company.pk, actor.ip)
    if SalesChannel.objects.filter(company=company).exists():
        return
    houses = list(Warehouse.objects.filter(company=company, is_active=True).order_by("id"))
    customers = list(
        Party.objects.filter(company=company, is_customer=True, is_active=True)
        .filter(Q(credit_limit=0) | Q(credit_limit__gte=5000))
        .order_by("id")[:40]
    )
    if not houses or not customers:
        return
    pools = {w.pk: _stocked(w) for w in houses}
    # The shop sells from its own warehouse; the others ship from the best stocked one.
    depot = max(houses, key=lambda w: len(pools[w.pk]))
    price_list = PriceList.objects.filter(company=company, is_active=True).order_by("id").first()
    channels = [
        services.create_channel(
            actor=actor,
            code=code,
            name=name,
            kind=kind,
            warehouse_id=houses[0].pk if kind == "shop" and pools[houses[0].pk] else depot.pk,
            price_list_id=price_list.pk if price_list and kind == "online_store" else None,
            fee_percent=fee,
            fee_fixed=fixed,
        )
        for code, name, kind, fee, fixed in CHANNELS
    ]
    people = [services.create_salesperson(actor=actor, name=name) for name in SALESPEOPLE]
    for person in people:
        services.save_rule(
            actor=actor,
            salesperson_id=person.pk,
            rate=Decimal("3"),
            discount_band=Decimal("10"),
            reduced_rate=Decimal("1.5"),
        )
    month = services.month_of(timezone.localdate())
    services.save_goal(actor=actor, month=month, metric="revenue", target=Decimal("15000.00"))
    services.save_goal(actor=actor, month=month, metric="margin", target=Decimal("4000.00"), channel_id=channels[2].pk)
    for person in people:
        services.save_goal(actor=actor, month=month, metric="orders", target=Decimal("10"), salesperson_id=person.pk)
    if not pools[depot.pk]:
        return
    rng = random.Random(12)
    today = timezone.localdate()
    for n in range(QUOTES):
        services.create_quote(
            OrderIn(
                channel_id=channels[3].pk,
                customer_id=customers[n].pk,
                salesperson_id=people[n % len(people)].pk,
                payment_terms="30/60",
                order_date=today - timedelta(days=n * 4),
                lines=tuple(
                    LineIn(quantity=Decimal(rng.randint(1, 5)), product_id=p) for p in rng.sample(pools[depot.pk], 3)
                ),
            ),
            actor=actor,
        )
    invoiced = 0
    for n in range(ORDERS):
        channel = rng.choice(channels)
        products = pools[channel.warehouse_id]
        day = today - timedelta(days=rng.randint(0, 90))
        lines = tuple(
            LineIn(quantity=Decimal(rng.randint(1, 3)), product_id=p)
            for p in rng.sample(products, rng.randint(1, min(4, len(products))))
        )
        fate = rng.random()
        try:
            order = services.create_order(
                OrderIn(
                    channel_id=channel.pk,
                    customer_id=rng.choice(customers).pk,
                    salesperson_id=rng.choice(people).pk if channel.kind in ("shop", "phone") else None,
                    external_id=f"{channel.code}-{2000 + n}" if channel.kind in ("marketplace", "online_store") else "",
                    order_date=day,
                    promised_ship_date=day + timedelta(days=rng.choice([1, 2, 3, 5])),
                    payment_terms=rng.choice(["", "30", "30/60", "30/60/90"]),
                    freight=Decimal(rng.choice(["0", "12.90", "19.90"])) if channel.kind != "shop" else Decimal(0),
                    discount=COUPON if channel.kind == "marketplace" and n % 6 == 0 else Decimal(0),
                    lines=lines,
                ),
                actor=actor,
                confirm=fate >= 0.15,  # the rest stay drafts
            )
            if fate < 0.15:
                continue
            if fate < 0.3:
                services.cancel_order(order.pk, actor=actor, reason="Cliente desistiu")
            elif fate > 0.9 and invoiced < INVOICED and channel.kind != "shop":
                services.invoice_order(order.pk, actor=actor)
                invoiced += 1
        except DomainError:
            continue  # a shortfall or a missing fiscal setting leaves the order where it was


def _stocked(warehouse) -> list[int]:
    """Products with room to sell a few units from the warehouse's stock."""
    return list(
        StockBalance.objects.filter(
            location__warehouse=warehouse,
            location__kind=LocationKind.INTERNAL,
            on_hand__gt=F("reserved") + 8,
            product__price__gt=0,
        )
        .order_by("product_id")
        .values_list("product_id", flat=True)[:30]
    )
