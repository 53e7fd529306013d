import pytest
from django.utils import timezone

from retaguarda.finance import demo, selectors
from retaguarda.finance.models import BankStatement, RecurringBill, StatementLine, Title
from retaguarda.parties import demo as parties_demo

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_year_of_books_with_statements_to_reconcile(company, actor):
    parties_demo.build(company, actor)

    created = demo.build(company, actor)
    again = demo.build(company, actor)

    today = timezone.localdate()
    assert created > 100 and again == 0
    assert RecurringBill.objects.filter(company=company).count() == 4
    assert BankStatement.objects.filter(company=company).count() == 2
    assert StatementLine.objects.filter(company=company, state="unreconciled").count() > 10
    assert Title.objects.filter(company=company, state="partially_settled").exists()
    assert selectors.follow_up(company.pk)
    dre = selectors.income_statement(company.pk, start=today.replace(day=1, year=today.year - 1), end=today)
    assert dre.row("gross_revenue").total > 0 and dre.row("cost_of_goods").total > 0
    assert selectors.drift(company.pk) == []
