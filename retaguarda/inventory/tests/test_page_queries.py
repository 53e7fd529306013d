"""Every inventory page runs at most 8 queries, the same number whatever it lists (two page sizes).

Two of them are the same on every page: the session, and the user with the companies the user may
work in and the departments held in each (`access.session_identity`: the current company, the
permission checks and the company switcher's list). docs/request-cost.md tells what each layer costs.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from retaguarda.inventory import services
from retaguarda.inventory.services import Need, Source

from .conftest import D

PAGES = [
    ("balances", {}),
    ("balances_at", {"date": "2030-01-01"}),
    ("moves", {}),
    ("move_new", {}),
    ("transfers", {}),
    ("transfer_new", {}),
    ("transfer", {}),
    ("counts", {}),
    ("count_new", {}),
    ("count", {}),
    ("warehouses", {}),
    ("warehouse_edit", {}),
    ("below_minimum", {}),
    ("valuation", {}),
    ("kardex", {}),
    ("kardex", {"cursor": "next"}),
]
SIZES = (2, 50)  # page sizes: the fixture has more rows than the small one on the list pages
LATER_PAGE_SIZES = (2, 4)  # both leave a later page of the kardex


@pytest.fixture
def inventory(stock, make_product, make_warehouse, actor):
    shop, depot = make_warehouse("LOJA"), make_warehouse("CD")
    products = [make_product(minimum_stock=50) for _ in range(6)]
    for p in products:
        stock.receive(p, shop, "10")
        stock.issue(p, shop, "1")
        services.reserve([Need(p.pk, shop.pk, D(1), Source("manual.order", p.pk, 1))], actor=actor)
    for _ in range(6):
        stock.receive(products[0], shop, "1")
    transfer = services.create_transfer(
        actor=actor,
        from_warehouse_id=shop.pk,
        to_warehouse_id=depot.pk,
        lines=[services.TransferLineIn(products[0].pk, D(1))],
    )
    count = services.create_count(actor=actor, warehouse_id=shop.pk)
    return {"transfer": transfer.pk, "count": count.pk, "warehouse_edit": shop.pk, "kardex": products[0].pk}


def _count(web, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert web.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_an_inventory_page_runs_at_most_8_queries_whatever_its_size(web, inventory, name, params):
    url = reverse(f"inventory:{name}", args=[inventory[name]] if name in inventory else [])
    counts = []
    for size in SIZES if params.get("cursor") != "next" else LATER_PAGE_SIZES:
        sent = {**params, "limit": size}
        if params.get("cursor") == "next":
            # A later page also reads its opening (the closed period and the moves after it, in one query).
            sent["cursor"] = web.get(url, {"limit": size}).context["window"].next_cursor
            assert sent["cursor"], "the fixture should fill more than one page"
        counts.append(_count(web, url, sent))
    assert max(counts) <= 8, counts
    assert len(set(counts)) == 1, counts


def test_the_kardex_page_runs_5_queries_on_its_first_and_later_pages(web, inventory):
    """The session, the user; the product with its stock figures, the page of moves with their count and
    opening balance, the warehouse list (`inventory.kardex_sql`, written by hand)."""
    url = reverse("inventory:kardex", args=[inventory["kardex"]])
    later = web.get(url, {"limit": 2}).context["window"].next_cursor

    assert [_count(web, url, {"limit": 2}), _count(web, url, {"limit": 2, "cursor": later})] == [5, 5]
