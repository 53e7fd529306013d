"""A receivable settled on its page, reconciled from an OFX line, then seen in the cash flow and the DRE."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from retaguarda.br_tables.models import Bank
from retaguarda.core.actor import Actor, Origin
from retaguarda.finance import services
from retaguarda.finance.services import InstallmentIn
from retaguarda.parties import services as parties

pytestmark = pytest.mark.browser

STATEMENT = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>{day}120000[-3:BRT]<LANGUAGE>POR</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>BRL<BANKACCTFROM><BANKID>001<BRANCHID>1234-5<ACCTID>45678-9<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>{day}<DTEND>{day}
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>{day}100000[-3:BRT]<TRNAMT>250,00<FITID>PIX{day}01<MEMO>PIX RECEBIDO PAPELARIA AURORA LTDA</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>1.250,00<DTASOF>{day}</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""


def test_settle_a_receivable_reconcile_it_from_ofx_and_see_it_in_cash_flow_and_dre(
    signed_in_page, live_server, company, admin_user
):
    actor = Actor(admin_user, Origin.CLI, company.pk)
    today = timezone.localdate()
    customer = parties.create_party(
        actor=actor,
        kind="company",
        document="11222333000181",
        legal_name="Papelaria Aurora Ltda",
        is_customer=True,
        addresses=[
            {
                "postal_code": "01310-100",
                "street": "Avenida Paulista",
                "number": "1000",
                "district": "Bela Vista",
                "municipality_id": "3550308",
            }
        ],
    )
    bank = services.create_account(
        actor=actor,
        kind="bank",
        name="Banco do Brasil",
        bank_id=Bank.objects.get(compe="001").pk,
        branch="1234-5",
        number="45678-9",
        opening_balance=Decimal("1000.00"),
        opening_date=today.replace(day=1) - timedelta(days=1),
    )
    title = services.create_title(
        actor=actor,
        kind="receivable",
        category_role="sales",
        party_id=customer.pk,
        installments=[InstallmentIn(today, Decimal("250.00"))],
        issue_date=today,
        description="Pedido 1001",
    )
    page = signed_in_page
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. Settle it on its page: everything open, into the bank, today.
    page.goto(f"{live_server.url}/financeiro/titulos/{title.pk}/")
    page.select_option("#id_account", str(bank.pk))
    page.locator("#settle-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/financeiro/titulos/{title.pk}/"), page.locator(".messages").all_inner_texts()
    expect(page.locator("h1 .badge")).to_have_text("Baixado")
    expect(page.locator("#title-open")).to_have_text("R$\u00a00,00")

    # 2. The bank's statement arrives: import it; the line suggests the settlement; confirm it.
    page.goto(f"{live_server.url}/financeiro/extratos/")
    page.set_input_files(
        "#id_file",
        {
            "name": "extrato.ofx",
            "mimeType": "application/x-ofx",
            "buffer": STATEMENT.format(day=f"{today:%Y%m%d}").encode("cp1252"),
        },
    )
    page.locator("form.card button[type=submit]").click()
    line = page.locator("#lines tr[data-line]")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("PIX RECEBIDO PAPELARIA AURORA")
    line.locator("button", has_text="Confirmar").first.click()
    page.goto(f"{live_server.url}/financeiro/conciliacao/?account={bank.pk}&state=reconciled")
    expect(page.locator("#lines tr[data-line] .badge")).to_have_text("Conciliada")

    # 3. The cash flow shows the money received this month, with its chart drawn from the packaged library.
    page.goto(
        f"{live_server.url}/financeiro/fluxo-de-caixa/?granularity=month&start={today:%Y-%m-01}&end={today:%Y-%m-%d}"
    )
    expect(page.locator("#cashflow-table tfoot th").nth(1)).to_have_text("R$\u00a0250,00")
    expect(page.locator("#closing-balance")).to_have_text("R$\u00a01.250,00")
    assert page.evaluate(
        "() => typeof window.Chart === 'function' && !!window.Chart.getChart(document.getElementById('cashflow-chart'))"
    )

    # 4. And the income statement, on both bases, shows the revenue.
    for basis in ("cash", "accrual"):
        page.goto(f"{live_server.url}/financeiro/dre/?basis={basis}&start={today:%Y-%m-01}&end={today:%Y-%m-%d}")
        expect(page.locator("#dre-table tr[data-key=gross_revenue] td").last).to_have_text("R$\u00a0250,00")
