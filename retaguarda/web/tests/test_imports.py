"""The shared import and export pages: every registered kind, each behind its own app's permission."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from retaguarda.catalog import services as catalog
from retaguarda.catalog.models import Product
from retaguarda.core import import_jobs
from retaguarda.core.models import ImportJob
from retaguarda.parties.models import Party

pytestmark = pytest.mark.django_db


def test_export_downloads(web, actor):
    catalog.create_product(actor=actor, sku="POTE", name="Pote", ncm="39241000", price=Decimal("12.90"))

    csv = web.get(reverse("web:export", args=["products"]), {"format": "csv"})
    xlsx = web.get(reverse("web:export", args=["products"]), {"format": "xlsx"})

    assert csv["Content-Disposition"].startswith('attachment; filename="products-')
    assert b"POTE" in csv.content
    assert xlsx.content.startswith(b"PK")


def test_import_page_previews_then_imports_a_small_file_at_once(web):
    data = b"sku;nome;ncm;preco;cor_favorita\nA1;Copo;70133700;3,50;azul\n"

    preview = web.post(reverse("web:import"), {"kind": "products", "file": SimpleUploadedFile("p.csv", data)})
    job = ImportJob.objects.get()
    run = web.post(reverse("web:import_run", args=[job.pk]))
    page = web.get(run.url)

    assert b"cor_favorita" in preview.content and b"Copo" in preview.content
    assert Product.objects.get(sku="A1").price == Decimal("3.50")
    assert b"1 linha salva" in page.content


def test_a_large_file_goes_to_the_worker_and_the_page_polls_its_progress(web, actor, monkeypatch):
    monkeypatch.setattr(import_jobs, "INLINE_ROWS", 2)
    lines = "\n".join(f"B{i};Produto {i};39241000;1,00" for i in range(5))
    data = f"sku;nome;ncm;preco\n{lines}\nB9;Ruim;00000001;1\n".encode()
    web.post(reverse("web:import"), {"kind": "products", "file": SimpleUploadedFile("p.csv", data)})
    job = ImportJob.objects.get()

    web.post(reverse("web:import_run", args=[job.pk]))
    polling = web.get(reverse("web:import_job", args=[job.pk]), headers={"HX-Request": "true"})
    import_jobs.execute(job.pk)  # what the worker's task runs
    done = web.get(reverse("web:import_job", args=[job.pk]), headers={"HX-Request": "true"})

    assert b'hx-trigger="every 1s"' in polling.content
    assert b"every 1s" not in done.content
    assert b"00000001" in done.content and Product.objects.count() == 0
    assert import_jobs.execute(job.pk) is None  # a second run does nothing


def test_a_salesperson_imports_customers_without_any_catalog_permission(client, make_user):
    """Importing customers needs `parties.change`, the parties app's own permission (not `catalog.change`)."""
    seller = make_user("sales")
    client.force_login(seller)
    assert not seller.has_perm("catalog.change")
    data = b"documento;nome;cliente;indicador_ie\n52998224725;Maria da Silva;sim;9\n"

    page = client.get(reverse("web:import"))
    client.post(reverse("web:import"), {"kind": "parties", "file": SimpleUploadedFile("c.csv", data)})
    job = ImportJob.objects.get()
    client.post(reverse("web:import_run", args=[job.pk]))

    assert b'value="parties"' in page.content and b'value="products"' not in page.content
    assert Party.objects.get(document="52998224725").legal_name == "Maria da Silva"


def test_a_kind_the_user_may_not_import_is_refused(client, make_user):
    client.force_login(make_user("sales"))
    data = b"sku;nome;ncm;preco\nA1;Copo;70133700;3,50\n"

    response = client.post(reverse("web:import"), {"kind": "products", "file": SimpleUploadedFile("p.csv", data)})
    template = client.get(reverse("web:import_template", args=["products"]))

    assert response.status_code == 200 and not ImportJob.objects.exists()  # not a choice on the form
    assert template.status_code == 403
    assert not Product.objects.exists()


def test_another_companys_import_job_is_not_found(web, make_company, admin_user):
    other = make_company()
    job = ImportJob.objects.create(company=other, kind="products", filename="x.csv", content=b"sku\n", total=1)

    assert web.get(reverse("web:import_job", args=[job.pk])).status_code == 404
    assert web.post(reverse("web:import_run", args=[job.pk])).status_code == 404


def test_the_page_is_shown_only_to_who_may_import_or_export(client, make_user):
    client.force_login(make_user("logistics"))  # reads parties, imports nothing... but may export parties

    assert client.get(reverse("web:import")).status_code == 200
    client.force_login(make_user())  # no department at all
    assert client.get(reverse("web:import")).status_code == 403


BAD_AND_GOOD = b"sku;nome;ncm;preco\nOK1;Copo;70133700;3,50\nRUIM;Prato;00000001;2,00\nOK2;Jarra;70133700;-1\nOK3;Pires;70133700;1\n"


def test_the_preview_checks_every_row_and_saves_nothing(web):
    preview = web.post(reverse("web:import"), {"kind": "products", "file": SimpleUploadedFile("p.csv", BAD_AND_GOOD)})
    html = preview.content.decode()

    assert "00000001" in html and "Linha" in html  # the bad NCM, flagged before any run
    assert html.count('<td class="num">3</td>') == 1 and html.count('<td class="num">4</td>') == 1
    assert "2 linhas têm problemas" in html and "2 linhas estão prontas para salvar" in html
    assert "Salvar as 2 linhas válidas" in html
    assert not Product.objects.exists()


def test_saving_the_valid_rows_from_the_preview_and_downloading_the_bad_ones(web):
    web.post(reverse("web:import"), {"kind": "products", "file": SimpleUploadedFile("p.csv", BAD_AND_GOOD)})
    job = ImportJob.objects.get()

    bad = web.get(reverse("web:import_problem_rows", args=[job.pk]))
    run = web.post(reverse("web:import_run", args=[job.pk]), {"valid_only": "1"})
    page = web.get(run.url).content.decode()

    assert sorted(Product.objects.values_list("sku", flat=True)) == ["OK1", "OK3"]
    assert "2 linhas salvas" in page
    text = bad.content.decode("utf-8-sig")
    assert text.splitlines()[0].endswith(";problemas")
    assert [line.split(";")[0] for line in text.splitlines()[1:]] == ["RUIM", "OK2"]
    assert "OK1" not in text


def test_after_a_refused_run_one_button_saves_the_valid_rows_without_uploading_again(web):
    web.post(reverse("web:import"), {"kind": "products", "file": SimpleUploadedFile("p.csv", BAD_AND_GOOD)})
    job = ImportJob.objects.get()
    refused = web.get(web.post(reverse("web:import_run", args=[job.pk])).url).content.decode()
    assert not Product.objects.exists()
    assert "Nada foi salvo" in refused and "Salvar as 2 linhas válidas" in refused

    again = web.post(reverse("web:import_valid_rows", args=[job.pk]))
    page = web.get(again.url).content.decode()
    repeated = web.post(reverse("web:import_valid_rows", args=[job.pk]))

    assert sorted(Product.objects.values_list("sku", flat=True)) == ["OK1", "OK3"]
    assert "2 linhas salvas" in page and "Baixar as linhas com problemas" in page
    assert ImportJob.objects.count() == 2  # asking twice saved once
    assert repeated.url == again.url
