"""The demo tells the business day's story (issue 18): with `retaguarda demo` loaded, the pages have
orders in every state, notes authorized, cancelled and corrected, a customer return, titles open and
settled, a statement to reconcile and occurrences open in several departments; the ledgers agree."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from retaguarda.companies.models import Company
from retaguarda.finance.models import FinancialEntry, StatementLine, Title
from retaguarda.fiscal.models import FiscalDocument, FiscalEvent
from retaguarda.inventory.models import StockMove
from retaguarda.purchasing.models import NfeImport
from retaguarda.sales.models import SalesOrder, SalesReturn
from retaguarda.watch.models import Occurrence
from retaguarda.watch.states import ACTIVE
from retaguarda.web import demo

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_shows_the_whole_day_and_its_ledgers_agree():
    assert demo.load() is True
    company = Company.objects.get(cnpj=demo.DEMO_CNPJ)
    of = {"company": company}

    states = set(SalesOrder.objects.filter(**of).values_list("state", flat=True))
    assert {"draft", "confirmed", "invoiced", "shipped", "delivered", "cancelled"} <= states
    notes = set(FiscalDocument.objects.filter(**of).values_list("state", flat=True))
    assert {"authorized", "cancelled", "draft"} <= notes
    assert FiscalEvent.objects.filter(**of, event_type="110110").exists()  # a CC-e
    (ret,) = SalesReturn.objects.filter(**of)
    assert ret.state == "completed"
    credit = FinancialEntry.objects.filter(title_id=ret.order.receivable_id, kind="credit")
    assert credit.aggregate(v=Sum("amount"))["v"] == ret.total  # the customer is credited on the receivable
    assert FiscalDocument.objects.get(source_type="sales.return", source_id=ret.pk).state == "authorized"
    assert StockMove.objects.filter(source_type="sales.return", source_id=ret.pk).exists()
    titles = set(Title.objects.filter(**of).values_list("state", flat=True))
    assert {"open", "settled"} <= titles
    assert StatementLine.objects.filter(**of, state="unreconciled").exists()
    assert NfeImport.objects.filter(**of, state="pending").exists()  # a supplier's note to enter
    departments = set(Occurrence.objects.filter(**of, state__in=ACTIVE).values_list("department", flat=True))
    assert {"logistics", "stock", "finance"} <= departments

    call_command("check_ledgers")  # exits 1 on any drift: stock, snapshots, financial entries, journal
    assert demo.load() is False  # once
