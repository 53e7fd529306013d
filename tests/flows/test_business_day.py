"""A business day through the API only, as the apps hand work to each other (issue 18).

Buy: a purchase request is approved and ordered; the supplier's NF-e XML (nfelib's installed sample,
addressed to our company and dated today) is imported, matched to the order and posted: stock and average
cost go up and a payable appears with the XML's installments.
Sell: an online-store order arrives twice under one Idempotency-Key and is taken once; it is confirmed
(reserved), invoiced (NF-e authorized by the local fake SEFAZ over TLS), shipped; the reservation became a
stock issue at the average cost and a receivable appeared. A shop sale to a person is invoiced as NFC-e.
Late: an order promised for yesterday is still waiting; the watch opens an occurrence owned by Logística,
which its user sees and takes; once the order ships, the next run resolves it.
Get paid: the bank's OFX arrives and its two lines settle the receivable and the supplier's payable.
Return: the customer sends one item back: return NF-e, the item back in stock at its cost, a credit.
Close: check-ledgers is clean; the DRE's revenue is the authorized notes' total less the return and its CMV
the stock issues' cost less what came back; the cash flow's realized balance is the statement's closing
balance.

Setup (a company with fiscal settings and a test certificate, products, the supplier, channels, a Logística
user) goes through the services; every step of the story goes through /api/v1.
"""

import json
from datetime import timedelta
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
from retaguarda.purchasing.demo import SAMPLE
from retaguarda.sales.tests.conftest import cpf

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
API = "/api/v1"
SUPPLIER_NOTE = "26180875335849000115550010000016871192213331-nfe.xml"  # nfelib's sample: 3 items, 2 installments
SUPPLIER_KEY = "26180875335849000115550010000016871192213331"
SUPPLIER_CNPJ = "75335849000115"

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

    def upload(self, path, field, name, data: bytes, *, status=201):
        """A multipart upload, as a browser or an integrator sends a file."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = self.api.post(API + path, {field: SimpleUploadedFile(name, data)})
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


def supplier_note(company, day) -> bytes:
    """nfelib's medical sample as our supplier would send it today: to our CNPJ, issued today, its two
    installments 30 and 60 days ahead (the items and totals as they are)."""
    xml = (SAMPLE / SUPPLIER_NOTE).read_text(encoding="utf-8")
    xml = xml.replace("<CNPJ>37148260000119</CNPJ>", f"<CNPJ>{company.cnpj}</CNPJ>")
    xml = xml.replace("2018-08-16T", f"{day:%Y-%m-%d}T")
    xml = xml.replace("2018-09-25", str(day + timedelta(days=30))).replace("2018-11-04", str(day + timedelta(days=60)))
    return xml.encode("utf-8")


def test_buy_receive_sell_invoice_ship_watch_get_paid_return_and_close_the_day(
    api, api_client_for, make_user, fiscal_ready, make_product, make_supplier, make_channel, warehouse, stock
):
    day = timezone.localdate()
    client = Client(api)
    spacer_a = make_product("ESPACADOR-880945")
    spacer_b = make_product("ESPACADOR-880930")
    cement = make_product("CIMENTO-40G", name="Cimento acrílico 40 g")
    supplier = make_supplier(cnpj=SUPPLIER_CNPJ, name="Teste Produtos Médicos Ltda")

    # -- Buy: request, approval, order to the supplier.
    asked = client.post(
        "/purchasing/requests",
        {"reason": "Estoque baixo para a Black Friday", "lines": [{"product_id": cement.pk, "quantity": "4"}]},
        status=201,
    )
    approved = client.post(f"/purchasing/requests/{asked['id']}/approve", {"note": "ok"})
    assert approved["state"] == "approved"
    order = client.post(
        "/purchasing/orders",
        {
            "supplier_id": supplier.pk,
            "warehouse_id": warehouse.pk,
            "lines": [
                {"product_id": spacer_a.pk, "quantity": "1", "unit_cost": "2490.00"},
                {"product_id": spacer_b.pk, "quantity": "1", "unit_cost": "2490.00"},
                {
                    "product_id": cement.pk,
                    "quantity": "4",
                    "unit_cost": "200.00",
                    "request_line_id": approved["lines"][0]["id"],
                },
            ],
        },
        status=201,
    )
    client.post(f"/purchasing/orders/{order['id']}/send")

    # -- The supplier's NF-e XML arrives: its items are matched (the first note of this supplier: the buyer
    # answers which product each code is), each line finds the open order, and it is posted.
    (preview,) = client.upload(
        "/purchasing/nfe-imports", "files", f"{SUPPLIER_KEY}-nfe.xml", supplier_note(fiscal_ready, day)
    )
    assert preview["supplier_id"] == supplier.pk and not preview["ready"]
    answers = [{"item": n, "product_id": p.pk} for n, p in ((1, spacer_a), (2, spacer_b), (3, cement))]
    receipt = client.post(
        f"/purchasing/nfe-imports/{preview['id']}/confirm", {"warehouse_id": warehouse.pk, "answers": answers}
    )
    assert receipt["state"] == "posted" and D(receipt["total"]) == D("5780.00")
    assert client.get(f"/purchasing/orders/{order['id']}")["state"] == "received"
    assert client.get(f"/purchasing/requests/{asked['id']}")["state"] == "ordered"
    unit_cost = D("200.00")  # the XML's vUnCom; no freight, no recoverable tax
    (balance,) = client.get("/inventory/balances", product_id=cement.pk)["items"]
    assert D(balance["on_hand"]) == 4 and D(balance["average_cost"]) == unit_cost  # both up from nothing
    payable = client.get(f"/finance/titles/{receipt['title_id']}")
    assert payable["kind"] == "payable" and D(payable["amount"]) == D("5780.00")
    assert [(i["due_date"], D(i["amount"])) for i in payable["installments"]] == [
        (str(day + timedelta(days=30)), D("2890.00")),
        (str(day + timedelta(days=60)), D("2890.00")),
    ]

    # -- Sell online: the same order twice under one key is taken once; confirmed, it reserves.
    online = make_channel("SITE", kind="online_store")
    body = {
        "channel_id": online.pk,
        "external_id": "LOJA-1001",
        "customer": customer("Ana Lima", 777001),
        "lines": [{"sku": cement.sku, "quantity": "2", "unit_price": "350.00"}],
        "freight": "15.00",
    }
    first = client.post("/sales/orders?confirm=true", body, status=201, key="loja-1001")
    again = client.post("/sales/orders?confirm=true", body, status=201, key="loja-1001")
    assert again["id"] == first["id"] and first["state"] == "confirmed"
    assert len(client.get("/sales/orders", channel_id=online.pk)["items"]) == 1
    assert stock.reserved(cement, warehouse) == 2

    # -- Invoice: the NF-e goes to the fake SEFAZ through the outbox and comes back authorized.
    sold = invoice(client, first["id"])
    nfe = FiscalDocument.objects.get(source_type="sales.order", source_id=first["id"])
    assert nfe.model == 55 and nfe.state == "authorized"
    client.post(f"/sales/orders/{first['id']}/ship", {"carrier": "Correios", "tracking_code": "BR123456789BR"})
    assert stock.on_hand(cement, warehouse) == 2 and stock.reserved(cement, warehouse) == 0

    # -- A shop sale to a person is an NFC-e.
    shop = make_channel("LOJA", kind="shop")
    counter = client.post(
        "/sales/orders?confirm=true",
        {
            "channel_id": shop.pk,
            "customer": {"document": cpf(777002), "name": "Bruno Souza"},
            "lines": [{"sku": cement.sku, "quantity": "1", "unit_price": "350.00"}],
        },
        status=201,
        key="balcao-1",
    )
    invoice(client, counter["id"])
    nfce = FiscalDocument.objects.get(source_type="sales.order", source_id=counter["id"])
    assert nfce.model == 65 and nfce.state == "authorized"

    # -- Late: an order promised for yesterday still waits; the watch opens it for Logística.
    late = client.post(
        "/sales/orders?confirm=true",
        {
            "channel_id": online.pk,
            "external_id": "LOJA-1002",
            "customer": customer("Carla Dias", 777003),
            "order_date": str(day - timedelta(days=2)),
            "promised_ship_date": str(day - timedelta(days=1)),
            "lines": [{"sku": cement.sku, "quantity": "1", "unit_price": "350.00"}],
        },
        status=201,
        key="loja-1002",
    )
    client.post("/watch/run")
    logistics = Client(api_client_for(make_user("logistics")))
    (occurrence,) = logistics.get("/watch/occurrences", rule="sales.order_late")["items"]
    assert occurrence["department"] == "logistics" and occurrence["subject_id"] == str(late["id"])
    logistics.post(f"/watch/occurrences/{occurrence['id']}/start")
    invoice(client, late["id"])
    client.post(f"/sales/orders/{late['id']}/ship", {"carrier": "Correios", "tracking_code": "BR123456790BR"})
    client.post("/watch/run")
    assert logistics.get(f"/watch/occurrences/{occurrence['id']}")["state"] == "resolved"
    assert stock.on_hand(cement, warehouse) == 0

    # The reservations became stock issues at the average cost.
    issues = StockMove.objects.filter(source_type="sales.order", product=cement)
    assert set(issues.values_list("unit_cost", flat=True)) == {unit_cost}
    assert cost_of(issues) == D("800.00")  # 4 x 200.00

    # -- Get paid: the bank statement settles the online receivable and the supplier's first installment.
    bank = client.post(
        "/finance/accounts",
        {
            "kind": "bank",
            "name": "Banco do Brasil",
            "bank_id": str(Bank.objects.get(compe="001").pk),
            "branch": "1234-5",
            "number": "45678-9",
            "opening_balance": "10000.00",
            "opening_date": str(day - timedelta(days=40)),
        },
        status=201,
    )
    receivable = client.get(f"/finance/titles/{sold['receivable_id']}")
    received = D(receivable["amount"])
    assert received == D("715.00")  # 2 x 350.00 + 15.00 freight
    paid = D(payable["installments"][0]["amount"])
    closing = D("10000.00") + received - paid
    statement = STATEMENT.format(day=f"{day:%Y%m%d}", received=brl(received), paid=brl(paid), closing=brl(closing))
    client.upload(f"/finance/statements?account_id={bank['id']}", "file", "extrato.ofx", statement.encode("cp1252"))
    lines = client.get("/finance/statement-lines", account_id=bank["id"])["items"]
    by_sign = {D(line["amount"]) > 0: line for line in lines}
    for line, title in ((by_sign[True], receivable), (by_sign[False], payable)):
        installment = title["installments"][0]
        done = client.post(
            f"/finance/statement-lines/{line['id']}/reconcile",
            {"settle": [{"installment_id": installment["id"], "amount": str(abs(D(line["amount"])))}]},
        )
        assert done["state"] == "reconciled"

    # -- Return: Ana sends one item back. The return NF-e is authorized, the item is back in stock at the
    # cost it left with, and she is credited (her receivable was paid: the credit is a refund due).
    returned = client.post(
        f"/sales/orders/{first['id']}/returns",
        {"lines": [{"line": 1, "quantity": "1"}], "reason": "Embalagem danificada"},
        status=201,
        key="devolucao-1",
    )
    deliver_outbox()
    returned = client.get(f"/sales/returns/{returned['id']}")
    assert returned["state"] == "completed", returned
    assert D(returned["total"]) == D("357.50")  # 350.00 + half the freight
    assert D(returned["cost"]) == unit_cost and returned["refund_id"]
    back = FiscalDocument.objects.get(source_type="sales.return", source_id=returned["id"])
    assert back.state == "authorized" and back.total == D("357.50")
    assert stock.on_hand(cement, warehouse) == 1
    refund = client.get(f"/finance/titles/{returned['refund_id']}")
    assert D(refund["amount"]) == D("357.50")

    # -- Close the day: ledgers clean, the DRE and the cash flow agree with the documents and the bank.
    call_command("check_ledgers")  # exits 1 on any drift
    sold_total = notes_total("sales.order")
    assert sold_total == D("715.00") + D("350.00") + D("350.00")
    start = str(day - timedelta(days=40))
    dre = client.get("/finance/dre", basis="accrual", start=start, end=str(day))
    rows = {row["key"]: D(row["total"]) for row in dre["rows"]}
    assert rows["gross_revenue"] == sold_total
    assert rows["deductions"] == notes_total("sales.return") == D("357.50")
    assert rows["net_revenue"] == sold_total - notes_total("sales.return")
    came_back = StockMove.objects.filter(source_type="sales.return", product=cement)
    assert abs(rows["cost_of_goods"]) == cost_of(issues) - cost_of(came_back) == D("600.00")
    flow = client.get("/finance/cashflow", account_id=bank["id"], granularity="month", start=start, end=str(day))
    assert D(flow["closing_balance"]) == closing


def invoice(client, order_id: int) -> dict:
    client.post(f"/sales/orders/{order_id}/invoice")
    deliver_outbox()
    order = client.get(f"/sales/orders/{order_id}")
    assert order["state"] == "invoiced", order
    return order


def customer(name: str, n: int) -> dict:
    return {
        "document": cpf(n),
        "name": name,
        "email": f"{name.split()[0].lower()}@example.com",
        "address": {
            "postal_code": "01310100",
            "street": "Avenida Paulista",
            "number": "1000",
            "district": "Bela Vista",
            "municipality_id": "3550308",
        },
    }


def notes_total(source_type: str) -> Decimal:
    notes = FiscalDocument.objects.filter(source_type=source_type, state="authorized")
    return notes.aggregate(t=Sum("total"))["t"]


def cost_of(moves) -> Decimal:
    return D(moves.aggregate(v=Sum(F("quantity") * F("unit_cost")))["v"]).quantize(D("0.01"))
