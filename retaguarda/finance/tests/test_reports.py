"""Cash flow (realized, projected, the balance line and its first negative day) and the income statement
on both bases, with fixed query counts."""

from datetime import date

import pytest

from retaguarda.finance import selectors, services
from retaguarda.finance.services import ResultLine, SourceRef, Withholding

from .conftest import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_of_business(actor, make_title, customer, bank_account, category):
    """March 2026: a sale of 1,000 (cost 600) paid half in March; rent of 800 paid; interest received;
    a supplier bill of 2,500 due in April; the sale's second half due in April."""
    sale = make_title("receivable", ["500.00", "500.00"], party=customer, issue=date(2026, 3, 2), due=date(2026, 3, 10))
    services.post_result(
        actor=actor,
        on=date(2026, 3, 2),
        source=SourceRef("sales.cost", "1"),
        lines=[ResultLine("cmv", D("600.00")), ResultLine("sales_taxes", D("60.00"))],
    )
    services.settle(
        sale.installments.get(number=1).pk,
        actor=actor,
        account_id=bank_account.pk,
        on=date(2026, 3, 12),
        interest=D("5.00"),
        withholdings=[Withholding("irrf", D("7.50"))],
    )
    rent = make_title("payable", ["800.00"], issue=date(2026, 3, 1), due=date(2026, 3, 5))
    services.settle(rent.installments.get().pk, actor=actor, account_id=bank_account.pk, on=date(2026, 3, 5))
    make_title("payable", ["2500.00"], issue=date(2026, 3, 20), due=date(2026, 4, 15), code="purchases")
    return sale


def test_the_accrual_statement_reads_the_journal(month_of_business, company, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        dre = selectors.income_statement(company.pk, start=date(2026, 3, 1), end=date(2026, 4, 30), basis="accrual")

    march = 0
    assert dre.row("gross_revenue").values[march] == D("1000.00")
    assert dre.row("deductions").values[march] == D("60.00")
    assert dre.row("net_revenue").values[march] == D("940.00")
    assert dre.row("cost_of_goods").values[march] == D("600.00")  # the purchase went to inventory, not here
    assert dre.row("gross_profit").values[march] == D("340.00")
    assert dre.row("operating_expenses").values[march] == D("800.00")
    assert dre.row("financial_result").values[march] == D("5.00")
    assert dre.row("net_result").values[march] == D("-455.00")
    assert dre.row("net_result").values[1] == D("0")


def test_the_cash_statement_reads_what_was_received_and_paid(month_of_business, company):
    dre = selectors.income_statement(company.pk, start=date(2026, 3, 1), end=date(2026, 3, 31), basis="cash")

    assert dre.row("gross_revenue").total == D("500.00")  # 492.50 in the bank + 7.50 withheld
    assert dre.row("financial_income").total == D("5.00")
    assert dre.row("operating_expenses").total == D("800.00")
    assert dre.row("cost_of_goods").total == D("0")
    assert dre.row("net_result").total == D("-295.00")


def test_cash_flow_realized_then_projected_with_the_first_negative_day(
    month_of_business, company, bank_account, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        flow = selectors.cash_flow(company.pk, start=date(2026, 3, 1), end=date(2026, 4, 30), today=date(2026, 3, 31))

    assert flow.opening_balance == D("1000.00")  # the bank was opened on 1 January with 1,000
    totals = flow.totals()
    assert totals["realized_in"] == D("497.50")  # 500 + 5 interest - 7.50 withheld
    assert totals["realized_out"] == D("800.00")
    assert totals["projected_in"] == D("500.00") and totals["projected_out"] == D("2500.00")
    assert flow.first_negative_day == date(2026, 4, 15)
    assert flow.closing_balance == D("-1302.50")
    assert [r.start for r in flow.rows][:2] == [date(2026, 3, 1), date(2026, 3, 2)]

    monthly = selectors.cash_flow(
        company.pk, start=date(2026, 3, 1), end=date(2026, 4, 30), granularity="month", today=date(2026, 3, 31)
    )
    assert [(r.start, r.balance) for r in monthly.rows] == [
        (date(2026, 3, 1), D("697.50")),
        (date(2026, 4, 1), D("-1302.50")),
    ]


def test_the_opening_balance_is_the_balance_less_what_moved_since_and_reads_in_one_query(
    month_of_business, company, bank_account, make_account, django_assert_num_queries
):
    from retaguarda.finance.models import CashAccount
    from retaguarda.finance.selectors.cashflow import opening_balance

    make_account("Caixa novo", opening="50.00", opening_date=date(2026, 3, 20))  # opened inside the period
    accounts = CashAccount.objects.filter(company=company)
    with django_assert_num_queries(1):
        assert opening_balance(accounts, date(2026, 3, 6)) == D("200.00")  # 1,000 less the rent of 5 March
    assert opening_balance(accounts, date(2026, 3, 13)) == D("697.50")  # and the sale of 12 March in
    assert opening_balance(accounts, date(2026, 1, 1)) == D("0")  # nothing opened before 1 January
    assert opening_balance(accounts, date(2026, 3, 21)) == D("747.50")  # the new box's 50 from its opening on

    flow = selectors.cash_flow(company.pk, start=date(2026, 3, 13), end=date(2026, 3, 31), today=date(2026, 3, 31))
    assert flow.opening_balance == D("697.50")
    assert flow.closing_balance == D("747.50")  # the box's opening balance comes in on 20 March


def test_aging_puts_each_open_installment_in_its_bucket(
    actor, make_title, make_customer, company, django_assert_num_queries
):
    late = make_customer("Atrasada Ltda")
    make_title(
        "receivable", ["100.00", "200.00", "300.00"], party=late, issue=date(2025, 10, 1), due=date(2025, 10, 10)
    )
    make_title("receivable", ["10.00"], party=late, issue=date(2025, 12, 1), due=date(2026, 1, 5))
    make_title(
        "receivable", ["50.00"], party=make_customer("Em Dia Ltda"), issue=date(2026, 1, 1), due=date(2026, 2, 20)
    )

    with django_assert_num_queries(1):
        report = selectors.aging(company.pk, today=date(2026, 1, 15))

    first, second = report.rows
    assert first.party == "Atrasada Ltda"
    # due 10 Oct (97 days late), 10 Nov (66), 10 Dec (36), 5 Jan (10)
    assert [first.buckets[k] for k in ("d90_plus", "d61_90", "d31_60", "d1_30", "current")] == [
        D("100.00"),
        D("200.00"),
        D("300.00"),
        D("10.00"),
        D("0"),
    ]
    assert second.buckets["current"] == D("50.00") and second.overdue == D("0")
    assert report.totals()["current"] == D("50.00")


def test_a_party_statement_runs_its_balance_through_titles_and_settlements(
    actor, make_title, customer, bank_account, company
):
    title = make_title("receivable", ["100.00"], party=customer, issue=date(2026, 3, 1), due=date(2026, 3, 10))
    services.settle(
        title.installments.get().pk, actor=actor, account_id=bank_account.pk, paid=D("40.00"), on=date(2026, 3, 12)
    )

    statement = selectors.party_statement(company.pk, customer.pk, start=date(2026, 3, 1), end=date(2026, 3, 31))

    assert statement.opening == D("0")
    assert [(r.debit, r.credit, r.balance) for r in statement.rows] == [
        (D("100.00"), D("0"), D("100.00")),
        (D("0"), D("40.00"), D("60.00")),
    ]


def test_the_follow_up_list_shows_overdue_customers_with_their_last_contact_and_promise(
    actor, make_title, make_customer, company, django_assert_num_queries
):
    late = make_customer("Devedora Ltda")
    title = make_title("receivable", ["120.00"], party=late, issue=date(2026, 1, 1), due=date(2026, 1, 10))
    services.add_note(title.pk, actor=actor, text="Ligou, pediu boleto novo")
    services.add_note(
        title.pk, actor=actor, kind="promise", promised_date=date(2026, 2, 20), promised_amount=D("120.00")
    )

    with django_assert_num_queries(1):
        [row] = selectors.follow_up(company.pk, today=date(2026, 2, 1))

    assert (row.party, row.overdue_total, row.overdue_count, row.oldest_due) == (
        "Devedora Ltda",
        D("120.00"),
        1,
        date(2026, 1, 10),
    )
    assert row.next_promise == date(2026, 2, 20)
