"""Time one 1,000-line receipt through `inventory.services.post_moves()` (goal: under 1 s on PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inventory_bench .venv/bin/python bench/inventory_receipt.py [RUNS]

Migrates the database named in DATABASE_URL (created when missing on PostgreSQL; SQLite when unset,
in a temporary data folder), creates a company with 1,000 products and a warehouse, then posts RUNS
receipts of 1,000 lines (distinct products, random quantities and costs) and prints each timing,
the median and the query count of one posting. Every run after the first also recomputes average
costs over existing stock, which is the steady state.
"""

import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from random import Random

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retaguarda.config.settings")
os.environ.setdefault("RETAGUARDA_DATA_DIR", tempfile.mkdtemp(prefix="bench-receipt-"))

LINES = 1000


def ensure_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main(runs: int) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        ensure_postgres_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from retaguarda.br_tables.models import Ncm
    from retaguarda.catalog.models import Product
    from retaguarda.companies import services as companies
    from retaguarda.companies.models import Company, TaxRegime
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.inventory import services
    from retaguarda.inventory.models import LocationKind, Warehouse
    from retaguarda.inventory.services import MoveIn, Source

    call_command("migrate", verbosity=0)
    actor = Actor(None, Origin.CLI)
    company = Company.objects.filter(cnpj="11222333000181").first() or companies.create_company(
        actor=actor,
        legal_name="Bancada de Recebimento Ltda",
        cnpj="11222333000181",
        state_registration="ISENTO",
        tax_regime=TaxRegime.SIMPLES,
        postal_code="01310100",
        street="Avenida Paulista",
        number="1",
        district="Bela Vista",
        municipality_id="3550308",
    )
    actor = Actor(None, Origin.CLI, company.pk)
    ncm = Ncm.objects.order_by("code").first()
    existing = Product.objects.filter(company=company, sku__startswith="RCV-").count()
    Product.objects.bulk_create(
        [Product(company=company, sku=f"RCV-{i:05d}", name=f"Produto {i}", ncm=ncm) for i in range(existing, LINES)]
    )
    products = list(Product.objects.filter(company=company, sku__startswith="RCV-").values_list("pk", flat=True))
    warehouse = Warehouse.objects.filter(company=company, code="CD").first() or services.create_warehouse(
        actor=actor, company_id=company.pk, code="CD", name="Centro de Distribuição"
    )
    supplier = services.virtual_location(company.pk, LocationKind.SUPPLIER).pk
    stock = services.stock_location(warehouse).pk
    base = int(time.time())
    rng = Random(7)
    timings = []
    queries = 0
    for run in range(runs):
        moves = [
            MoveIn(
                product_id=pid,
                quantity=Decimal(rng.randint(1, 50)),
                from_location_id=supplier,
                to_location_id=stock,
                source=Source("bench.receipt", base * 100 + run, n),
                unit_cost=Decimal(rng.randint(100, 50_000)) / 100,
            )
            for n, pid in enumerate(rng.sample(products, LINES), start=1)
        ]
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            services.post_moves(moves, actor=actor)
            timings.append(time.perf_counter() - started)
        queries = len(ctx.captured_queries)
        print(f"run {run + 1}: {timings[-1] * 1000:.0f} ms, {queries} queries")
    print(f"{connection.vendor}: median {statistics.median(timings) * 1000:.0f} ms for a {LINES}-line receipt")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
