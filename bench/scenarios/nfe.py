"""nfe: build + validate + sign a 10-item and a 990-item NF-e, the DANFE of 50 items, and one note issued
through the service (database included), each beside a floor measured in the same run.

Floors: for the XML, parsing the finished note, validating it against the same compiled schema and
one RSA-SHA1 signature over its canonical SignedInfo (the work no implementation can skip); for the
DANFE, fpdf2 writing the same number of text rows on A4 pages (the PDF library alone).
"""

import statistics
import time
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.registry import NOT_LANDED, Figure, Outcome, scenario

TARGETS = {10: "< 30 ms", 990: "< 1 s"}


def _ready() -> bool:
    try:
        import retaguarda.fiscal.services  # noqa: F401
    except ImportError:
        return False
    return True


def _setup(ctx):
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.fiscal import services
    from retaguarda.fiscal.models import FiscalSettings
    from retaguarda.parties.models import Party

    company = ctx.dataset.company
    actor = Actor(ctx.dataset.user, Origin.CLI, company.pk)
    services.seed_company(company, actor=actor)
    FiscalSettings.objects.filter(company=company).update(uses_test_certificate=True)
    customer = Party.objects.filter(company=company, is_customer=True, addresses__isnull=False).order_by("id").first()
    return actor, customer


def _input(ctx, customer, items: int):
    from retaguarda.fiscal.services import DocumentIn, ItemIn

    products = ctx.dataset.products
    return DocumentIn(
        recipient_id=customer.pk,
        items=tuple(
            ItemIn(products[n % len(products)], Decimal(1 + n % 5), Decimal("19.90") + n % 7) for n in range(items)
        ),
    )


def _prepared(ctx, actor, customer, items: int):
    """An unsaved document with its taxes, numbered and keyed as issuing would (no database writes)."""
    from retaguarda.fiscal import keys, services

    document, lines = services.preview(_input(ctx, customer, items), actor=actor)
    document.number, document.random_code = 1, "12345678"
    document.issued_at = timezone.now()
    document.key = str(
        keys.AccessKey(
            document.emitter_data["uf"], timezone.localdate(), document.emitter_data["cnpj"], 55, 1, 1, 1, "12345678"
        )
    )
    return document, lines


def _ours(document, lines, certificate) -> bytes:
    from lxml import etree

    from retaguarda.fiscal.xml import builder, schemas, signing

    signed = signing.sign(builder.build(document, lines), f"NFe{document.key}", certificate)
    assert schemas.errors(signed, "nfe_v4.00.xsd") == []
    return etree.tostring(signed)


def _floor(xml: bytes, certificate) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from lxml import etree

    from retaguarda.fiscal.xml import schemas

    root = etree.fromstring(xml)
    assert schemas.errors(root, "nfe_v4.00.xsd") == []
    signed_info = root.find(".//{http://www.w3.org/2000/09/xmldsig#}SignedInfo")
    certificate.key.sign(etree.tostring(signed_info, method="c14n"), padding.PKCS1v15(), hashes.SHA1())


def _time(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _pdf_floor(rows: int) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=7)
    for n in range(rows):
        pdf.cell(0, 4, f"{n:03d} PRODUTO DE TESTE {n} UN 1,0000 19,90 19,90 5102 0102", new_x="LMARGIN", new_y="NEXT")
    pdf.output()


@scenario("nfe", "build + validate + sign a 10- and a 990-item NF-e, DANFE of 50 items, one note issued end to end")
def run(ctx) -> Outcome:
    if not _ready() or ctx.dataset.company is None:
        return Outcome(status=NOT_LANDED, note="needs fiscal")
    from retaguarda.fiscal import certificates, danfe, services

    actor, customer = _setup(ctx)
    if customer is None:
        return Outcome(status=NOT_LANDED, note="needs a customer with an address (parties)")
    certificate = certificates.test_certificate(ctx.dataset.company)
    figures, details = [], {}
    for items, rounds in ((10, 5 if ctx.quick else 30), (990, 1 if ctx.quick else 5)):
        document, lines = _prepared(ctx, actor, customer, items)
        xml = _ours(document, lines, certificate)
        ours = _time(lambda d=document, ls=lines: _ours(d, ls, certificate), rounds)
        floor = _time(lambda x=xml: _floor(x, certificate), rounds)
        ctx.log(f"  {items}-item NF-e: build+validate+sign {ours:,.1f} ms; floor (parse+validate+RSA) {floor:,.1f} ms")
        figures.append(
            Figure(
                f"{items}-item NF-e: build + validate + sign",
                ours,
                "ms",
                floor=floor,
                target=TARGETS[items],
                detail=f"median of {rounds}",
            )
        )
        details[f"nfe_{items}_ms"] = ours
    document, lines = _prepared(ctx, actor, customer, 50)
    xml = _ours(document, lines, certificate)
    rounds = 1 if ctx.quick else 5
    pdf_ms = _time(lambda: danfe.render(document, xml), rounds)
    pdf_floor = _time(lambda: _pdf_floor(50), rounds)
    ctx.log(f"  DANFE of 50 items: {pdf_ms:,.0f} ms; floor (fpdf2, 50 rows) {pdf_floor:,.1f} ms")
    figures.append(
        Figure("DANFE of 50 items", pdf_ms, "ms", floor=pdf_floor, target="< 1 s", detail=f"median of {rounds}")
    )

    issue_times, queries = [], 0
    for _ in range(1 if ctx.quick else 10):
        draft = services.build_document(_input(ctx, customer, 10), actor=actor)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            services.issue_document(draft.pk, actor=actor, certificate=certificate)
            issue_times.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    issue_ms = statistics.median(issue_times) * 1000
    ctx.log(f"  issue_document (10 items, database included): {issue_ms:,.1f} ms, {queries} queries")
    figures.append(
        Figure(
            "issue a 10-item NF-e (number, taxes, XML, sign, archive row)", issue_ms, "ms", detail=f"{queries} queries"
        )
    )
    details.update({"danfe_50_ms": pdf_ms, "issue_10_ms": issue_ms, "issue_queries": queries})
    return Outcome(figures=figures, details=details)
