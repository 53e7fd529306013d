"""purchasing: a 1,000-line receipt with landed cost through the API (create, then post: stock in, payable),
and a 500-item supplier NF-e imported through the API (upload answering the preview: parse, schema, keep,
match, compare), each beside a floor measured in the same run.

Floors: for the receipt, the stock ledger part written as one hand-written SQL batch (`receipt.post_by_hand`:
the inserts and updates any posting of 1,000 lines must make); for the NF-e, parsing the same bytes and
validating them against the same compiled schema (the work no import can skip). The app's figures are HTTP
round trips on the real server (JSON or multipart in, JSON out); the in-process service calls are timed too,
with their query counts."""

import http.client
import json
import statistics
import time
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import apps
from bench.registry import NOT_LANDED, Figure, Outcome, scenario
from bench.scenarios.receipt import post_by_hand, receipt_lines

RECEIPT_TARGET = "< 1 s (PostgreSQL)"
IMPORT_TARGET = "< 1 s"
NOTE_ITEMS = 500
EMITTER = "75335849000115"  # the sample note's supplier
BASE = "/api/v1/purchasing"


def _ready() -> bool:
    return apps.inventory_ready() and apps._has("retaguarda.purchasing.nfe.services", "upload_and_preview")


def _buyer(ctx):
    """A Compras user's token, the supplier of the sample note and its 500 codes remembered."""
    from retaguarda.access import services as access
    from retaguarda.access.models import User
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.parties import services as parties
    from retaguarda.parties.models import Party
    from retaguarda.purchasing.models import SupplierProduct

    company = ctx.dataset.company
    user = User.objects.filter(username="bench-compras").first() or access.create_user(
        "bench-compras",
        ctx.dataset.password,
        actor=Actor(None, Origin.CLI, company.pk),
        departments=["purchasing"],
        companies=[company],
    )
    actor = Actor(user, Origin.API, company.pk)
    _t, token = access.issue_token(user, "bench-purchasing", actor=actor)
    supplier = Party.objects.filter(company=company, document=EMITTER).first() or parties.create_party(
        actor=actor, kind="company", document=EMITTER, legal_name="Fornecedor de Bancada Ltda", is_supplier=True
    )
    products = ctx.dataset.products
    SupplierProduct.objects.bulk_create(
        [
            SupplierProduct(
                company=company,
                supplier=supplier,
                supplier_code=f"B{n}",
                product_id=products[n % len(products)],
                unit="UN",
            )
            for n in range(1, NOTE_ITEMS + 1)
        ],
        ignore_conflicts=True,
    )
    return actor, supplier, token


def _call(server, method, path, token, body: bytes, content_type: str) -> tuple[float, int, dict]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type, "Idempotency-Key": str(uuid.uuid4())}
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, resp.status, json.loads(data or b"{}")


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/xml\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def _receipt_body(ctx, supplier, lines, number) -> bytes:
    return json.dumps(
        {
            "supplier_id": supplier.pk,
            "warehouse_id": ctx.dataset.stock.warehouse_id,
            "invoice_number": str(number),
            "payment_terms": "30/60/90",
            "freight": "150.00",
            "insurance": "12.00",
            "lines": [
                {"product_id": p, "quantity": str(q), "unit_cost": str(c), "ipi": "1.00", "discount": "0.10"}
                for p, q, c in lines
            ],
        }
    ).encode()


def _receipts(ctx, actor, supplier, token, rounds) -> tuple[list[Figure], int]:
    from retaguarda.purchasing import services

    server = ctx.app_server()
    products, errors = ctx.dataset.products, 0
    api, created, posted, floor = [], [], [], []
    for n in range(4):  # untimed: each worker loads the URL conf and builds the API's schemas once
        warm = receipt_lines(ctx.seed, products, 900 + n)[:10]
        _s, status, receipt = _call(
            server, "POST", f"{BASE}/receipts", token, _receipt_body(ctx, supplier, warm, 0), "application/json"
        )
        _call(server, "POST", f"{BASE}/receipts/{receipt.get('id')}/post", token, b"", "application/json")
        errors += status != 201
    for n in range(1, rounds + 1):
        lines = receipt_lines(ctx.seed, products, 1000 + n)
        create_s, status, receipt = _call(
            server, "POST", f"{BASE}/receipts", token, _receipt_body(ctx, supplier, lines, n), "application/json"
        )
        errors += status != 201
        post_s, status, done = _call(
            server, "POST", f"{BASE}/receipts/{receipt.get('id')}/post", token, b"", "application/json"
        )
        errors += status != 200 or done.get("state") != "posted" or len(done.get("lines", ())) != len(lines)
        api.append(create_s + post_s)
        created.append(create_s)
        posted.append(post_s)
        started = time.perf_counter()
        post_by_hand(ctx, 2000 + n, lines)
        floor.append(time.perf_counter() - started)

    # In process, for the query counts (and the time without HTTP and JSON).
    lines = receipt_lines(ctx.seed, products, 1999)
    data = services.ReceiptIn(
        supplier.pk,
        ctx.dataset.stock.warehouse_id,
        [services.ReceiptLineIn(p, q, c, ipi=_d("1.00"), discount=_d("0.10")) for p, q, c in lines],
        charges=services.Charges(freight=_d("150.00"), insurance=_d("12.00")),
        payment_terms="30/60/90",
    )
    with CaptureQueriesContext(connection) as create_q:
        started = time.perf_counter()
        receipt = services.create_receipt(data, actor=actor)
        mid = time.perf_counter()
    with CaptureQueriesContext(connection) as post_q:
        services.post_receipt(receipt.pk, actor=actor)
        service_s = time.perf_counter() - started
    create_ms = (mid - started) * 1000
    ms = statistics.median(api) * 1000
    floor_ms = statistics.median(floor) * 1000
    ctx.log(
        f"  1,000-line receipt via API: {ms:,.0f} ms (create {statistics.median(created) * 1000:,.0f}, "
        f"post {statistics.median(posted) * 1000:,.0f}); in process {service_s * 1000:,.0f} ms "
        f"(create {create_ms:,.0f}); queries create {len(create_q)}, post {len(post_q)}; floor {floor_ms:,.0f} ms"
    )
    return [
        Figure(
            "1,000-line receipt with landed cost, API (create + post)",
            ms,
            "ms",
            floor=floor_ms,
            target=RECEIPT_TARGET,
            detail=f"median of {rounds}; create {statistics.median(created) * 1000:,.0f} ms, post "
            f"{statistics.median(posted) * 1000:,.0f} ms",
        ),
        Figure(
            "1,000-line receipt, services in process (create + post)",
            service_s * 1000,
            "ms",
            floor=floor_ms,
            detail=f"{len(create_q)} + {len(post_q)} queries",
        ),
    ], errors


def _imports(ctx, actor, token, rounds) -> tuple[list[Figure], int]:
    from retaguarda.core.xml_safe import parse_xml
    from retaguarda.fiscal.xml import schemas
    from retaguarda.purchasing.nfe.sample import supplier_note
    from retaguarda.purchasing.nfe.services import upload_and_preview

    server = ctx.app_server()
    recipient = ctx.dataset.company.cnpj
    api, service, floor, errors, queries = [], [], [], 0, 0
    for n in range(1, rounds + 1):
        key, xml = supplier_note(NOTE_ITEMS, number=910000 + n, recipient=recipient)
        body, content_type = _multipart(f"{key}-nfe.xml", xml)
        elapsed, status, answer = _call(server, "POST", f"{BASE}/nfe-imports", token, body, content_type)
        ok = status == 201 and answer and answer[0]["ready"] and len(answer[0]["lines"]) == NOTE_ITEMS
        errors += not ok
        api.append(elapsed)

        key, xml = supplier_note(NOTE_ITEMS, number=920000 + n, recipient=recipient)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            (preview,) = upload_and_preview([(f"{key}-nfe.xml", xml)], actor=actor)  # what the API route calls
            service.append(time.perf_counter() - started)
        queries = len(captured)
        errors += not preview.ready

        started = time.perf_counter()
        errors += bool(schemas.errors(parse_xml(xml), "procNFe_v4.00.xsd"))
        floor.append(time.perf_counter() - started)
    ms, service_ms, floor_ms = (statistics.median(x) * 1000 for x in (api, service, floor))
    ctx.log(
        f"  {NOTE_ITEMS}-item NF-e import via API: {ms:,.0f} ms; in process {service_ms:,.0f} ms ({queries} queries); "
        f"floor (parse + schema) {floor_ms:,.0f} ms"
    )
    return [
        Figure(
            f"{NOTE_ITEMS}-item supplier NF-e: upload + preview, API",
            ms,
            "ms",
            floor=floor_ms,
            target=IMPORT_TARGET,
            detail=f"median of {rounds}; every item matched by the supplier-code memory",
        ),
        Figure(
            f"{NOTE_ITEMS}-item supplier NF-e: upload + preview, services in process",
            service_ms,
            "ms",
            floor=floor_ms,
            detail=f"{queries} queries",
        ),
    ], errors


def _d(text):
    from decimal import Decimal

    return Decimal(text)


@scenario("purchasing", "a 1,000-line receipt via the API and a 500-item supplier NF-e import, beside floors")
def run(ctx) -> Outcome:
    if not _ready() or ctx.dataset.stock is None:
        return Outcome(status=NOT_LANDED, note="needs inventory and purchasing")
    rounds = 1 if ctx.quick else 3
    actor, supplier, token = _buyer(ctx)
    receipt_figures, receipt_errors = _receipts(ctx, actor, supplier, token, rounds)
    import_figures, import_errors = _imports(ctx, actor, token, rounds)
    return Outcome(figures=receipt_figures + import_figures, errors=receipt_errors + import_errors)
