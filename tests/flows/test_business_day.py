"""A business day through the API only, as the apps hand work to each other (issue 18, first part).

Buy: a purchase request is approved, ordered, received; stock and average cost go up and a payable appears.
Sell: an online-store order arrives twice under one Idempotency-Key and is taken once; it is confirmed
(reserved), invoiced (NF-e authorized by the local fake SEFAZ over TLS), shipped; the reservation became a
stock issue at the average cost and a receivable appeared. A shop sale to a person is invoiced as NFC-e.
Get paid: the bank's OFX arrives and its two lines settle the receivable and the supplier's payable.
Close: check-ledgers is clean; the DRE's revenue is the authorized notes' total and its CMV the stock issues'
cost; the cash flow's realized balance is the statement's closing balance.

Setup (a company with fiscal settings and a test certificate, a product, a supplier, channels) goes
through the services; every step of the story goes through /api/v1.
"""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F, Sum
from django.utils import timezone

from retaguarda.br_tables.models import Bank
from retaguarda.core import outbox
from retaguarda.core.actor import Actor, Origin
from retaguarda.fiscal import services as fiscal
from retaguarda.fiscal.models import FiscalDocument, FiscalSettings
from retaguarda.fiscal.sefaz.fake import FakeSefaz
from retaguarda.inventory.models import StockMove
from retaguarda.sales.tests.conftest import cpf

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
API = "/api/v1"

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
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>{day}100000[-3:BRT]<TRNAMT>{received}<FITID>PIX{day}01<MEMO>PIX RECEBIDO ANA LIMA</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>{day}110000[-3:BRT]<TRNAMT>-{paid}<FITID>TED{day}02<MEMO>TED FORNECEDOR</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>{closing}<DTASOF>{day}</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""


def brl(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


@pytest.fixture
def fake(tmp_path, settings):
    settings.FAKE_SEFAZ_DIR = tmp_path / "fake-sefaz"
    settings.SEFAZ_TIMEOUT = 5
    with FakeSefaz(settings.FAKE_SEFAZ_DIR) as server:
        yield server


@pytest.fixture
def fiscal_ready(company, fake, admin_user):
    fiscal.seed_company(company, actor=Actor(admin_user, Origin.CLI, company.pk))
    FiscalSettings.objects.filter(company=company).update(uses_test_certificate=True, sefaz_url=fake.url)
    return company


class Client:
    """The API as an integrator calls it: JSON in, JSON out, the status checked at every step."""

    def __init__(self, api):
        self.api = api

    def post(self, path, body=None, *, status=200, key=None):
        headers = {"Idempotency-Key": key} if key else {}
        response = self.api.post(API + path, json.dumps(body or {}), content_type="application/json", headers=headers)
        assert response.status_code == status, (path, response.status_code, response.content)
        return response.json()

    def get(self, path, **params):
        response = self.api.get(API + path, params)
        assert response.status_code == 200, (path, response.content)
        return response.json()


def deliver_outbox():
    """What the worker does after each commit: deliver the events due (transmission, archive, invoicing)."""
    for _ in range(6):
        if not outbox.deliver_due():
            return


def test_buy_receive_sell_invoice_ship_get_paid_and_close_the_day(
    api, fiscal_ready, make_product, make_supplier, make_channel, warehouse, stock
):
    day = timezone.localdate()
    client = Client(api)
    product = make_product("CANECA-01")
    supplier = make_supplier(payment_terms="30")

    # -- Buy: request, approval, order, receipt. Stock and average cost go up; the payable appears.
    asked = client.post(
        "/purchasing/requests",
        {"reason": "Estoque baixo para a Black Friday", "lines": [{"product_id": product.pk, "quantity": "20"}]},
        status=201,
    )
    approved = client.post(f"/purchasing/requests/{asked['id']}/approve", {"note": "ok"})
    assert approved["state"] == "approved"
    order = client.post(
        "/purchasing/orders",
        {
            "supplier_id": supplier.pk,
            "warehouse_id": warehouse.pk,
            "freight": "20.00",
            "lines": [
                {
                    "product_id": product.pk,
                    "quantity": "20",
                    "unit_cost": "9.00",
                    "request_line_id": approved["lines"][0]["id"],
                }
            ],
        },
        status=201,
    )
    client.post(f"/purchasing/orders/{order['id']}/send")
    receipt = client.post(
        "/purchasing/receipts",
        {"supplier_id": supplier.pk, "warehouse_id": warehouse.pk, "order_ids": [order["id"]], "freight": "20.00"},
        status=201,
    )
    receipt = client.post(f"/purchasing/receipts/{receipt['id']}/post")
    assert receipt["state"] == "posted"
    assert stock.on_hand(product, warehouse) == 20
    unit_cost = D("10.00")  # (20 x 9.00 + 20.00 freight) / 20
    payable = client.get(f"/finance/titles/{receipt['title_id']}")
    assert payable["kind"] == "payable" and D(payable["amount"]) == D("200.00")

    # -- Sell online: the same order twice under one key is taken once; confirmed, it reserves.
    online = make_channel("SITE", kind="online_store")
    body = {
        "channel_id": online.pk,
        "external_id": "LOJA-1001",
        "customer": {
            "document": cpf(777001),
            "name": "Ana Lima",
            "email": "ana@example.com",
            "address": {
                "postal_code": "01310100",
                "street": "Avenida Paulista",
                "number": "1000",
                "district": "Bela Vista",
                "municipality_id": "3550308",
            },
        },
        "lines": [{"sku": product.sku, "quantity": "3", "unit_price": "29.90"}],
        "freight": "15.00",
    }
    first = client.post("/sales/orders?confirm=true", body, status=201, key="loja-1001")
    again = client.post("/sales/orders?confirm=true", body, status=201, key="loja-1001")
    assert again["id"] == first["id"] and first["state"] == "confirmed"
    assert len(client.get("/sales/orders", channel_id=online.pk)["items"]) == 1
    assert stock.reserved(product, warehouse) == 3

    # -- Invoice: the NF-e goes to the fake SEFAZ through the outbox and comes back authorized.
    client.post(f"/sales/orders/{first['id']}/invoice")
    deliver_outbox()
    sold = client.get(f"/sales/orders/{first['id']}")
    assert sold["state"] == "invoiced", sold
    nfe = FiscalDocument.objects.get(source_type="sales.order", source_id=first["id"])
    assert nfe.model == 55 and nfe.state == "authorized"
    client.post(f"/sales/orders/{first['id']}/ship", {"carrier": "Correios", "tracking_code": "BR123456789BR"})
    assert stock.on_hand(product, warehouse) == 17 and stock.reserved(product, warehouse) == 0

    # -- A shop sale to a person is an NFC-e.
    shop = make_channel("LOJA", kind="shop")
    counter = client.post(
        "/sales/orders?confirm=true",
        {
            "channel_id": shop.pk,
            "customer": {"document": cpf(777002), "name": "Bruno Souza"},
            "lines": [{"sku": product.sku, "quantity": "1", "unit_price": "29.90"}],
        },
        status=201,
        key="balcao-1",
    )
    client.post(f"/sales/orders/{counter['id']}/invoice")
    deliver_outbox()
    nfce = FiscalDocument.objects.get(source_type="sales.order", source_id=counter["id"])
    assert nfce.model == 65 and nfce.state == "authorized"

    # The reservations became stock issues at the average cost.
    issues = StockMove.objects.filter(source_type="sales.order")
    assert set(issues.values_list("unit_cost", flat=True)) == {unit_cost}
    issued_cost = issues.aggregate(v=Sum(F("quantity") * F("unit_cost")))["v"]
    assert D(issued_cost).quantize(D("0.01")) == D("40.00")

    # -- Get paid: the bank statement settles the online receivable and the supplier's payable.
    bank = client.post(
        "/finance/accounts",
        {
            "kind": "bank",
            "name": "Banco do Brasil",
            "bank_id": str(Bank.objects.get(compe="001").pk),
            "branch": "1234-5",
            "number": "45678-9",
            "opening_balance": "1000.00",
            "opening_date": str(day.replace(day=1)),
        },
        status=201,
    )
    receivable = client.get(f"/finance/titles/{sold['receivable_id']}")
    received = D(receivable["amount"])
    paid = D(payable["amount"])
    closing = D("1000.00") + received - paid
    upload = api.post(
        f"{API}/finance/statements?account_id={bank['id']}",
        {
            "file": _file(
                STATEMENT.format(day=f"{day:%Y%m%d}", received=brl(received), paid=brl(paid), closing=brl(closing))
            )
        },
    )
    assert upload.status_code == 201, upload.content
    lines = client.get("/finance/statement-lines", account_id=bank["id"])["items"]
    by_sign = {D(line["amount"]) > 0: line for line in lines}
    for line, title in ((by_sign[True], receivable), (by_sign[False], payable)):
        installment = title["installments"][0]
        done = client.post(
            f"/finance/statement-lines/{line['id']}/reconcile",
            {"settle": [{"installment_id": installment["id"], "amount": str(abs(D(line["amount"])))}]},
        )
        assert done["state"] == "reconciled"

    # -- Close the day: ledgers clean, the DRE and the cash flow agree with the documents and the bank.
    call_command("check_ledgers")  # exits 1 on any drift
    notes_total = FiscalDocument.objects.filter(state="authorized").aggregate(t=Sum("total"))["t"]
    dre = client.get("/finance/dre", basis="accrual", start=str(day.replace(day=1)), end=str(day))
    rows = {row["key"]: D(row["total"]) for row in dre["rows"]}
    assert rows["gross_revenue"] == notes_total
    assert abs(rows["cost_of_goods"]) == D("40.00")
    flow = client.get(
        "/finance/cashflow", account_id=bank["id"], granularity="month", start=str(day.replace(day=1)), end=str(day)
    )
    assert D(flow["closing_balance"]) == closing


def _file(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("extrato.ofx", text.encode("cp1252"), content_type="application/x-ofx")
