"""sefaz: 1,000 notes authorized against the local fake SEFAZ (a separate process, mutual TLS, schema
and signature checked as SEFAZ does), one after another as the outbox worker sends them: notes per
second and the p50/p99 of one authorization, beside a floor. Then 1,000 more in asynchronous batches of
50 (enviNFe with indSinc=0, then the receipt query): notes per second and the p50/p99 of one batch.

Floor: the same authorization request (the signed note in its SOAP envelope) posted by `requests` over
one kept-alive mutual-TLS connection to the same fake, its answer's cStat read: the conversation with
none of our layers (no claim, no lease, no exchange rows, no nfeProc, no outbox event).
"""

import os
import socket
import subprocess
import sys
import time
from decimal import Decimal

from bench.registry import NOT_LANDED, Figure, Outcome, scenario
from bench.stats import percentile


def _ready() -> bool:
    try:
        import retaguarda.fiscal.sefaz.fake  # noqa: F401
    except ImportError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_fake(ctx, port: int) -> subprocess.Popen:
    log = open(ctx.log_dir / "fake-sefaz.log", "w")  # noqa: SIM115 - kept open for the process's life
    process = subprocess.Popen(
        [sys.executable, "-m", "retaguarda.config.cli", "fake-sefaz", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 300  # Django starting on a loaded 2-core machine
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"fake-sefaz exited with {process.returncode}; see {log.name}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("fake-sefaz did not start within 300 s")


def _notes(ctx, actor, customer, count: int) -> list[int]:
    from retaguarda.fiscal import services
    from retaguarda.fiscal.services import DocumentIn, ItemIn

    products = ctx.dataset.products
    ids = []
    for n in range(count):
        items = (
            ItemIn(products[n % len(products)], Decimal(1), Decimal("19.90")),
            ItemIn(products[(n + 7) % len(products)], Decimal(2), Decimal("5.50")),
        )
        draft = services.build_document(DocumentIn(recipient_id=customer.pk, items=items), actor=actor)
        ids.append(services.issue_document(draft.pk, actor=actor).pk)
    return ids


def _floor(url: str, company, ids: list[int]) -> list[float]:
    """Raw SOAP posts of signed notes over one kept-alive mutual-TLS session; seconds per answer."""
    import requests
    from lxml import etree

    from retaguarda.fiscal import certificates
    from retaguarda.fiscal.models import FiscalDocument
    from retaguarda.fiscal.sefaz.client import _TlsAdapter, tls_context

    certificate = certificates.test_certificate(company, for_fake_sefaz=True)
    ca_file = str(certificates.fake_sefaz_folder() / "ca.pem")
    session = requests.Session()
    session.mount("https://", _TlsAdapter(tls_context(certificate.pkcs12, certificate.password, ca_file)))
    session.verify = ca_file
    xmls = list(FiscalDocument.objects.filter(pk__in=ids).order_by("id").values_list("xml", flat=True))
    times = []
    for n, xml in enumerate(xmls):
        body = (
            '<soap12:Envelope xmlns:soap12="http://www.w3.org/2003/05/soap-envelope"><soap12:Body>'
            '<nfeDadosMsg xmlns="http://www.portalfiscal.inf.br/nfe/wsdl/NFeAutorizacao4">'
            f'<enviNFe xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00"><idLote>{n + 1}</idLote>'
            f"<indSinc>1</indSinc>{xml}</enviNFe></nfeDadosMsg></soap12:Body></soap12:Envelope>"
        )
        started = time.perf_counter()
        answer = session.post(
            f"{url}/ws/NFeAutorizacao4",
            data=body.encode(),
            headers={"Content-Type": "application/soap+xml; charset=utf-8"},
            timeout=30,
        )
        code = etree.fromstring(answer.content).findtext(".//{http://www.portalfiscal.inf.br/nfe}cStat")
        times.append(time.perf_counter() - started)
        if code not in ("100", "104"):
            raise RuntimeError(f"floor: the fake answered {code}")
    return times


@scenario("sefaz", "1,000 notes authorized against the fake SEFAZ: notes per second, p50/p99 of one authorization")
def run(ctx) -> Outcome:
    if not _ready() or ctx.dataset.company is None:
        return Outcome(status=NOT_LANDED, note="needs fiscal")
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.fiscal import services
    from retaguarda.fiscal.models import FiscalDocument, FiscalSettings
    from retaguarda.fiscal.services.transmission import MAX_BATCH
    from retaguarda.fiscal.states import DocumentState
    from retaguarda.parties.models import Party

    company = ctx.dataset.company
    actor = Actor(ctx.dataset.user, Origin.CLI, company.pk)
    services.seed_company(company, actor=actor)
    customer = Party.objects.filter(company=company, is_customer=True, addresses__isnull=False).order_by("id").first()
    if customer is None:
        return Outcome(status=NOT_LANDED, note="needs a customer with an address (parties)")
    count = 50 if ctx.quick else 1000
    floor_count = 20 if ctx.quick else 200
    port = _free_port()
    fake = _start_fake(ctx, port)
    try:
        url = f"https://127.0.0.1:{port}"
        FiscalSettings.objects.filter(company=company).update(
            uses_test_certificate=True, environment=2, sefaz_url=url, certificate_fingerprint=""
        )
        started = time.perf_counter()
        ids = _notes(ctx, actor, customer, 2 * count + floor_count)
        issue_s = time.perf_counter() - started
        ctx.log(f"  {2 * count + floor_count} notes built and issued in {issue_s:,.1f} s")
        floor_times = _floor(url, company, ids[2 * count :])
        latencies, errors = [], 0
        started = time.perf_counter()
        for document_id in ids[:count]:
            one = time.perf_counter()
            document = services.transmit(document_id)
            latencies.append(time.perf_counter() - one)
            if document is None or document.state != DocumentState.AUTHORIZED:
                errors += 1
        wall = time.perf_counter() - started
        batch_times, batched = [], ids[count : 2 * count]
        started = time.perf_counter()
        for start in range(0, count, MAX_BATCH):
            one = time.perf_counter()
            services.transmit_batch(batched[start : start + MAX_BATCH])
            batch_times.append(time.perf_counter() - one)
        batch_wall = time.perf_counter() - started
        batch_errors = count - FiscalDocument.objects.filter(pk__in=batched, state=DocumentState.AUTHORIZED).count()
        errors += batch_errors
    finally:
        fake.terminate()
        fake.wait(timeout=30)
    rate = count / wall
    floor_rate = len(floor_times) / sum(floor_times)
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    f50, f99 = percentile(floor_times, 50) * 1000, percentile(floor_times, 99) * 1000
    ctx.log(f"  {count} authorizations: {rate:,.1f} notes/s, p50 {p50:,.0f} ms, p99 {p99:,.0f} ms; errors {errors}")
    ctx.log(f"  floor (raw SOAP, kept-alive TLS): {floor_rate:,.1f}/s, p50 {f50:,.0f} ms, p99 {f99:,.0f} ms")
    batch_rate = count / batch_wall
    b50, b99 = percentile(batch_times, 50) * 1000, percentile(batch_times, 99) * 1000
    ctx.log(
        f"  {count} in batches of {MAX_BATCH}: {batch_rate:,.1f} notes/s, one batch p50 {b50:,.0f} ms, "
        f"p99 {b99:,.0f} ms; errors {batch_errors}"
    )
    figures = [
        Figure(f"{count:,} notes authorized, one worker", rate, "notes/s", higher_is_better=True, floor=floor_rate,
               detail=f"{wall:,.1f} s"),
        Figure("one authorization, p50", p50, "ms", floor=f50),
        Figure("one authorization, p99", p99, "ms", floor=f99),
        Figure(f"{count:,} notes in batches of {MAX_BATCH} (indSinc=0 + receipt)", batch_rate, "notes/s",
               higher_is_better=True, detail=f"{batch_wall:,.1f} s"),
        Figure(f"one batch of {MAX_BATCH}, p50", b50, "ms"),
        Figure(f"one batch of {MAX_BATCH}, p99", b99, "ms"),
        Figure(f"build + issue {2 * count + floor_count:,} 2-item notes (not timed by the target)",
               (2 * count + floor_count) / issue_s, "notes/s", higher_is_better=True),
    ]  # fmt: skip
    details = {
        "notes": count,
        "notes_per_s": rate,
        "p50_ms": p50,
        "p99_ms": p99,
        "floor_per_s": floor_rate,
        "batch_notes_per_s": batch_rate,
        "batch_p50_ms": b50,
        "batch_p99_ms": b99,
    }
    return Outcome(figures=figures, errors=errors, details=details)
