"""Postings and reservations touch only the actor's company: another company's ids are not found."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retaguarda.core.actor import Actor, Origin
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.scope import NoCompany
from retaguarda.inventory import services
from retaguarda.inventory.models import LocationKind, Reservation, StockBalance, StockMove
from retaguarda.inventory.services import MoveIn, Need, Source

from .conftest import D, Stock


@pytest.fixture
def other(make_company):
    return make_company()


@pytest.fixture
def theirs(other, admin_user, make_product, make_warehouse):
    """Company B with stock: a warehouse, a product with a lot, and an active reservation."""
    actor = Actor(admin_user, Origin.CLI, other.pk)
    warehouse = make_warehouse("B1", company=other)
    product = make_product("B-PROD", company=other)
    lot = services.lot_for(actor=actor, product_id=product.pk, code="LB")
    Stock(other, actor).receive(product, warehouse, "10", lot=lot)
    services.reserve([Need(product.pk, warehouse.pk, D(2), Source("manual.order", 7, 1))], actor=actor)
    return {"warehouse": warehouse, "product": product, "lot": lot, "actor": actor}


def _ledger():
    return (
        list(StockMove.objects.order_by("id").values_list("id", "quantity")),
        list(StockBalance.objects.order_by("id").values_list("id", "on_hand", "reserved")),
        list(Reservation.objects.order_by("id").values_list("id", "state")),
    )


def _entry(product, location, company, lot=None):
    supplier = services.virtual_location(company.pk, LocationKind.SUPPLIER)
    return MoveIn(product.pk, D(1), supplier.pk, location.pk, Source("t", 1, 1), lot_id=lot.pk if lot else None)


def test_a_posting_into_another_companys_location_is_refused(actor, company, product, theirs, other):
    before = _ledger()
    their_stock = services.stock_location(theirs["warehouse"])
    with pytest.raises(ValidationFailed) as err:
        services.post_moves([_entry(product, their_stock, company)], actor=actor)
    assert err.value.details[0]["field"] == "moves.0.location"
    assert _ledger() == before


def test_a_posting_of_another_companys_product_is_refused(actor, company, warehouse, theirs):
    before = _ledger()
    with pytest.raises(ValidationFailed) as err:
        services.post_moves([_entry(theirs["product"], services.stock_location(warehouse), company)], actor=actor)
    assert err.value.details == [
        {"field": "moves.0.product_id", "message": f"Produto {theirs['product'].pk} não encontrado."}
    ]
    assert _ledger() == before


def test_a_posting_naming_another_companys_lot_is_refused(actor, company, product, warehouse, theirs):
    before = _ledger()
    with pytest.raises(ValidationFailed) as err:
        services.post_moves(
            [_entry(product, services.stock_location(warehouse), company, lot=theirs["lot"])], actor=actor
        )
    assert err.value.details[0]["field"] == "lot_id"
    assert _ledger() == before


def test_a_posting_wholly_in_another_company_is_refused_too(actor, other, theirs):
    before = _ledger()
    with pytest.raises(ValidationFailed):
        services.post_moves(
            [_entry(theirs["product"], services.stock_location(theirs["warehouse"]), other)], actor=actor
        )
    assert _ledger() == before


def test_posting_and_reserving_need_a_company(admin_user, theirs, other):
    nobody = Actor(admin_user, Origin.API)
    with pytest.raises(NoCompany):
        services.post_moves(
            [_entry(theirs["product"], services.stock_location(theirs["warehouse"]), other)], actor=nobody
        )
    with pytest.raises(NoCompany):
        services.reserve(
            [Need(theirs["product"].pk, theirs["warehouse"].pk, D(1), Source("manual.x", 1, 1))], actor=nobody
        )


@pytest.mark.parametrize("foreign", ["warehouse", "product", "lot"])
def test_reserving_another_companys_stock_is_refused(actor, stock, product, warehouse, theirs, foreign):
    stock.receive(product, warehouse, "5")
    need = {
        "warehouse": Need(product.pk, theirs["warehouse"].pk, D(1), Source("manual.x", 1, 1)),
        "product": Need(theirs["product"].pk, warehouse.pk, D(1), Source("manual.x", 1, 1)),
        "lot": Need(product.pk, warehouse.pk, D(1), Source("manual.x", 1, 1), lot_id=theirs["lot"].pk),
    }[foreign]
    before = _ledger()
    with pytest.raises(NotFound if foreign == "warehouse" else ValidationFailed):
        services.reserve([need], actor=actor)
    assert _ledger() == before


def test_another_companys_reservations_are_neither_released_nor_in_the_way(actor, stock, product, warehouse, theirs):
    held = Reservation.objects.get(source_type="manual.order")
    with pytest.raises(NotFound):
        services.release(actor=actor, reservation_id=held.pk)
    assert services.release(Source("manual.order", 7, 1), actor=actor) == []
    assert Reservation.objects.get(pk=held.pk).state == "active"
    # The same source reference in company A is a different document: it reserves normally.
    stock.receive(product, warehouse, "5")
    [mine] = services.reserve([Need(product.pk, warehouse.pk, D(1), Source("manual.order", 7, 1))], actor=actor)
    assert mine.company_id == actor.company_id


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_the_company_checks_cost_the_same_queries_for_one_line_or_many(actor, company, make_product, warehouse):
    location = services.stock_location(warehouse)
    lots = {}

    def receipt(n, source_id):
        lines = []
        for i in range(n):
            p = make_product()
            lots[p.pk] = services.lot_for(actor=actor, product_id=p.pk, code=f"L{i}")
            supplier = services.virtual_location(company.pk, LocationKind.SUPPLIER)
            lines.append(MoveIn(p.pk, D(2), supplier.pk, location.pk, Source("t", source_id, i), lot_id=lots[p.pk].pk))
        return lines

    one, many = receipt(1, 1), receipt(6, 2)
    assert _queries(lambda: services.post_moves(one, actor=actor)) == _queries(
        lambda: services.post_moves(many, actor=actor)
    )
    need = lambda moves, sid: [  # noqa: E731
        Need(m.product_id, warehouse.pk, D(1), Source("manual.x", sid, i), lot_id=m.lot_id) for i, m in enumerate(moves)
    ]
    assert _queries(lambda: services.reserve(need(one, 1), actor=actor)) == _queries(
        lambda: services.reserve(need(many, 2), actor=actor)
    )


@pytest.mark.parametrize("which", ["theirs", "unknown", "beyond any id"])
def test_reserving_through_the_api_in_a_warehouse_not_the_companys_is_not_found(api, product, warehouse, theirs, which):
    warehouse_id = {"theirs": theirs["warehouse"].pk, "unknown": 999_999, "beyond any id": 10**30}[which]
    lines = [
        {"line": 1, "product_id": product.pk, "warehouse_id": warehouse.pk, "quantity": "1"},
        {"line": 2, "product_id": product.pk, "warehouse_id": warehouse_id, "quantity": "1"},
    ]
    before = _ledger()
    response = api.post(
        "/api/v1/inventory/reservations",
        {"source_type": "manual.x", "source_id": 1, "lines": lines},
        content_type="application/json",
    )
    # An id no column can hold is refused by the request's schema (422 naming the line), before any lookup.
    expected = 422 if which == "beyond any id" else 404
    assert response.status_code == expected, response.content
    assert _ledger() == before
