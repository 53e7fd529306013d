"""Demo finance: a year of sales and purchases in installments, their settlements (some late, some still
open), recurring bills (rent, salaries, internet, accountant), the cost of goods sold and taxes on sales
in the journal, transfers, bank fees, and the last month's statements of two bank accounts waiting to be
reconciled. Always the same data for the same day; every write goes through the services."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from retaguarda.br_tables.models import Bank
from retaguarda.core.actor import Actor
from retaguarda.core.money import amount
from retaguarda.finance import services
from retaguarda.finance.models import CashAccount, CashAccountKind, Category, FinancialEntry, Installment, TitleKind
from retaguarda.finance.services import ResultLine, SourceRef, Withholding

SEED = 20261201
BB, ITAU, CASH = "Banco do Brasil", "Itaú", "Caixa da loja"


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def build(company, actor: Actor, *, today: date | None = None) -> int:
    """Build the demo books of `company` once; returns how many titles were created."""
    if CashAccount.objects.filter(company=company, name=BB).exists():
        return 0
    from retaguarda.parties.models import Party

    today = today or timezone.localdate()
    rng = random.Random(SEED)
    actor = Actor(actor.user, actor.origin, company.pk, actor.ip)
    services.ensure_chart(company.pk)
    role = {c.role: c for c in Category.objects.filter(company=company).exclude(role="")}
    code = {c.code: c for c in Category.objects.filter(company=company)}
    start = (today - timedelta(days=365)).replace(day=1)
    centers = {
        key: services.create_cost_center(actor=actor, code=key, name=name)
        for key, name in (("LOJA", "Loja física"), ("ONLINE", "Loja virtual"), ("ADM", "Administração"))
    }
    bb = services.create_account(
        actor=actor,
        kind=CashAccountKind.BANK,
        name=BB,
        bank_id=Bank.objects.get(compe="001").pk,
        branch="1234-5",
        number="45678-9",
        opening_balance=Decimal("25000.00"),
        opening_date=start - timedelta(days=1),
    )
    itau = services.create_account(
        actor=actor,
        kind=CashAccountKind.BANK,
        name=ITAU,
        bank_id=Bank.objects.get(compe="341").pk,
        branch="0341",
        number="12345-6",
        opening_balance=Decimal("8000.00"),
        opening_date=start - timedelta(days=1),
    )
    cash = services.create_account(
        actor=actor,
        kind=CashAccountKind.CASH,
        name=CASH,
        opening_balance=Decimal("1500.00"),
        opening_date=start - timedelta(days=1),
    )
    customers = list(Party.objects.filter(company=company, is_customer=True).order_by("pk")[:60])
    suppliers = list(Party.objects.filter(company=company, is_supplier=True).order_by("pk")[:10])
    titles = 0

    # Recurring bills, generated up to their horizon, paid on their due dates until today.
    landlord = suppliers[0].pk if suppliers else None
    for description, category, value, day, party, center in (
        ("Aluguel da loja", "4.2.01", "2800.00", 5, landlord, "LOJA"),
        ("Salários", "4.1.01", "4200.00", 5, None, "ADM"),
        ("Internet e telefone", "4.2.04", "299.90", 10, None, "ADM"),
        ("Contabilidade", "4.2.05", "900.00", 15, None, "ADM"),
    ):
        bill = services.create_recurring_bill(
            actor=actor,
            description=description,
            category_id=code[category].pk,
            amount=Decimal(value),
            start_date=start.replace(day=day),
            party_id=party,
            cost_center_id=centers[center].pk,
        )
        created = services.generate_due(bill, today=today)
        titles += len(created)
        for title in created:
            inst = title.installments.get()
            if inst.due_date < today:
                late = rng.random() < 0.1
                on = inst.due_date + timedelta(days=rng.randint(1, 6) if late else 0)
                services.settle(
                    inst.pk,
                    actor=actor,
                    on=min(on, today),
                    account_id=bb.pk,
                    fine=(inst.amount * Decimal("0.02")).quantize(Decimal("0.01")) if late else None,
                )

    # Sales: one a week, in one to three installments; their cost and taxes go to the journal once a month
    # per cost center (the demo stays quick to load: `serve --demo` builds it on start).
    week = start
    order = 1000
    results: dict[date, dict[str, list[Decimal]]] = {}
    while week <= today and customers:
        issued = week + timedelta(days=rng.randint(0, 6))
        week += timedelta(days=7)
        if issued > today:
            continue
        order += 1
        total = _money(rng, 180, 4800)
        count = rng.choice([1, 1, 2, 3])
        center = rng.choice(["LOJA", "ONLINE"])
        title = services.create_title(
            actor=actor,
            kind=TitleKind.RECEIVABLE,
            category_role="sales",
            party_id=rng.choice(customers).pk,
            cost_center_id=centers[center].pk,
            installments=services.split_installments(
                total, count, issued + timedelta(days=30 if count > 1 else rng.choice([0, 14, 28]))
            ),
            issue_date=issued,
            description=f"Pedido {order}",
            document_number=f"NF {order + 4000}",
            source=SourceRef("demo.order", str(order)),
        )
        titles += 1
        month_result = results.setdefault(issued.replace(day=1), {}).setdefault(center, [Decimal(0), Decimal(0)])
        month_result[0] += amount(total * Decimal(rng.randint(52, 64)) / 100)  # the cost of the goods sold
        month_result[1] += amount(total * Decimal("0.06"))  # the Simples Nacional on the sale
        for inst in title.installments.order_by("number"):
            if inst.due_date >= today - timedelta(days=2):
                continue
            luck = rng.random()
            if luck < 0.08:
                continue  # still open: the collections list has work
            account = bb if center == "ONLINE" else rng.choice([bb, itau, cash])
            if luck < 0.15:  # paid late with interest
                on = min(inst.due_date + timedelta(days=rng.randint(3, 20)), today)
                services.settle(
                    inst.pk,
                    actor=actor,
                    on=on,
                    account_id=account.pk,
                    interest=amount(inst.amount * Decimal("0.01")),
                )
            elif luck < 0.2:  # paid in part
                services.settle(
                    inst.pk, actor=actor, on=inst.due_date, account_id=account.pk, paid=amount(inst.amount / 2)
                )
            elif luck < 0.23 and inst.amount > 1000:  # a company customer withholding taxes
                services.settle(
                    inst.pk,
                    actor=actor,
                    on=inst.due_date,
                    account_id=account.pk,
                    withholdings=[Withholding("irrf", amount(inst.amount * Decimal("0.015")))],
                )
            else:
                discount = amount(inst.amount * Decimal("0.02")) if luck > 0.9 else None
                services.settle(inst.pk, actor=actor, on=inst.due_date, account_id=account.pk, discount=discount)
    for month, by_center in results.items():
        last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        services.post_result(
            actor=actor,
            on=min(last_day, today),
            source=SourceRef("demo.month_result", f"{month:%Y-%m}"),
            lines=[
                line
                for center, (cost, taxes) in sorted(by_center.items())
                for line in (
                    ResultLine("cmv", cost, centers[center].pk),
                    ResultLine("sales_taxes", taxes, centers[center].pk),
                )
            ],
            description=f"CMV e impostos sobre vendas de {month:%m/%Y}",
        )

    # Merchandise bought every month in two installments, paid from the bank.
    month = start
    while month <= today:
        if suppliers:
            issued = month.replace(day=8)
            if issued <= today:
                total = _money(rng, 4000, 9000)
                title = services.create_title(
                    actor=actor,
                    kind=TitleKind.PAYABLE,
                    category_role="purchases",
                    party_id=rng.choice(suppliers).pk,
                    installments=services.split_installments(total, 2, issued + timedelta(days=30)),
                    issue_date=issued,
                    description="Compra de mercadorias",
                    document_number=f"NF {rng.randint(10000, 99999)}",
                )
                titles += 1
                for inst in title.installments.all():
                    if inst.due_date < today:
                        services.settle(inst.pk, actor=actor, on=inst.due_date, account_id=bb.pk)
        # The month's bank fees, and the cash box emptied into the bank.
        fee_day = month.replace(day=28) if month.replace(day=28) <= today else None
        if fee_day:
            services.record_direct(
                actor=actor,
                account_id=bb.pk,
                category_id=role["bank_fees"].pk,
                amount=Decimal("89.90"),
                on=fee_day,
                memo="Tarifa pacote de serviços",
            )
            services.record_direct(
                actor=actor,
                account_id=itau.pk,
                category_id=role["bank_fees"].pk,
                amount=Decimal("54.50"),
                on=fee_day,
                memo="Tarifa mensal",
            )
            cash.refresh_from_db()
            if cash.balance > 2000:
                services.transfer(
                    actor=actor,
                    from_account_id=cash.pk,
                    to_account_id=bb.pk,
                    amount=amount(cash.balance - 1500),
                    on=fee_day,
                    memo="Depósito do caixa",
                )
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)

    # A few contacts about overdue customers.
    overdue = Installment.objects.filter(
        company=company, kind=TitleKind.RECEIVABLE, amount_open__gt=0, due_date__lt=today - timedelta(days=10)
    )
    for n, inst in enumerate(overdue.order_by("due_date")[:6]):
        services.add_note(inst.title_id, actor=actor, text="Cliente avisado por telefone; pediu segunda via do boleto.")
        if n % 2 == 0:
            services.add_note(
                inst.title_id,
                actor=actor,
                kind="promise",
                promised_date=today + timedelta(days=n + 3),
                promised_amount=inst.amount_open,
            )

    # The last month's statements of both banks, waiting to be reconciled.
    for account in (bb, itau):
        account.refresh_from_db()
        services.import_statement(
            actor=actor,
            data=statement_ofx(account, today),
            file_name=f"extrato-{account.name.lower().replace(' ', '-')}.ofx",
        )
    return titles


def statement_ofx(account: CashAccount, today: date) -> bytes:
    """The bank's side of the last 30 days of `account`: its entries as the bank would list them, plus
    a fee nobody recorded yet; latin-1 SGML with decimal commas, as Brazilian banks send it."""
    since = today - timedelta(days=30)
    entries = (
        FinancialEntry.objects.filter(account=account, date__gte=since, date__lte=today)
        .exclude(cash_delta=0)
        .select_related("party")
    )
    lines = []
    for e in entries.order_by("date", "id"):
        memo = (
            f"PIX {'RECEBIDO' if e.cash_delta > 0 else 'ENVIADO'} {e.party.legal_name.upper()}"
            if e.party
            else (e.memo or e.get_kind_display()).upper()
        )
        lines.append((e.date, e.cash_delta, f"{e.pk:08d}", memo[:60]))
    lines.append((today - timedelta(days=1), Decimal("-12.40"), "TAR" + today.strftime("%Y%m%d"), "TARIFA PIX ENVIADO"))
    body = "".join(
        f"<STMTTRN><TRNTYPE>{'CREDIT' if value > 0 else 'DEBIT'}<DTPOSTED>{day:%Y%m%d}100000[-3:BRT]"
        f"<TRNAMT>{str(value).replace('.', ',')}<FITID>{fitid}<MEMO>{memo}</STMTTRN>\n"
        for day, value, fitid, memo in lines
    )
    bank = account.bank.compe if account.bank_id else ""
    ofx = (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\n"
        "OLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX>\n<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
        f"<DTSERVER>{today:%Y%m%d}080000[-3:BRT]<LANGUAGE>POR</SONRS></SIGNONMSGSRSV1>\n"
        "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
        f"<STMTRS><CURDEF>BRL<BANKACCTFROM><BANKID>{bank}<BRANCHID>{account.branch}<ACCTID>{account.number}<ACCTTYPE>CHECKING</BANKACCTFROM>\n"
        f"<BANKTRANLIST><DTSTART>{since:%Y%m%d}<DTEND>{today:%Y%m%d}\n{body}</BANKTRANLIST>\n"
        f"<LEDGERBAL><BALAMT>{str(account.balance - Decimal('12.40')).replace('.', ',')}<DTASOF>{today:%Y%m%d}</LEDGERBAL>\n"
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n"
    )
    return ofx.encode("cp1252", errors="replace")
