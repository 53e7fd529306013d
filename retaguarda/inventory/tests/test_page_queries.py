"""Every inventory page runs at most 8 queries, whatever it lists (the kardex 10 until identity is one query).

Five of them are the same on every page: the session, the user, the current company, the user's
departments and the company switcher's list. docs/request-cost.md tells what each layer costs.
"""

import pytest
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
KARDEX_FIRST_PAGE = 10  # 9 once the session, user, company and departments are one query (issue 11, step 4);
# the number of moves (the pager's) is one of them
BALANCES = 10  # the totals over every page are one more aggregate, the number of rows (the pager's) one more
# The balance at a date also reads the warehouse's locations and the last closed period before its page and
# total (the test asked with `at`, which the page does not read, and so measured an empty form until now),
# and counts its rows for the pager.
BALANCES_AT = 11


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


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_an_inventory_page_runs_at_most_8_queries(web, inventory, name, params, django_assert_max_num_queries):
    url = reverse(f"inventory:{name}", args=[inventory[name]] if name in inventory else [])
    params = dict(params)
    limit = {"kardex": KARDEX_FIRST_PAGE, "balances": BALANCES, "balances_at": BALANCES_AT}.get(name, 8)
    if params.get("cursor") == "next":
        first = web.get(url, {"limit": 4})
        params = {"limit": 4, "cursor": first.context["window"].next_cursor}
        limit += 2  # a later page also reads its opening: the closed period, else the moves before it

    with django_assert_max_num_queries(limit):
        assert web.get(url, params).status_code == 200
