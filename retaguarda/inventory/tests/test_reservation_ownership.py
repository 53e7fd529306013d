"""Reservations of a source type an app owns are held, released and consumed by that app only; the
public API speaks `manual.*` alone."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from retaguarda.inventory import ownership, services
from retaguarda.inventory.errors import ReservationOwned
from retaguarda.inventory.models import Reservation, StockMove
from retaguarda.inventory.services import Need, Source
from retaguarda.inventory.states import ReservationState

from .conftest import D

BASE = "/api/v1/inventory"
OWNED = "ownertest.order"


@pytest.fixture
def owned_type():
    ownership.register_source_types("ownertest", OWNED)
    yield OWNED
    ownership._OWNERS.pop(OWNED, None)


def post(client, path, body=None):
    return client.post(BASE + path, json.dumps(body or {}), content_type="application/json")


@pytest.mark.parametrize("source_type", ["sales.order", "inventory.manual", "manual.", "MANUAL.x", "manual order"])
def test_the_public_api_reserves_only_manual_sources(api, stock, product, warehouse, source_type):
    stock.receive(product, warehouse, "5")
    line = {"line": 1, "product_id": product.pk, "warehouse_id": warehouse.pk, "quantity": "1"}

    response = post(api, "/reservations", {"source_type": source_type, "source_id": 1, "lines": [line]})

    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "source_type"
    assert "manual." in response.json()["details"][0]["message"]
    assert not Reservation.objects.exists()


def test_another_apps_reservation_is_not_released_through_the_api(api, actor, stock, product, warehouse, owned_type):
    stock.receive(product, warehouse, "5")
    [held] = services.reserve(
        [Need(product.pk, warehouse.pk, D(2), Source(owned_type, 7, 1))], actor=actor, owner="ownertest"
    )

    by_id = post(api, f"/reservations/{held.pk}/release")
    by_source = post(api, "/reservations/release", {"source_type": owned_type, "source_id": 7})

    assert by_id.status_code == 409 and by_id.json()["code"] == "inventory.reservation_owned"
    assert owned_type in by_id.json()["message"]
    assert by_source.status_code == 422
    held.refresh_from_db()
    assert held.state == ReservationState.ACTIVE
    assert stock.reserved(product, warehouse) == D(2)


def test_services_refuse_an_owned_source_without_its_owner(actor, stock, product, warehouse, owned_type):
    stock.receive(product, warehouse, "5")
    source = Source(owned_type, 8, 1)
    need = Need(product.pk, warehouse.pk, D(2), source)

    for wrong in (None, "purchasing"):
        with pytest.raises(ReservationOwned):
            services.reserve([need], actor=actor, owner=wrong)
    assert not Reservation.objects.exists()

    [held] = services.reserve([need], actor=actor, owner="ownertest")
    with pytest.raises(ReservationOwned):
        services.release(source, actor=actor)
    with pytest.raises(ReservationOwned):
        services.release(actor=actor, reservation_id=held.pk)
    with pytest.raises(ReservationOwned):
        services.consume(source, actor=actor)
    assert stock.reserved(product, warehouse) == D(2)
    assert not StockMove.objects.filter(source_type=owned_type).exists()

    moves = services.consume(source, actor=actor, owner="ownertest")
    assert [m.quantity for m in moves] == [D(2)]
    assert stock.reserved(product, warehouse) == D(0)


def test_manual_reservations_stay_open_to_the_api(api, stock, product, warehouse):
    stock.receive(product, warehouse, "5")
    line = {"line": 1, "product_id": product.pk, "warehouse_id": warehouse.pk, "quantity": "1"}
    created = post(api, "/reservations", {"source_type": "manual.balcao-2", "source_id": 3, "lines": [line]})
    assert created.status_code == 201, created.content
    released = post(api, "/reservations/release", {"source_type": "manual.balcao-2", "source_id": 3})
    assert released.status_code == 200 and released.json()[0]["state"] == "released"


def test_registration_is_exclusive_and_never_claims_the_public_namespace(owned_type):
    ownership.register_source_types("ownertest", owned_type)  # the same app again: harmless
    with pytest.raises(ImproperlyConfigured):
        ownership.register_source_types("purchasing", owned_type)
    with pytest.raises(ImproperlyConfigured):
        ownership.register_source_types("sales", "manual.order")
    assert ownership.owner_of(owned_type) == "ownertest"
