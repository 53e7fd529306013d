"""Finance pages render with data, keep what the user typed on errors, and run a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from retaguarda.finance import services
from retaguarda.finance.models import Settlement, StatementLine, Title
from retaguarda.finance.services import ResultLine, SourceRef

from .conftest import D
from .test_ofx import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(actor, make_title, customer, bank_account, category):
    today = timezone.localdate()
    sale = make_title(
        "receivable",
        ["300.00", "200.00"],
        party=customer,
        issue=today - timedelta(days=40),
        due=today - timedelta(days=30),
    )
    services.settle(
        sale.installments.get(number=1).pk, actor=actor, account_id=bank_account.pk, on=today - timedelta(days=29)
    )
    make_title("payable", ["150.00"], issue=today - timedelta(days=5), due=today + timedelta(days=5))
    services.post_result(
        actor=actor,
        on=today - timedelta(days=40),
        source=SourceRef("sales.cost", "1"),
        lines=[ResultLine("cmv", D("210.00"))],
    )
    services.create_recurring_bill(
        actor=actor,
        description="Aluguel",
        category_id=category("4.2.01").pk,
        amount=D("900.00"),
        start_date=today + timedelta(days=3),
    )
    return sale


PAGES = [
    ("finance:home", {}),
    ("finance:titles", {}),
    ("finance:payables", {}),
    ("finance:title_new", {}),
    ("finance:accounts", {}),
    ("finance:transfers", {}),
    ("finance:entry_new", {}),
    ("finance:categories", {}),
    ("finance:recurring", {}),
    ("finance:cashflow", {}),
    ("finance:dre", {}),
    ("finance:aging", {}),
    ("finance:collections", {}),
    ("finance:statements", {}),
    ("finance:reconciliation", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_finance_page_renders(web, books, name, kwargs):
    response = web.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200


def test_the_title_page_and_the_party_statement_render(web, books, customer):
    assert web.get(reverse("finance:title", args=[books.pk])).status_code == 200
    page = web.get(reverse("finance:party_statement", args=[customer.pk]))
    assert page.status_code == 200 and "200,00" in page.content.decode()


def test_settling_from_the_page_and_a_bad_amount_keeps_what_was_typed(web, books, bank_account):
    second = books.installments.get(number=2)
    url = reverse("finance:title_settle", args=[books.pk])

    bad = web.post(
        url, {"installment_id": second.pk, "account_id": bank_account.pk, "paid": "999,00", "memo": "pix do cliente"}
    )
    assert bad.status_code == 200
    assert "pix do cliente" in bad.content.decode() and "excede" in bad.content.decode()

    ok = web.post(url, {"installment_id": second.pk, "account_id": bank_account.pk, "paid": "200,00"})
    assert ok.status_code == 302
    books.refresh_from_db()
    assert books.state == "settled"


def test_creating_a_title_from_the_form_splits_the_total(web, customer, category):
    response = web.post(
        reverse("finance:title_new"),
        {
            "kind": "receivable",
            "party": customer.document,
            "category_id": category("sales").pk,
            "total": "100,00",
            "count": "3",
            "first_due": "2026-05-10",
            "issue_date": "2026-05-01",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    title = Title.objects.get()
    assert [i.amount for i in title.installments.order_by("number")] == [D("33.34"), D("33.33"), D("33.33")]


def test_a_dre_line_drills_down_to_what_is_behind_it(web, books, category):
    today = timezone.localdate()
    params = {
        "basis": "accrual",
        "start": (today - timedelta(days=60)).isoformat(),
        "end": today.isoformat(),
        "category": category("cmv").pk,
    }

    response = web.get(reverse("finance:dre_detail"), params)

    assert response.status_code == 200 and "210,00" in response.content.decode()


def test_the_cash_flow_table_shows_each_period_with_its_amounts(web, books):
    today = timezone.localdate()
    paid_on = today - timedelta(days=29)
    monday = paid_on - timedelta(days=paid_on.weekday())

    by_day = web.get(reverse("finance:cashflow"), {"start": paid_on, "end": paid_on}).content.decode()
    by_week = web.get(
        reverse("finance:cashflow"), {"start": monday, "end": monday + timedelta(days=6), "granularity": "week"}
    ).content.decode()

    row = f'<tr><td>{paid_on:%d/%m/%Y}</td><td class="num">R$\xa0300,00</td><td class="num">R$\xa00,00</td>'
    assert row in by_day
    week = (
        f'<tr><td>{monday:%d/%m/%Y} \u2013 {monday + timedelta(days=6):%d/%m/%Y}</td><td class="num">R$\xa0300,00</td>'
    )
    assert week in by_week


def test_cash_flow_exports_csv_and_xlsx(web, books):
    csv = web.get(reverse("finance:cashflow"), {"export": "csv", "granularity": "month"})
    xlsx = web.get(reverse("finance:cashflow"), {"export": "xlsx"})

    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "Saldo" in csv.content.decode("utf-8-sig").splitlines()[0]
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_upload_then_create_an_entry_from_a_line(web, make_account, category):
    from retaguarda.br_tables.models import Bank

    account = make_account("BB", kind="bank", bank_id=Bank.objects.get(compe="001").pk)
    upload = web.post(
        reverse("finance:statements"),
        {"account_id": account.pk, "file": SimpleUploadedFile("bb.ofx", (FIXTURES / "bb.ofx").read_bytes())},
    )
    assert upload.status_code == 302
    line = StatementLine.objects.get(amount=D("-22.25"))

    done = web.post(reverse("finance:line_action", args=[line.pk, "create"]), {"category_id": category("4.2.07").pk})

    assert done.status_code == 302
    line.refresh_from_db()
    assert line.state == "reconciled"


def test_list_pages_run_a_fixed_number_of_queries(
    web, actor, make_title, customer, bank_account, django_assert_max_num_queries
):
    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert web.get(url).status_code == 200
        return len(ctx.captured_queries)

    make_title("receivable", ["10.00"], party=customer)
    urls = [
        reverse("finance:titles"),
        reverse("finance:aging"),
        reverse("finance:collections"),
        reverse("finance:cashflow"),
        reverse("finance:dre"),
        reverse("finance:transfers"),
        reverse("finance:statements"),
        reverse("finance:reconciliation"),
        reverse("finance:account", args=[bank_account.pk]),
    ]
    for u in urls:
        web.get(u)  # the first visit seeds the chart and the reminder templates
    small = [count(u) for u in urls]
    for _ in range(6):
        t = make_title("receivable", ["10.00", "20.00"], party=customer, issue=date(2025, 1, 1), due=date(2025, 2, 1))
        services.settle(t.installments.first().pk, actor=actor, account_id=bank_account.pk, on=date(2025, 2, 1))
    large = [count(u) for u in urls]

    assert small == large
    assert Settlement.objects.count() == 6


def test_reminder_templates_are_edited_on_the_collections_page(web, company):
    from retaguarda.finance.models import ReminderTemplate

    page = web.get(reverse("finance:collections"))
    assert page.status_code == 200 and "{vencimento}" in page.content.decode()
    bad = web.post(
        reverse("finance:collections"),
        {"name": "Aviso", "days_offset": "abc", "subject": "Oi", "body": "Olá {cliente}"},
    )
    assert bad.status_code == 200 and "Olá {cliente}" in bad.content.decode()
    ok = web.post(
        reverse("finance:collections"), {"name": "Aviso", "days_offset": "-1", "subject": "Oi", "body": "Olá {cliente}"}
    )
    assert ok.status_code == 302
    assert ReminderTemplate.objects.filter(company=company).count() == 3
