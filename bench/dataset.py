"""The seeded dataset: pure generators (same seed and scale -> same rows) and the loaders that write them.

Scale 1 = 10,000 products, 2,000 customers, 1,000,000 stock moves (and, once those apps exist,
100,000 orders and 500,000 financial entries). Company and users go through the services; customers
too (2,000 calls with validation and audit). Products and moves use bulk paths: through the services
they would take longer than the whole run may (and the ledger's consistency is kept by construction:
balances are the sums of the generated moves, average costs the running weighted average).
"""

import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

FULL = {"products": 10_000, "customers": 2_000, "moves": 1_000_000, "orders": 100_000, "financial_entries": 500_000}
CATEGORIES = ["Utilidades", "Cozinha", "Banho", "Ferramentas", "Papelaria", "Eletrônicos", "Brinquedos", "Jardim"]
WORDS = [
    "Copo", "Prato", "Panela", "Toalha", "Martelo", "Caderno", "Cabo", "Lâmpada", "Vaso", "Balde",
    "Escova", "Faca", "Tesoura", "Pote", "Garrafa", "Chave", "Fita", "Bola", "Regador", "Cesto",
]  # fmt: skip
ADJECTIVES = ["Azul", "Grande", "Pequeno", "Inox", "Plástico", "Vidro", "Madeira", "Premium", "Econômico", "Duplo"]
FIRST_NAMES = [
    "Ana",
    "Bruno",
    "Carla",
    "Diego",
    "Elisa",
    "Fábio",
    "Gabriela",
    "Heitor",
    "Isabel",
    "João",
    "Larissa",
    "Marcos",
]
LAST_NAMES = ["Silva", "Souza", "Oliveira", "Santos", "Pereira", "Lima", "Carvalho", "Ferreira", "Almeida", "Costa"]
# Share of moves drawn from a Pareto tail (the best sellers): the busiest product gets about 5.6% of all
# moves (56,000 at scale 1, some 75 a day over two years), a typical one about 90.
SKEWED = 0.1
CENTS = Decimal("0.01")
QTY = Decimal("0.0001")
COST = Decimal("0.000001")


def counts(scale: float) -> dict[str, int]:
    """Row counts for a scale; never below a handful so tiny scales still exercise every path."""
    minimum = {"products": 20, "customers": 10, "moves": 200, "orders": 50, "financial_entries": 100}
    return {k: max(minimum[k], round(v * scale)) for k, v in FULL.items()}


def gtin13(body12: str) -> str:
    """GTIN-13 with its check digit (weights 1,3 from the left on 12 digits)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def cpf(body9: str) -> str:
    """CPF with its two check digits."""
    digits = body9
    for length in (9, 10):
        total = sum(int(d) * w for d, w in zip(digits, range(length + 1, 1, -1), strict=True))
        rest = total % 11
        digits += "0" if rest < 2 else str(11 - rest)
    return digits


def product_rows(seed: int, count: int) -> list[dict]:
    rng = random.Random(f"products-{seed}")
    rows = []
    for i in range(count):
        cost = Decimal(rng.randint(100, 50_000)) / 100
        rows.append(
            {
                "sku": f"BN-{i + 1:06d}",
                "name": f"{rng.choice(WORDS)} {rng.choice(ADJECTIVES)} {i + 1}",
                "gtin": gtin13(f"789{i + 1:09d}"),
                "cost": cost.quantize(COST),
                "price": (cost * Decimal(rng.randint(130, 250)) / 100).quantize(CENTS),
                "category": CATEGORIES[i % len(CATEGORIES)],
                "ncm_index": rng.randrange(1_000_000),  # picked modulo the NCM codes available
                "minimum_stock": Decimal(rng.choice([0, 0, 5, 10, 20])),
            }
        )
    return rows


def customer_rows(seed: int, count: int) -> list[dict]:
    rng = random.Random(f"customers-{seed}")
    rows = []
    for i in range(count):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)} {i + 1}"
        rows.append(
            {
                "document": cpf(f"{100_000_000 + i:09d}"),
                "legal_name": name,
                "email": f"cliente{i + 1}@example.com",
                "credit_limit": Decimal(rng.choice([0, 500, 1000, 5000])),
                "payment_terms": rng.choice(["", "30", "30/60", "30/60/90"]),
            }
        )
    return rows


@dataclass(frozen=True, slots=True)
class PlannedMove:
    product: int  # index into the product rows
    incoming: bool
    quantity: Decimal
    unit_cost: Decimal  # incoming: the purchase cost; outgoing: the average cost at that moment
    day: int  # days after the dataset's first day


class StockPlan:
    """A ledger that never goes negative: receipts at varying costs, issues up to what is on hand.

    Iterating yields the moves in date order (spread over `days`) without holding them all; afterwards
    `on_hand` and `average_cost` hold the final state per product index. Averages follow the
    weighted-average rule: an incoming move re-weights the cost, an outgoing one leaves at the average.
    """

    def __init__(self, seed: int, count: int, products: int, days: int = 730):
        self.seed, self.count, self.products, self.days = seed, count, products, days
        self.on_hand: dict[int, Decimal] = {}
        self.average_cost: dict[int, Decimal] = {}

    def __iter__(self):
        rng = random.Random(f"moves-{self.seed}")
        on_hand = self.on_hand = {}
        avg = self.average_cost = {}
        products, count = self.products, self.count
        for n in range(count):
            # A skewed pick: a few products move a lot, as in real shops.
            p = min(int(rng.paretovariate(1.2)) - 1, products - 1) if rng.random() < SKEWED else rng.randrange(products)
            day = n * self.days // count
            have = on_hand.get(p, Decimal(0))
            if have <= 0 or rng.random() < 0.45:
                qty = Decimal(rng.randint(5, 100))
                unit_cost = (Decimal(rng.randint(100, 50_000)) / 100).quantize(COST)
                old = avg.get(p, Decimal(0))
                avg[p] = ((have * old + qty * unit_cost) / (have + qty)).quantize(COST)
                on_hand[p] = have + qty
                yield PlannedMove(p, True, qty, unit_cost, day)
            else:
                qty = Decimal(rng.randint(1, max(1, min(int(have), 20))))
                on_hand[p] = have - qty
                yield PlannedMove(p, False, qty, avg[p], day)


# --- Loaders (need Django set up) ----------------------------------------------------------------


@dataclass
class Dataset:
    seed: int
    scale: float
    company: object = None
    user: object = None
    password: str = "bench-senha-forte-123"
    products: list = field(default_factory=list)  # product ids, in generator order
    customers: list = field(default_factory=list)
    stock: object = None  # the inventory adapter's summary, when inventory exists
    finance: object = None  # the finance seed's summary, when finance exists
    built: dict = field(default_factory=dict)  # entity -> {"rows": n, "seconds": s, "path": ...}
    missing: dict = field(default_factory=dict)  # entity -> why it was not built


def _timed(ds: Dataset, entity: str, path: str, fn):
    started = time.perf_counter()
    rows = fn()
    ds.built[entity] = {"rows": rows, "seconds": round(time.perf_counter() - started, 2), "path": path}


def build(seed: int, scale: float, log=print) -> Dataset:
    from bench import apps

    ds = Dataset(seed=seed, scale=scale)
    n = counts(scale)
    _timed(ds, "company_and_user", "services", lambda: _company_and_user(ds))
    log(f"  company and user: {ds.built['company_and_user']['seconds']} s")
    _timed(ds, "products", "bulk_create", lambda: _products(ds, n["products"]))
    log(f"  {n['products']} products: {ds.built['products']['seconds']} s")
    if apps.parties_ready():
        _timed(ds, "customers", "parties.services.create_party", lambda: _customers(ds, n["customers"]))
        log(f"  {n['customers']} customers: {ds.built['customers']['seconds']} s")
    else:
        ds.missing["customers"] = "parties has not landed (no Party table or create_party service)"
    if apps.inventory_ready():
        from django.db import connection

        from bench import stock

        path = "bulk insert, COPY" if connection.vendor == "postgresql" else "bulk insert, executemany"
        _timed(ds, "stock_moves", path, lambda: stock.load(ds, n["moves"], log=log))
        log(f"  {n['moves']} stock moves: {ds.built['stock_moves']['seconds']} s")
    else:
        ds.missing["stock_moves"] = "inventory has not landed (no post_moves)"
    ds.missing["orders"] = "not seeded: the scenarios that need orders take their own (intake, big-order)"
    if apps.finance_ready():
        from bench import finance

        _timed(
            ds, "financial_entries", "bulk insert + journal", lambda: finance.load(ds, n["financial_entries"], log=log)
        )
        log(f"  {n['financial_entries']} financial entries: {ds.built['financial_entries']['seconds']} s")
    else:
        ds.missing["financial_entries"] = "finance has not landed"
    return ds


def _company_and_user(ds: Dataset) -> int:
    from retaguarda.access import services as access
    from retaguarda.companies import services as companies
    from retaguarda.companies.models import TaxRegime
    from retaguarda.core.actor import Actor, Origin

    actor = Actor(None, Origin.CLI)
    ds.company = companies.create_company(
        actor=actor,
        legal_name="Bench Comércio de Utilidades Ltda",
        trade_name="Bench",
        cnpj="11222333000181",
        state_registration="110042490114",
        tax_regime=TaxRegime.SIMPLES,
        postal_code="01310100",
        street="Avenida Paulista",
        number="1000",
        district="Bela Vista",
        municipality_id="3550308",
    )
    ds.user = access.create_user(
        "bench",
        ds.password,
        actor=Actor(None, Origin.CLI, ds.company.pk),
        departments=["sales"],
        companies=[ds.company],
    )
    return 2


def _products(ds: Dataset, count: int) -> int:
    from retaguarda.br_tables.models import Ncm
    from retaguarda.catalog.models import Product

    ncms = list(Ncm.objects.filter(code__regex=r"^[0-9]{8}$").order_by("code").values_list("pk", flat=True)[:500])
    if not ncms:
        ncms = list(Ncm.objects.order_by("pk").values_list("pk", flat=True)[:500])
    objs = []
    for row in product_rows(ds.seed, count):
        row = dict(row)
        ncm = ncms[row.pop("ncm_index") % len(ncms)]
        objs.append(Product(company=ds.company, ncm_id=ncm, **row))
    Product.objects.bulk_create(objs, batch_size=2000)
    ds.products = list(Product.objects.filter(company=ds.company).order_by("sku").values_list("pk", flat=True))
    return len(ds.products)


def _customers(ds: Dataset, count: int) -> int:
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.parties import services as parties

    actor = Actor(ds.user, Origin.CLI, ds.company.pk)
    for row in customer_rows(ds.seed, count):
        party = parties.create_party(
            actor=actor,
            kind="individual",
            is_customer=True,
            addresses=[
                {
                    "postal_code": "01310100",
                    "street": "Avenida Paulista",
                    "number": "1000",
                    "district": "Bela Vista",
                    "municipality_id": "3550308",
                }
            ],
            **row,
        )
        ds.customers.append(party.pk)
    return len(ds.customers)
