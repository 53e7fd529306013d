"""Fiscal pages: the list by state, a document with each tax and its rule, downloads, the month's zip."""

import io
import zipfile
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from retaguarda.core import outbox
from retaguarda.fiscal import services
from retaguarda.fiscal.services import DocumentIn, ItemIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def fiscal_web(simples, make_user):
    client = Client()
    client.force_login(make_user("fiscal", companies=[simples]))
    return client


def _notes(company, count, make_customer, make_item_product, actor):
    customer = make_customer(company)
    product = make_item_product(company)
    return [
        services.build_document(
            DocumentIn(recipient_id=customer.pk, items=(ItemIn(product.pk, D("1"), D("10")),)), actor=actor
        )
        for _ in range(count)
    ]


def test_the_document_list_runs_the_same_queries_at_two_sizes(
    fiscal_web, simples, make_customer, make_item_product, fiscal_actor, django_assert_max_num_queries
):
    actor = fiscal_actor(simples)
    _notes(simples, 2, make_customer, make_item_product, actor)
    with django_assert_max_num_queries(12) as small:
        assert fiscal_web.get(reverse("fiscal:documents")).status_code == 200
    _notes(simples, 20, make_customer, make_item_product, actor)
    with django_assert_max_num_queries(12) as large:
        response = fiscal_web.get(reverse("fiscal:documents"))
    assert len(small.captured_queries) == len(large.captured_queries)
    assert response.content.count(b"/fiscal/notas/") == 22


def test_the_document_page_shows_each_tax_with_its_rule_and_reasons(
    fiscal_web, normal, make_user, make_customer, make_item_product, fiscal_actor
):
    client = Client()
    client.force_login(make_user("fiscal", companies=[normal]))
    actor = fiscal_actor(normal)
    doc = services.build_document(
        DocumentIn(
            recipient_id=make_customer(normal).pk, items=(ItemIn(make_item_product(normal).pk, D("2"), D("50.00")),)
        ),
        actor=actor,
    )

    page = client.get(reverse("fiscal:document", args=[doc.pk])).content.decode()

    assert "ICMS tributado integralmente (CST 00)" in page
    assert "CBS 2026" in page and "R$ 18,00" in page  # 100.00 x 18 % in São Paulo
    assert "Emitir" in page or "Issue" in page


def test_issue_from_the_page_then_download_xml_danfe_and_the_month_zip(
    fiscal_web, simples, make_customer, make_item_product, fiscal_actor, django_capture_on_commit_callbacks
):
    (doc,) = _notes(simples, 1, make_customer, make_item_product, fiscal_actor(simples))
    with django_capture_on_commit_callbacks(execute=True):
        response = fiscal_web.post(reverse("fiscal:document_action", args=[doc.pk, "issue"]))
    assert response.status_code == 302
    outbox.deliver_due()
    doc.refresh_from_db()
    assert doc.state == "queued"
    assert fiscal_web.get(reverse("fiscal:document_xml", args=[doc.pk])).content.startswith(b"<NFe")
    assert fiscal_web.get(reverse("fiscal:document_danfe", args=[doc.pk])).content.startswith(b"%PDF")

    month = doc.issued_at.astimezone().strftime("%Y-%m")
    archive = fiscal_web.get(reverse("fiscal:export") + f"?month={month}")
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert names == [f"{month}/{doc.key}-nfe.xml"]
    assert (
        fiscal_web.get(reverse("fiscal:export") + "?month=2026-13").status_code == 200
    )  # the form again, with the error


def test_another_companys_document_page_is_404(
    fiscal_web, fiscal_company, make_customer, make_item_product, fiscal_actor
):
    other = fiscal_company()
    (doc,) = _notes(other, 1, make_customer, make_item_product, fiscal_actor(other))
    assert fiscal_web.get(reverse("fiscal:document", args=[doc.pk])).status_code == 404
    assert fiscal_web.post(reverse("fiscal:document_action", args=[doc.pk, "issue"])).status_code == 404


def test_rules_operations_and_settings_pages_render(fiscal_web):
    for name in ("fiscal:tax_rules", "fiscal:operations", "fiscal:settings", "fiscal:export"):
        assert fiscal_web.get(reverse(name)).status_code == 200
