"""With the demo company loaded, every page a department can reach opens; read-only users can't write.

This is the net for pages that only break on real data (a field named like a dict method, a
product without stock, a party without an address...).
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from retaguarda.access.models import User
from retaguarda.catalog.models import Product
from retaguarda.parties.models import Party
from retaguarda.web import demo
from retaguarda.web.navigation import menu_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_company():
    demo.load()
    from retaguarda.companies.models import Company

    return Company.objects.get(cnpj=demo.DEMO_CNPJ)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def pages_of(client: Client, user) -> list[str]:
    return [link["url"] for section in menu_for(user) for link in section["links"]]


def test_every_menu_page_and_detail_page_opens_for_the_demo_admin(demo_company):
    client = signed_in("demo")
    user = User.objects.get(username="demo")
    product = Product.objects.filter(company=demo_company, parent__isnull=False).first()
    kit = Product.objects.filter(company=demo_company, product_type="kit").first()
    party = Party.objects.filter(company=demo_company).first()
    urls = [
        *pages_of(client, user),
        f"/produtos/{product.pk}/",
        f"/produtos/{product.parent_id}/",
        f"/produtos/{kit.pk}/",
        f"/cadastros/{party.pk}/",
        f"/empresas/{demo_company.pk}/",
        "/api/v1/docs",
    ]
    failures = []
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            failures.append((url, response.status_code))
    assert failures == []
    assert len(urls) > 15


def test_detail_links_on_list_pages_open(demo_company):
    client = signed_in("demo")
    for name in ("inventory:balances", "inventory:transfers", "inventory:counts", "catalog:pricelist_list"):
        list_url = reverse(name)
        html = client.get(list_url).content.decode()
        links = sorted(set(re.findall(r'href="(/(?:estoque|produtos)/[^"?#]*\d+/)"', html)))[:5]
        for link in links:
            assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("department", ["sales", "purchasing", "stock", "logistics", "finance", "fiscal", "accountant"])
def test_each_department_opens_every_page_its_menu_shows(demo_company, department):
    client = signed_in(department)
    user = User.objects.get(username=department)
    for url in pages_of(client, user):
        assert client.get(url).status_code == 200, (department, url)


def test_the_accountant_reads_everything_and_changes_nothing(demo_company):
    client = signed_in("accountant")
    product = Product.objects.filter(company=demo_company).first()
    assert client.get(f"/produtos/{product.pk}/").status_code == 200
    assert client.post(reverse("catalog:product_set_active", args=[product.pk])).status_code == 403
    assert client.post(reverse("catalog:product_create"), {"name": "X"}).status_code == 403
    assert client.post(reverse("parties:create"), {"legal_name": "X"}).status_code == 403
    assert client.post(reverse("access:users"), {"username": "x"}).status_code == 403
    assert client.post(reverse("inventory:count_new"), {"warehouse": 1}).status_code == 403
    assert client.post(reverse("inventory:move_new"), {"kind": "in"}).status_code == 403
