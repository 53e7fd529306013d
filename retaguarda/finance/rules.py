"""Finance's watch rules (registered with `watch` from `FinanceConfig.ready`). Each finds every offending
object of one company in one query, through the open-installment and statement-line indexes."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.finance.models import Installment, StatementLine, TitleKind
from retaguarda.finance.states import LineState
from retaguarda.watch.registry import Finding, Param, day, integer, labels, link, money, on, rule, text
from retaguarda.watch.states import Severity

FINANCE = "finance"


def installments_of(company_id: int, title_id: int) -> list[int]:
    return list(Installment.objects.filter(company_id=company_id, title_id=title_id).values_list("pk", flat=True))


# A settlement, a reversal, a credit or a cancellation moves the title's state: its installments are
# looked at again at once (an occurrence resolves when the customer pays, not 15 minutes later).
TITLE_CHANGED = on("finance.title", subjects=installments_of)
# Reconciled, or undone: the line itself.
LINE_CHANGED = on("finance.statementline")


def _overdue(company_id: int, kind: str, grace_days: int, subjects=None) -> list[Finding]:
    """Plain rows, not model instances, and labels and links built once: this rule meets every overdue
    installment of the company (tens of thousands), and the per-row work is most of its time."""
    today = timezone.localdate()
    rows = Installment.objects.filter(
        company_id=company_id, kind=kind, amount_open__gt=0, due_date__lt=today - timedelta(days=grace_days)
    )
    if subjects is not None:
        rows = rows.filter(pk__in=subjects)
    rows = rows.exclude(title__state="cancelled").values_list(
        "id", "number", "due_date", "amount_open", "title_id", "title__number", "party__trade_name",
        "party__legal_name",
    )  # fmt: skip
    title_url = link("finance:title")
    kind_label = str(TitleKind(kind).label)
    say = labels(
        installment=_("installment"),
        open=_("Open amount"),
        due=_("Due date"),
        days=_("Days overdue"),
        party=_("Customer or supplier"),
    )
    found = []
    for pk, number, due_date, amount_open, title_id, title_number, trade_name, legal_name in rows:
        party = trade_name or legal_name or ""
        found.append(
            Finding(
                "finance.installment",
                pk,
                f"{kind_label} {title_number} · {say['installment']} {number}" + (f" · {party}" if party else ""),
                {
                    "open": money(amount_open, say["open"]),
                    "due": day(due_date, say["due"]),
                    "days": integer((today - due_date).days, say["days"]),
                    "party": text(party or "—", say["party"]),
                },
                title_url(title_id),
            )
        )
    return found


@rule(
    "finance.receivable_overdue",
    title=_("Receivable overdue"),
    department=FINANCE,
    severity=Severity.HIGH,
    explanation=_("%(open)s from %(party)s was due on %(due)s (%(days)s days ago)."),
    steps=[
        _("Contact the customer and record the promise"),
        _("Send a new boleto or PIX if asked"),
        _("Hold new sales on credit until settled"),
    ],
    params=[Param("grace_days", _("Days of grace after the due date"), 0)],
    triggers=[TITLE_CHANGED],
)
def receivable_overdue(company_id: int, params, subjects=None) -> list[Finding]:
    return _overdue(company_id, TitleKind.RECEIVABLE, params["grace_days"], subjects)


@rule(
    "finance.payable_overdue",
    title=_("Payable overdue"),
    department=FINANCE,
    severity=Severity.HIGH,
    explanation=_("%(open)s to %(party)s was due on %(due)s (%(days)s days ago): interest and fines run."),
    steps=[
        _("Check whether it was paid and not recorded"),
        _("Pay it or agree a new date with the supplier"),
    ],
    params=[Param("grace_days", _("Days of grace after the due date"), 0)],
    triggers=[TITLE_CHANGED],
)
def payable_overdue(company_id: int, params, subjects=None) -> list[Finding]:
    return _overdue(company_id, TitleKind.PAYABLE, params["grace_days"], subjects)


@rule(
    "finance.unreconciled_line",
    title=_("Bank line not reconciled"),
    department=FINANCE,
    severity=Severity.MEDIUM,
    explanation=_("%(amount)s on %(date)s in %(account)s is still unreconciled after %(days)s days."),
    steps=[
        _("Find the title or entry the line pays"),
        _("Reconcile it, or record the missing entry"),
    ],
    params=[Param("days", _("Days before a bank line must be reconciled"), 5, minimum=1)],
    triggers=[LINE_CHANGED],
)
def unreconciled_line(company_id: int, params, subjects=None) -> list[Finding]:
    today = timezone.localdate()
    rows = StatementLine.objects.filter(
        company_id=company_id, state=LineState.UNRECONCILED, date__lt=today - timedelta(days=params["days"])
    )
    if subjects is not None:
        rows = rows.filter(pk__in=subjects)
    rows = rows.select_related("account").only("id", "date", "amount", "memo", "name", "account", "account__name")
    return [
        Finding(
            "finance.statement_line",
            line.pk,
            f"{line.account.name} · {line.date:%d/%m/%Y} · {line.memo or line.name}"[:200],
            {
                "amount": money(line.amount, _("Amount")),
                "date": day(line.date, _("Date")),
                "days": integer((today - line.date).days, _("Days")),
                "account": text(line.account.name, _("Account")),
            },
            reverse("finance:reconciliation") + f"?account={line.account_id}",
        )
        for line in rows
    ]


def _projection(company_id: int, days: int):
    """The consolidated cash flow from today to `days` ahead, day by day (a fixed number of queries)."""
    from retaguarda.finance.selectors.cashflow import cash_flow

    today = timezone.localdate()
    return cash_flow(company_id, start=today, end=today + timedelta(days=days), granularity="day", today=today)


@rule(
    "finance.cash_negative_soon",
    title=_("Cash goes negative soon"),
    department=FINANCE,
    severity=Severity.HIGH,
    explanation=_("The projected balance goes negative on %(day)s (in %(days)s days), down to %(lowest)s."),
    steps=[
        _("Check the receivables due before that day and collect the overdue ones"),
        _("Agree new dates for payables that can wait"),
        _("Arrange credit if the gap remains"),
    ],
    params=[Param("days", _("Days ahead to look"), 30, minimum=1, maximum=365)],
)
def cash_negative_soon(company_id: int, params) -> list[Finding]:
    flow = _projection(company_id, params["days"])
    if flow.first_negative_day is None:
        return []
    return [
        Finding(
            "companies.company",
            company_id,
            str(_("Consolidated cash")),
            {
                "day": day(flow.first_negative_day, _("First negative day")),
                "days": integer((flow.first_negative_day - flow.today).days, _("Days")),
                "lowest": money(flow.lowest_balance, _("Lowest balance")),
            },
            reverse("finance:cashflow"),
        )
    ]


@rule(
    "finance.payable_short",
    title=_("Payable due without cash to pay it"),
    department=FINANCE,
    severity=Severity.HIGH,
    explanation=_("%(open)s to %(party)s is due on %(due)s and the projected balance that day is %(balance)s."),
    steps=[
        _("Bring forward receivables or move money between accounts"),
        _("Agree a new date with the supplier before the due date"),
    ],
    params=[Param("days", _("Days ahead to look"), 7, minimum=1, maximum=90)],
)
def payable_short(company_id: int, params) -> list[Finding]:
    flow = _projection(company_id, params["days"])
    short = {row.start: row.balance for row in flow.rows if row.balance < 0}
    if not short:
        return []
    rows = (
        Installment.objects.filter(
            company_id=company_id, kind=TitleKind.PAYABLE, amount_open__gt=0, due_date__in=list(short)
        )
        .exclude(title__state="cancelled")
        .select_related("title", "party")
        .only("id", "number", "due_date", "amount_open", "title", "party", "title__id", "title__kind",
              "title__number", "title__description", "party__legal_name", "party__trade_name")
    )  # fmt: skip
    found = []
    for i in rows:
        party = (i.party.trade_name or i.party.legal_name) if i.party_id else "—"
        found.append(
            Finding(
                "finance.installment",
                i.pk,
                f"{i.title} · {_('installment')} {i.number} · {party}",
                {
                    "open": money(i.amount_open, _("Open amount")),
                    "due": day(i.due_date, _("Due date")),
                    "balance": money(short[i.due_date], _("Projected balance")),
                    "party": text(party, _("Customer or supplier")),
                },
                reverse("finance:title", args=[i.title_id]),
            )
        )
    return found
