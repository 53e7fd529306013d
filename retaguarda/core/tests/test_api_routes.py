"""The API's routes grouped by segment (`core.api_routes`) resolve and reverse exactly as ninja's flat list."""

import re

import pytest
from django.urls import NoReverseMatch, Resolver404, include, path, resolve, reverse
from ninja import NinjaAPI

from retaguarda.config.api import api
from retaguarda.core.api_routes import _Group

PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
FLAT = NinjaAPI._get_urls(api)  # ninja's own list, as NinjaAPI builds it


class FlatConf:
    """A URL conf with ninja's flat list under the same prefix and namespace."""

    urlpatterns = [path("api/v1/", include((FLAT, "ninja"), namespace="api-1.0.0"))]


def _sample(route: str) -> str:
    return "/api/v1/" + PARAM.sub("7", route)


def test_the_routes_are_grouped_by_segment():
    grouped = api.urls[0]
    assert len(grouped) < len(FLAT) / 5
    assert {"inventory", "sales", "purchasing"} <= {str(p.pattern) for p in grouped if isinstance(p, _Group)}


@pytest.mark.parametrize("route", sorted({str(p.pattern) for p in FLAT}))
def test_every_route_resolves_as_in_the_flat_list(route):
    found, expected = resolve(_sample(route)), resolve(_sample(route), urlconf=FlatConf)
    # The view functions differ (ninja builds new ones for each list); the route and name say which it is.
    assert (found.view_name, found.kwargs, found.route) == (expected.view_name, expected.kwargs, expected.route)


@pytest.mark.parametrize(
    "wrong",
    [
        "/api/v1/inventory",
        "/api/v1/inventory/",
        "/api/v1/inventoryx/reservations",
        "/api/v1/inventory/reservations/",
        "/api/v1/inventory/reservationsx",
        "/api/v1/inventory//reservations",
        "/api/v1/sales/orders/7/",
        "/api/v1/companies/",
        "/api/v1/companies/7/deactivate/",
        "/api/v1/companiesx",
    ],
)
def test_a_path_the_flat_list_refuses_is_refused(wrong):
    with pytest.raises(Resolver404):
        resolve(wrong, urlconf=FlatConf)
    with pytest.raises(Resolver404):
        resolve(wrong)


def _reversed(name: str, kwargs: dict, urlconf=None) -> str | None:
    try:
        return reverse(f"api-1.0.0:{name}", kwargs=kwargs, urlconf=urlconf)
    except NoReverseMatch:
        return None


def test_every_name_reverses_as_in_the_flat_list():
    for pattern in FLAT:
        kwargs = {param: "7" for param in PARAM.findall(str(pattern.pattern))}
        assert _reversed(pattern.name, kwargs) == _reversed(pattern.name, kwargs, FlatConf), pattern.name
