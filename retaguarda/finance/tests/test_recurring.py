from datetime import date

import pytest
from django.core.management import call_command

from retaguarda.finance import services
from retaguarda.finance.models import CashAccount, Title
from retaguarda.finance.services.recurring import add_months
from retaguarda.finance.tasks import generate_recurring_titles

from .conftest import D

pytestmark = pytest.mark.django_db


def test_months_keep_their_day_or_the_months_last():
    assert add_months(date(2026, 1, 31), 1, 31) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 2, 31) == date(2026, 3, 31)
    assert add_months(date(2026, 11, 15), 3, 15) == date(2027, 2, 15)


def test_a_monthly_bill_creates_its_titles_ahead_once(actor, category, company, customer):
    bill = services.create_recurring_bill(
        actor=actor,
        description="Aluguel da loja",
        category_id=category("4.2.01").pk,
        party_id=customer.pk,
        amount=D("3500.00"),
        start_date=date(2026, 1, 5),
        days_ahead=40,
    )

    first = services.generate_due(bill, today=date(2026, 2, 20))
    again = services.generate_due(bill, today=date(2026, 2, 20))

    assert [t.installments.get().due_date for t in first] == [date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5)]
    assert again == []
    assert Title.objects.filter(recurring_bill=bill).count() == 3
    assert {t.kind for t in first} == {"payable"}


def test_the_periodic_task_generates_every_active_bill(actor, category):
    from django.utils import timezone

    today = timezone.localdate()
    services.create_recurring_bill(
        actor=actor, description="Internet", category_id=category("4.2.04").pk, amount=D("199.90"), start_date=today
    )
    services.create_recurring_bill(
        actor=actor,
        description="Antigo",
        category_id=category("4.2.04").pk,
        amount=D("1.00"),
        start_date=today,
        is_active=False,
    )

    assert generate_recurring_titles.call() >= 1
    assert generate_recurring_titles.call() == 0


def test_check_ledgers_runs_the_finance_check_and_exits_1_on_drift(make_title, bank_account):
    make_title("receivable", ["10.00"])
    call_command("check_ledgers")  # no SystemExit

    CashAccount.objects.filter(pk=bank_account.pk).update(balance=D("1.00"))
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_ledgers")
    assert exit_info.value.code == 1
