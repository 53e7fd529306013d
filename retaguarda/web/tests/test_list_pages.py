"""Every list page pages through `core.pagination.screen_page`: it says how many rows it has and offers
the pages before and after (the walk itself: core/tests/test_screen_pages.py)."""

import pytest
from django.urls import reverse

LISTS = [
    "sales:orders",
    "sales:quotes",
    "purchasing:requests",
    "purchasing:orders",
    "purchasing:receipts",
    "purchasing:nfe_imports",
    "fiscal:documents",
    "fiscal:tax_rules",
    "finance:titles",
    "finance:transfers",
    "finance:statements",
    "finance:reconciliation",
    "watch:inbox",
    "catalog:product_list",
    "catalog:pricelist_list",
    "parties:list",
    "web:audit_log",
    "web:outbox",
    "inventory:balances",
    "inventory:moves",
    "inventory:transfers",
    "inventory:counts",
    "inventory:below_minimum",
]


@pytest.mark.parametrize("name", LISTS)
def test_a_list_page_says_how_many_rows_it_has(web, name):
    response = web.get(reverse(name), {"limit": 1})

    assert response.status_code == 200
    window = response.context["window"]
    assert window.total is not None
    assert f"{window.total} registro" in response.content.decode()


def test_a_list_page_with_more_rows_than_its_page_offers_both_neighbours(web, actor, company, monkeypatch):
    from retaguarda.core import audit
    from retaguarda.web import views

    monkeypatch.setattr(views, "AUDIT_PAGE", 1)
    for n in range(3):
        audit.record(actor, company, f"test.step{n}")
    url = reverse("web:audit_log")

    first = web.get(url).context["window"]
    second = web.get(url, {"cursor": first.next_cursor})
    html = second.content.decode()
    assert 'rel="prev"' in html and 'rel="next"' in html and f"{first.total} registros" in html
