"""The home page's "today" for each department: the work waiting for it (open occurrences, documents
to act on) and the day's key figures. One aggregate query per source whatever the data (asserted in
tests/web), and only the sources of the departments the user works in."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.access.departments import (
    ACCOUNTANT,
    ADMIN,
    DEPARTMENTS,
    FINANCE,
    FISCAL,
    LOGISTICS,
    PURCHASING,
    SALES,
    STOCK,
)
from retaguarda.core.decimal_sql import DecimalSum
from retaguarda.core.money import ZERO
from retaguarda.finance.models import Installment, StatementLine, TitleKind
from retaguarda.finance.states import LineState
from retaguarda.fiscal.models import FiscalDocument
from retaguarda.fiscal.states import DocumentState
from retaguarda.inventory.models import StockCount
from retaguarda.inventory.states import CountState
from retaguarda.purchasing.models import NfeImport, NfeImportState, PurchaseOrder, PurchaseRequest
from retaguarda.purchasing.states import RECEIVABLE_STATES, RequestState
from retaguarda.sales.models import SalesOrder
from retaguarda.sales.states import WAITING_STATES, OrderState
from retaguarda.watch.models import Occurrence
from retaguarda.watch.states import ACTIVE

# The home shows these departments, in this order (admin sees every one of them).
SHOWN = (SALES, PURCHASING, STOCK, LOGISTICS, FINANCE, FISCAL, ACCOUNTANT)


@dataclass
class Task:
    label: str
    count: int
    url: str
    urgent: bool = False  # late or rejected: shown in red


@dataclass
class Figure:
    label: str
    value: object
    kind: str = "int"  # int | money


@dataclass
class Department:
    code: str
    name: str
    tasks: list[Task] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return sum(t.count for t in self.tasks)


def departments_shown(codes: set[str], is_superuser: bool) -> list[str]:
    if is_superuser or ADMIN in codes:
        return list(SHOWN)
    return [code for code in SHOWN if code in codes]


def today(company_id: int, codes: list[str]) -> list[Department]:
    """The work of each department in `codes` (see `departments_shown`), a fixed number of queries."""
    day = timezone.localdate()
    result = {code: Department(code, str(DEPARTMENTS[code])) for code in codes}
    wanted = set(codes)
    _occurrences(company_id, result, wanted)
    if wanted & {SALES, LOGISTICS}:
        _sales(company_id, day, result)
    if PURCHASING in wanted:
        _purchasing(company_id, day, result)
    if STOCK in wanted:
        _stock(company_id, result)
    if wanted & {FINANCE, ACCOUNTANT}:
        _finance(company_id, day, result)
    if wanted & {FISCAL, ACCOUNTANT}:
        _fiscal(company_id, day, result)
    return [result[code] for code in codes]


def _add(result, code, item) -> None:
    if code in result:
        target = result[code].figures if isinstance(item, Figure) else result[code].tasks
        target.append(item)


def _occurrences(company_id, result, wanted) -> None:
    inbox = reverse("watch:inbox")
    rows = (
        Occurrence.objects.filter(company_id=company_id, state__in=ACTIVE, department__in=wanted)
        .values("department")
        .annotate(n=Count("id"), late=Count("id", filter=Q(deadline__lt=timezone.now())))
        .order_by()
    )
    counts = {row["department"]: row for row in rows}
    for code in wanted:
        row = counts.get(code, {"n": 0, "late": 0})
        _add(result, code, Task(_("Open occurrences"), row["n"], f"{inbox}?department={code}"))
        if row["late"]:
            _add(
                result,
                code,
                Task(_("Occurrences past their deadline"), row["late"], f"{inbox}?department={code}&late=1", True),
            )


def _sales(company_id, day, result) -> None:
    orders = reverse("sales:orders")
    row = SalesOrder.objects.filter(company_id=company_id).aggregate(
        drafts=Count("id", filter=Q(state=OrderState.DRAFT)),
        to_invoice=Count("id", filter=Q(state=OrderState.CONFIRMED)),
        to_ship=Count("id", filter=Q(state=OrderState.INVOICED)),
        late=Count("id", filter=Q(state__in=WAITING_STATES, promised_ship_date__lt=day)),
        today=Count("id", filter=Q(order_date=day) & ~Q(state=OrderState.CANCELLED)),
        today_total=DecimalSum("total", filter=Q(order_date=day) & ~Q(state=OrderState.CANCELLED), default=ZERO),
        shipped=Count("id", filter=Q(shipped_at__date=day)),
    )
    _add(result, SALES, Task(_("Draft orders to confirm"), row["drafts"], f"{orders}?state=draft"))
    _add(result, SALES, Task(_("Confirmed orders to invoice"), row["to_invoice"], f"{orders}?state=confirmed"))
    _add(result, SALES, Figure(_("Orders today"), row["today"]))
    _add(result, SALES, Figure(_("Sold today"), row["today_total"], "money"))
    _add(result, LOGISTICS, Task(_("Invoiced orders to ship"), row["to_ship"], f"{orders}?state=invoiced"))
    _add(result, LOGISTICS, Task(_("Orders past the promised date"), row["late"], f"{orders}?late=1", True))
    _add(result, LOGISTICS, Figure(_("Shipped today"), row["shipped"]))


def _purchasing(company_id, day, result) -> None:
    requests = PurchaseRequest.objects.filter(company_id=company_id, state=RequestState.PENDING).count()
    row = PurchaseOrder.objects.filter(company_id=company_id).aggregate(
        drafts=Count("id", filter=Q(state="draft")),
        late=Count("id", filter=Q(state__in=RECEIVABLE_STATES, expected_date__lt=day)),
        open=Count("id", filter=Q(state__in=RECEIVABLE_STATES)),
    )
    notes = NfeImport.objects.filter(company_id=company_id, state=NfeImportState.PENDING).count()
    _add(
        result,
        PURCHASING,
        Task(_("Requests awaiting approval"), requests, reverse("purchasing:requests") + "?state=pending"),
    )
    _add(
        result,
        PURCHASING,
        Task(_("Draft purchase orders to send"), row["drafts"], reverse("purchasing:orders") + "?state=draft"),
    )
    _add(result, PURCHASING, Task(_("Supplier notes to enter"), notes, reverse("purchasing:nfe_imports")))
    _add(result, PURCHASING, Task(_("Orders late from suppliers"), row["late"], reverse("purchasing:late"), True))
    _add(result, PURCHASING, Figure(_("Orders awaiting delivery"), row["open"]))


def _stock(company_id, result) -> None:
    counts = StockCount.objects.filter(company_id=company_id, state__in=(CountState.DRAFT, CountState.COUNTING)).count()
    _add(result, STOCK, Task(_("Stock counts in progress"), counts, reverse("inventory:counts")))


def _finance(company_id, day, result) -> None:
    titles = reverse("finance:titles")
    payables = reverse("finance:payables")
    open_ = Installment.objects.filter(company_id=company_id, amount_open__gt=0).exclude(title__state="cancelled")
    row = open_.aggregate(
        pay_today=Count("id", filter=Q(kind=TitleKind.PAYABLE, due_date=day)),
        pay_today_total=DecimalSum("amount_open", filter=Q(kind=TitleKind.PAYABLE, due_date=day), default=ZERO),
        pay_late=Count("id", filter=Q(kind=TitleKind.PAYABLE, due_date__lt=day)),
        receive_today=DecimalSum("amount_open", filter=Q(kind=TitleKind.RECEIVABLE, due_date=day), default=ZERO),
        receive_late=Count("id", filter=Q(kind=TitleKind.RECEIVABLE, due_date__lt=day)),
        receive_week=DecimalSum(
            "amount_open",
            filter=Q(kind=TitleKind.RECEIVABLE, due_date__gte=day, due_date__lte=day + timedelta(days=7)),
            default=ZERO,
        ),
    )
    lines = StatementLine.objects.filter(company_id=company_id, state=LineState.UNRECONCILED).count()
    _add(result, FINANCE, Task(_("Payables due today"), row["pay_today"], f"{payables}?due_from={day}&due_to={day}"))
    _add(result, FINANCE, Task(_("Overdue payables"), row["pay_late"], f"{payables}?overdue=1", True))
    _add(result, FINANCE, Task(_("Overdue receivables"), row["receive_late"], f"{titles}?overdue=1", True))
    _add(result, FINANCE, Task(_("Bank lines to reconcile"), lines, reverse("finance:reconciliation")))
    _add(result, FINANCE, Figure(_("To pay today"), row["pay_today_total"], "money"))
    _add(result, FINANCE, Figure(_("To receive today"), row["receive_today"], "money"))
    _add(result, FINANCE, Figure(_("To receive in 7 days"), row["receive_week"], "money"))
    _add(result, ACCOUNTANT, Task(_("Bank lines to reconcile"), lines, reverse("finance:reconciliation")))


def _fiscal(company_id, day, result) -> None:
    documents = reverse("fiscal:documents")
    month = day.replace(day=1)
    authorized = Q(state=DocumentState.AUTHORIZED)
    row = FiscalDocument.objects.filter(company_id=company_id).aggregate(
        rejected=Count("id", filter=Q(state__in=(DocumentState.REJECTED, DocumentState.DENIED))),
        waiting=Count("id", filter=Q(state__in=(DocumentState.QUEUED, DocumentState.SENT))),
        drafts=Count("id", filter=Q(state=DocumentState.DRAFT)),
        today=Count("id", filter=authorized & Q(authorized_at__date=day)),
        month=Count("id", filter=authorized & Q(authorized_at__date__gte=month)),
        month_total=DecimalSum("total", filter=authorized & Q(authorized_at__date__gte=month), default=ZERO),
    )
    _add(result, FISCAL, Task(_("Rejected notes to correct"), row["rejected"], f"{documents}?state=rejected", True))
    _add(result, FISCAL, Task(_("Notes waiting for SEFAZ"), row["waiting"], f"{documents}?state=queued"))
    _add(result, FISCAL, Task(_("Draft notes to issue"), row["drafts"], f"{documents}?state=draft"))
    _add(result, FISCAL, Figure(_("Notes authorized today"), row["today"]))
    _add(result, ACCOUNTANT, Figure(_("Notes authorized this month"), row["month"]))
    _add(result, ACCOUNTANT, Figure(_("Notes' total this month"), row["month_total"], "money"))
