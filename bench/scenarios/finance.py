"""finance: the income statement (accrual and cash) and the cash flow for 12 months on the seeded
financial ledger (500,000 entries at scale 1), each beside one hand-written SQL query computing the
same figures (the floor). Server-side times: the selector, the page and the API route, in process."""

import datetime as dt
from decimal import Decimal

from bench import apps
from bench.registry import NOT_LANDED, Figure, Outcome, scenario
from bench.scenarios.reports import sql, timed, timed_get

TARGET = "< 1 s"


def _month(column: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"strftime('%%Y-%%m-01', {column})"


def dre_accrual_sql(vendor: str) -> str:
    """Summed by category and month first, then the 60 categories joined for their line: the plan a
    careful hand would write (joining before grouping made the first floor slower than the selector)."""
    return f"""
SELECT c.dre_group, c.kind, s.category_id, s.month, s.total
FROM (SELECT l.category_id, {_month("l.date", vendor)} AS month, SUM(l.amount) AS total
      FROM finance_journalline l
      WHERE l.company_id = %(company)s AND l.account = 'result' AND l.date BETWEEN %(start)s AND %(end)s
      GROUP BY l.category_id, month) s
JOIN finance_category c ON c.id = s.category_id"""


def dre_cash_sql(vendor: str) -> str:
    return f"""
SELECT c.dre_group, c.kind, s.category_id, s.month, s.total
FROM (SELECT e.category_id, {_month("e.date", vendor)} AS month, SUM(e.amount) AS total
      FROM finance_financialentry e
      WHERE e.company_id = %(company)s AND e.kind IN ('payment', 'withholding', 'interest', 'fine', 'direct')
        AND e.date BETWEEN %(start)s AND %(end)s
      GROUP BY e.category_id, month) s
JOIN finance_category c ON c.id = s.category_id"""


def cashflow_sql(vendor: str) -> str:
    """Realized by day, projected open installments by due date (overdue ones on today), the opening
    balance as the selector reads it since 2026-12 (the accounts' balance less the entries from the start
    on: a hand that knows the schema would not scan the years before the start either)."""
    later = "GREATEST" if vendor == "postgresql" else "MAX"  # SQLite's two-argument MAX is a scalar
    return f"""
SELECT 'r' AS what, date, SUM(CASE WHEN cash_delta > 0 THEN cash_delta ELSE 0 END), SUM(CASE WHEN cash_delta < 0 THEN -cash_delta ELSE 0 END)
FROM finance_financialentry WHERE company_id = %(company)s AND cash_delta <> 0 AND kind <> 'transfer'
  AND date BETWEEN %(start)s AND %(end)s GROUP BY date
UNION ALL
SELECT 'p', {later}(due_date, %(today)s), SUM(CASE WHEN kind = 'receivable' THEN amount_open ELSE 0 END),
       SUM(CASE WHEN kind = 'payable' THEN amount_open ELSE 0 END)
FROM finance_installment WHERE company_id = %(company)s AND amount_open > 0 AND due_date <= %(end)s
GROUP BY {later}(due_date, %(today)s)
UNION ALL
SELECT 'o', NULL, (SELECT COALESCE(SUM(balance), 0) FROM finance_cashaccount WHERE company_id = %(company)s AND opening_date < %(start)s),
       -(SELECT COALESCE(SUM(e.cash_delta), 0) FROM finance_financialentry e JOIN finance_cashaccount a ON a.id = e.account_id
         WHERE e.company_id = %(company)s AND e.date >= %(start)s AND a.opening_date < %(start)s)"""


def _clients(ctx):
    """A signed-in finance user (the bench user is a salesperson), for the page and the API alike."""
    from django.test import Client

    from retaguarda.access import services as access
    from retaguarda.access.models import User
    from retaguarda.core.actor import Actor, Origin

    user = User.objects.filter(username="bench-finance").first() or access.create_user(
        "bench-finance",
        ctx.dataset.password,
        actor=Actor(None, Origin.CLI, ctx.dataset.company.pk),
        departments=["finance"],
        companies=[ctx.dataset.company],
    )
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.force_login(user)
    return client


@scenario(
    "finance",
    "DRE (accrual and cash) and cash flow for 12 months on 500,000 financial entries, beside one SQL query each",
)
def run(ctx) -> Outcome:
    if not apps.finance_ready() or ctx.dataset.finance is None:
        return Outcome(status=NOT_LANDED, note="needs finance")
    from django.db import connection

    from retaguarda.finance import selectors

    company, books = ctx.dataset.company, ctx.dataset.finance
    end = books.last_day
    start = (end.replace(day=1) - dt.timedelta(days=335)).replace(day=1)  # 12 whole months to today
    params = {"company": company.pk, "start": start, "end": end, "today": end}
    repeats = 3 if ctx.quick else 5
    span = f"start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
    vendor = connection.vendor
    items = [
        (
            "DRE, accrual, 12 months",
            lambda: selectors.income_statement(company.pk, start=start, end=end, basis="accrual"),
            f"/financeiro/dre/?basis=accrual&{span}",
            f"/api/v1/finance/dre?basis=accrual&{span}",
            dre_accrual_sql(vendor),
        ),
        (
            "DRE, cash, 12 months",
            lambda: selectors.income_statement(company.pk, start=start, end=end, basis="cash"),
            f"/financeiro/dre/?basis=cash&{span}",
            f"/api/v1/finance/dre?basis=cash&{span}",
            dre_cash_sql(vendor),
        ),
        (
            "cash flow by day, 12 months",
            lambda: selectors.cash_flow(company.pk, start=start, end=end, granularity="day", today=end),
            f"/financeiro/fluxo-de-caixa/?granularity=day&{span}",
            f"/api/v1/finance/cashflow?granularity=day&{span}",
            cashflow_sql(vendor),
        ),
    ]
    _check(ctx, company.pk, start, end, vendor)
    client = _clients(ctx)
    out = Outcome(details={"entries": books.entries, "titles": books.titles, "journal_lines": books.journal_lines})
    for label, selector, page, api, floor_sql in items:
        floor_ms = timed(lambda floor_sql=floor_sql: sql(floor_sql, params), repeats)[0]
        sel_ms, sel_q = timed(selector, repeats)
        page_ms, page_q, page_status = timed_get(client, page, repeats)
        api_ms, api_q, api_status = timed_get(client, api, repeats)
        out.errors += (page_status != 200) + (api_status != 200)
        out.details[label] = {
            "floor_ms": floor_ms,
            "selector_ms": sel_ms,
            "selector_queries": sel_q,
            "page_ms": page_ms,
            "page_queries": page_q,
            "api_ms": api_ms,
            "api_queries": api_q,
        }
        floor_text = f"; one SQL query {floor_ms:,.1f} ms"
        ctx.log(
            f"  {label}: selector {sel_ms:,.1f} ms ({sel_q} q), page {page_ms:,.1f} ms ({page_q} q, HTTP {page_status}), "
            f"API {api_ms:,.1f} ms ({api_q} q, HTTP {api_status}){floor_text}"
        )
        out.figures.append(
            Figure(f"{label}: selector", sel_ms, "ms", floor=floor_ms, target=TARGET, detail=f"{sel_q} queries")
        )
        out.figures.append(Figure(f"{label}: page", page_ms, "ms", floor=floor_ms, detail=f"{page_q} queries"))
        out.figures.append(Figure(f"{label}: API", api_ms, "ms", floor=floor_ms, detail=f"{api_q} queries"))
    return out


def _check(ctx, company_id: int, start, end, vendor: str) -> None:
    """The floor must compute what the selector shows, or its ratio means nothing: compare net results."""
    from retaguarda.finance import selectors

    dre = selectors.income_statement(company_id, start=start, end=end, basis="accrual")
    total = Decimal(0)
    rows = sql(dre_accrual_sql(vendor), {"company": company_id, "start": start, "end": end})
    for group, _kind, _cat, _month, value in rows:
        if group != "none":
            # income is a credit (negative), expenses debits: the result is minus the sum. SQLite's SUM of
            # a decimal column is a float: to the centavo, as the selector's exact sum is.
            total -= Decimal(str(value)).quantize(Decimal("0.01"))
    if dre.row("net_result").total != total:
        ctx.log(
            f"  WARNING: the DRE floor query disagrees with the selector ({total} vs {dre.row('net_result').total})"
        )
