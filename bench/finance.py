"""Seeding the financial ledger: titles with one installment each over two years, most of them settled
by one payment entry, bank fees as direct entries to make up the count, and the journal entries every
one of them implies (two lines each), so the DRE and the cash flow read a ledger shaped like a real one
and `check-ledgers` finds no drift. Bulk inserted: 500,000 entries through the services would take far
longer than a run may. The journal's database guard still checks every entry as it is inserted."""

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from bench import bulk
from bench.dataset import Dataset

DAYS = 730
SETTLED = 0.9
# (kind, category role or code, share): sales dominate, then the usual expenses.
MIX = (
    ("receivable", "sales", 0.70),
    ("payable", "purchases", 0.12),
    ("payable", "4.2.01", 0.04),
    ("payable", "4.1.01", 0.05),
    ("payable", "4.2.04", 0.03),
    ("payable", "4.3.01", 0.03),
    ("payable", "4.3.03", 0.03),
)


TITLE_TEXT = {"description": "", "document_number": "", "nfe_key": "", "source_type": "", "source_ref": "", "notes": ""}
ENTRY_TEXT = {"tax": "", "memo": ""}


@dataclass
class Books:
    account_id: int
    titles: int
    entries: int
    journal_lines: int
    first_day: dt.date
    last_day: dt.date


def load(ds: Dataset, count: int, log=print) -> int:
    from django.db import connection, transaction
    from django.utils import timezone

    from retaguarda.core.actor import Actor, Origin
    from retaguarda.finance import services
    from retaguarda.finance.models import (
        CashAccount,
        Category,
        FinancialEntry,
        Installment,
        JournalEntry,
        JournalLine,
        Title,
    )

    actor = Actor(ds.user, Origin.CLI, ds.company.pk)
    company_id = ds.company.pk
    services.ensure_chart(company_id)
    categories = {c.role or c.code: c for c in Category.objects.filter(company_id=company_id)}
    today = timezone.localdate()
    first = today - dt.timedelta(days=DAYS)
    account = services.create_account(
        actor=actor, kind="cash", name="Caixa bench", opening_balance=Decimal("100000.00"), opening_date=first
    )
    rng = random.Random(f"finance-{ds.seed}")
    parties = ds.customers or [None]
    weights = [m[2] for m in MIX]

    titles, installments, entries, heads, lines = [], [], [], [], []
    balance = account.opening_balance
    next_title = (Title.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    next_installment = (Installment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    n_titles = round(count / (SETTLED + 0.02))
    settled = 0
    for n in range(n_titles):
        if settled >= count:
            break
        kind, key, _w = rng.choices(MIX, weights)[0]
        category = categories[key]
        sign = 1 if kind == "receivable" else -1
        value = Decimal(rng.randint(1000, 500_000)) / 100
        issued = first + dt.timedelta(days=n * DAYS // n_titles)
        due = issued + dt.timedelta(days=rng.choice((0, 0, 14, 28, 30, 45)))
        pays = due < today and rng.random() < SETTLED
        party = rng.choice(parties) if kind == "receivable" else None
        title_id, installment_id = next_title + n, next_installment + n
        titles.append(
            {
                "company_id": company_id,
                "kind": kind,
                "number": n + 1,
                "party_id": party,
                "category_id": category.pk,
                "issue_date": issued,
                "competence_date": issued,
                "amount": value,
                "amount_open": Decimal(0) if pays else value,
                "state": "settled" if pays else "open",
                "version": 1,
                **TITLE_TEXT,
            }
        )
        installments.append(
            {
                "company_id": company_id,
                "title_id": title_id,
                "kind": kind,
                "party_id": party,
                "number": 1,
                "due_date": due,
                "amount": value,
                "amount_open": Decimal(0) if pays else value,
                "settled_on": due if pays else None,
            }
        )
        open_account = "receivables" if kind == "receivable" else "payables"
        result = (
            {"account": "result", "category_id": category.pk}
            if not category.posts_to
            else {"account": category.posts_to}
        )
        _entry(
            heads,
            lines,
            company_id,
            issued,
            f"Título {n + 1}",
            "finance.title",
            title_id,
            [({"account": open_account, "party_id": party}, sign * value), (result, -sign * value)],
        )
        if pays:
            settled += 1
            balance += sign * value
            entries.append(
                {
                    "company_id": company_id,
                    "kind": "payment",
                    "date": due,
                    "account_id": account.pk,
                    "installment_id": installment_id,
                    "title_id": title_id,
                    "party_id": party,
                    "category_id": category.pk,
                    "amount": value,
                    "cash_delta": sign * value,
                    "principal_delta": value,
                    **ENTRY_TEXT,
                }
            )
            _entry(
                heads,
                lines,
                company_id,
                due,
                f"Baixa do título {n + 1}",
                "finance.bench_settlement",
                title_id,
                [
                    ({"account": "cash", "cash_account_id": account.pk}, sign * value),
                    ({"account": open_account, "party_id": party}, -sign * value),
                ],
            )
    fees = categories["bank_fees"]
    for n in range(count - settled):
        day = first + dt.timedelta(days=n * DAYS // max(1, count - settled))
        value = Decimal(rng.randint(100, 9000)) / 100
        balance -= value
        entries.append(
            {
                "company_id": company_id,
                "kind": "direct",
                "date": day,
                "account_id": account.pk,
                "category_id": fees.pk,
                "amount": value,
                "cash_delta": -value,
                **ENTRY_TEXT,
            }
        )
        _entry(
            heads,
            lines,
            company_id,
            day,
            "Tarifa",
            "finance.bench_fee",
            n + 1,
            [
                ({"account": "result", "category_id": fees.pk}, value),
                ({"account": "cash", "cash_account_id": account.pk}, -value),
            ],
        )

    log(f"    {len(titles)} titles, {len(entries)} entries, {len(lines)} journal lines")
    bulk.insert(Title, titles)
    bulk.insert(Installment, installments)
    written = bulk.insert(FinancialEntry, entries)
    # Every entry has two lines. Lines first and their headers in the same transaction: the guard checks
    # each header against its lines, and the lines' foreign key is checked at commit.
    step = 20_000
    for i in range(0, len(heads), step):
        with transaction.atomic():
            bulk.insert(JournalLine, lines[2 * i : 2 * (i + step)])
            bulk.insert(JournalEntry, heads[i : i + step], with_pk=True)
    CashAccount.objects.filter(pk=account.pk).update(balance=balance)
    _continue_numbering(company_id, len(titles) + 1)
    assert Title.objects.filter(company_id=company_id).order_by("pk").values_list("pk", flat=True).first() == next_title
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # fresh planner statistics, as autovacuum would give a long-lived database
    ds.finance = Books(account.pk, len(titles), written, len(lines), first, today)
    return written


def _continue_numbering(company_id: int, next_number: int) -> None:
    """The titles' number series go on after the bulk-loaded numbers (a later scenario's payable
    through `finance.create_title` took number 8 again). The counter row is what SQLite reads and what
    PostgreSQL's sequence starts from when first made; one already made is moved on."""
    from django.db import connection

    from retaguarda.core.models import NumberSeries
    from retaguarda.core.numbering import sequence_name

    for kind in ("receivable", "payable"):
        key = f"finance.{kind}"
        NumberSeries.objects.update_or_create(company_id=company_id, key=key, defaults={"next_number": next_number})
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                name = sequence_name(key, company_id)
                cur.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
                if cur.fetchone()[0]:
                    cur.execute("SELECT setval(%s, %s, false)", [name, next_number])


def _entry(heads: list, lines: list, company_id: int, day, description: str, source: str, ref, sides) -> None:
    entry_id = uuid.uuid4()
    for side, value in sides:
        lines.append({"entry_id": entry_id, "company_id": company_id, "date": day, "amount": value, **side})
    heads.append(
        {
            "id": entry_id,
            "company_id": company_id,
            "date": day,
            "description": description,
            "source_type": source,
            "source_ref": str(ref),
        }
    )
