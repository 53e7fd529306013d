from datetime import date

import pytest

from retaguarda.finance import selectors, services

from .conftest import D

pytestmark = pytest.mark.django_db


def test_a_customers_position_splits_what_is_overdue(
    make_title, customer, make_customer, bank_account, actor, company, django_assert_num_queries
):
    old = make_title("receivable", ["100.00", "50.00"], party=customer, issue=date(2026, 1, 1), due=date(2026, 1, 10))
    make_title("receivable", ["70.00"], party=customer, issue=date(2026, 3, 1), due=date(2026, 4, 10))
    make_title("receivable", ["999.00"], party=make_customer(), issue=date(2026, 1, 1), due=date(2026, 1, 10))
    make_title("payable", ["30.00"], party=customer, issue=date(2026, 1, 1), due=date(2026, 1, 10))
    services.settle(old.installments.get(number=1).pk, actor=actor, account_id=bank_account.pk, paid=D("40.00"))

    with django_assert_num_queries(1):
        position = selectors.customer_position(company.pk, customer.pk, today=date(2026, 3, 1))

    assert position.open_total == D("180.00")
    assert position.overdue_total == D("110.00")  # 60 left of the first, 50 of the second
    assert (position.overdue_count, position.oldest_overdue) == (2, date(2026, 1, 10))
    assert position.has_overdue


def test_positions_of_many_customers_in_one_query(
    make_title, customer, make_customer, company, django_assert_num_queries
):
    other, idle = make_customer(), make_customer()
    make_title("receivable", ["100.00"], party=customer, issue=date(2026, 1, 1), due=date(2026, 1, 10))
    make_title("receivable", ["20.00", "30.00"], party=other, issue=date(2026, 1, 1), due=date(2026, 2, 10))

    with django_assert_num_queries(1):
        positions = selectors.customer_positions(company.pk, [customer.pk, other.pk, idle.pk], today=date(2026, 3, 1))

    assert positions[customer.pk].overdue_total == D("100.00")
    assert (positions[other.pk].open_total, positions[other.pk].overdue_total) == (D("50.00"), D("20.00"))
    assert positions[idle.pk] == selectors.Position(D("0"), D("0"), 0, None)
    assert not positions[idle.pk].has_overdue
