"""Property test: random operations never make available stock negative, keep balances equal to the
sum of the moves, and keep the average cost equal to a plain reference computation."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retaguarda.inventory import selectors, services
from retaguarda.inventory.errors import InsufficientStock
from retaguarda.inventory.models import ProductCost
from retaguarda.inventory.services import Need, Source, TransferLineIn

quantities = st.integers(min_value=1, max_value=40).map(lambda n: Decimal(n) / 2)  # 0.5 .. 20
costs = st.integers(min_value=0, max_value=10000).map(lambda n: Decimal(n) / 100)
warehouse_index = st.integers(min_value=0, max_value=1)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("entry"), warehouse_index, quantities, costs),
        st.tuples(st.just("exit"), warehouse_index, quantities),
        st.tuples(st.just("transfer"), warehouse_index, quantities),
        st.tuples(st.just("reserve"), warehouse_index, quantities),
        st.tuples(st.just("release"), st.integers(min_value=0, max_value=10)),
    ),
    min_size=1,
    max_size=25,
)


class Reference:
    """The obvious model: quantities per warehouse, the weighted average over the company's stock."""

    def __init__(self):
        self.on_hand = [Decimal(0), Decimal(0)]
        self.reserved = [Decimal(0), Decimal(0)]
        self.reservations: list[tuple[int, Decimal]] = []
        self.average = Decimal(0)
        self.basis = Decimal(0)

    def available(self, w):
        return self.on_hand[w] - self.reserved[w]

    def receive(self, w, q, c):
        if self.basis <= 0:
            self.average = c
        else:
            total = self.basis * self.average + q * c
            self.average = (total / (self.basis + q)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        self.basis += q
        self.on_hand[w] += q


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=operations)
def test_random_operations_keep_the_ledger_exact(ops, stock, make_product, make_warehouse, actor):
    with transaction.atomic():
        product = make_product()
        houses = [make_warehouse(), make_warehouse()]
        model = Reference()
        sources = iter(range(1, 10_000))
        for op in ops:
            kind = op[0]
            if kind == "entry":
                _k, w, q, c = op
                stock.receive(product, houses[w], q, cost=c)
                model.receive(w, q, c)
            elif kind == "exit":
                _k, w, q = op
                fits = q <= model.available(w)
                try:
                    [move] = stock.issue(product, houses[w], q)
                except InsufficientStock:
                    assert not fits
                else:
                    assert fits
                    assert move.unit_cost == model.average
                    model.on_hand[w] -= q
                    model.basis -= q
            elif kind == "transfer":
                _k, w, q = op
                fits = q <= model.available(w)
                transfer = services.create_transfer(
                    actor=actor,
                    from_warehouse_id=houses[w].pk,
                    to_warehouse_id=houses[1 - w].pk,
                    lines=[TransferLineIn(product.pk, q)],
                )
                try:
                    services.ship_transfer(transfer.pk, actor=actor)
                except InsufficientStock:
                    assert not fits
                else:
                    assert fits
                    services.receive_transfer(transfer.pk, actor=actor)
                    model.on_hand[w] -= q
                    model.on_hand[1 - w] += q
            elif kind == "reserve":
                _k, w, q = op
                fits = q <= model.available(w)
                source = Source("prop.order", next(sources), 1)
                try:
                    services.reserve([Need(product.pk, houses[w].pk, q, source)], actor=actor)
                except InsufficientStock:
                    assert not fits
                else:
                    assert fits
                    model.reserved[w] += q
                    model.reservations.append((w, q, source))
            elif kind == "release" and model.reservations:
                w, q, source = model.reservations.pop(op[1] % len(model.reservations))
                services.release(source, actor=actor)
                model.reserved[w] -= q

            for w, house in enumerate(houses):
                row = stock.row(product, house)
                assert row["on_hand"] - row["reserved"] >= 0
                assert (row["on_hand"], row["reserved"]) == (model.on_hand[w], model.reserved[w])
            cost = ProductCost.objects.filter(product=product).first()
            if cost is not None:
                assert (cost.average_cost, cost.quantity) == (model.average, model.basis)
        assert selectors.drift() == []
        transaction.set_rollback(True)
