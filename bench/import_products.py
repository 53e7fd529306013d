"""Time `retaguarda import products` on 10,000 rows against a fresh SQLite database (goal: under 60 s).

    RETAGUARDA_DATA_DIR=/tmp/bench-import .venv/bin/python bench/import_products.py [ROWS]

Creates the data folder's database if needed, a company, and a CSV of ROWS products (Brazilian
Excel style: `;`, decimal commas, CEST on half of them, GTIN-13 with a 789 prefix), then imports it
twice: once as new products, once again as an update of every row. Prints both timings.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retaguarda.config.settings")
os.environ.setdefault("RETAGUARDA_DATA_DIR", tempfile.mkdtemp(prefix="bench-import-"))

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from retaguarda.companies.models import Company  # noqa: E402
from retaguarda.core import tabular  # noqa: E402
from retaguarda.core.actor import Actor, Origin  # noqa: E402
from retaguarda.core.validators import gtin_check_digit  # noqa: E402

NCMS = [("39241000", "1400600"), ("70133700", "1400200"), ("61091000", ""), ("48202000", "1902100")]


def build_csv(path: Path, rows: int, price_shift: int = 0) -> None:
    lines = ["sku;nome;gtin;ncm;cest;origem;unidade;custo;preco;peso_bruto;categoria"]
    for i in range(1, rows + 1):
        body = f"789{i:09d}"
        ncm, cest = NCMS[i % len(NCMS)]
        lines.append(
            f"B{i:06d};Produto de teste {i};{body + gtin_check_digit(body)};{ncm};{cest if i % 2 else ''};0;UN;"
            f"{i % 500},{i % 100:02d};{i % 900 + price_shift},90;0,{i % 1000:03d};Categoria {i % 12}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    call_command("migrate", verbosity=0)
    from retaguarda.core.validators import complete_cnpj

    company = Company.objects.filter(trade_name="Bench Import").first()
    if company is None:
        from retaguarda.companies import services

        company = services.create_company(
            actor=Actor(None, Origin.CLI),
            legal_name="Bench Import Ltda",
            trade_name="Bench Import",
            cnpj=complete_cnpj(f"{time.time_ns() % 10**8:08d}0001"),
            state_registration="ISENTO",
            tax_regime=1,
            postal_code="01310100",
            street="Av. Paulista",
            number="1",
            district="Bela Vista",
            municipality_id="3550308",
        )
    actor = Actor(None, Origin.CLI, company.pk)
    folder = Path(os.environ["RETAGUARDA_DATA_DIR"])
    for label, shift in (("create", 0), ("update", 1)):
        path = folder / f"products-{label}.csv"
        build_csv(path, rows, shift)
        started = time.perf_counter()
        report = tabular.run_import("products", path, actor=actor)
        elapsed = time.perf_counter() - started
        assert report.ok and report.saved == rows, report.errors[:5]
        print(f"{label}: {rows} products in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
