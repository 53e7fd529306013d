"""Demo catalog of a São Paulo shop (~300 products): housewares, bed/bath, small appliances,
stationery, clothing with size and colour variations, a few kits and three price lists.

Deterministic (a fixed seed), every product through the services, valid NCMs with matching CESTs
and GTIN-13 codes with the Brazilian 789 prefix and correct check digits.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from retaguarda.catalog import services
from retaguarda.catalog.models import Product
from retaguarda.core.validators import gtin_check_digit

COMPANY_PREFIX = "7891234"  # 789 = GS1 Brasil, then an illustrative company prefix


def gtin(n: int) -> str:
    body = f"{COMPANY_PREFIX}{n:05d}"
    return body + gtin_check_digit(body)


def _money(value: float | Decimal | str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _retail(cost: Decimal, markup: Decimal) -> Decimal:
    """Cost times markup, ending in ,90 as shops price."""
    raw = (cost * markup).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return max(raw - Decimal("0.10"), Decimal("0.90"))


# (category, base name, ncm, cest, unit, cost range, variants of the name, weight kg)
FAMILIES = [
    (
        "Utilidades domésticas",
        "Pote hermético",
        "39241000",
        "1400600",
        "UN",
        (4, 18),
        ["500 ml", "1 L", "1,5 L", "2,5 L", "4 L"],
        0.2,
    ),
    (
        "Utilidades domésticas",
        "Jogo de potes plásticos",
        "39241000",
        "1400600",
        "JG",
        (18, 40),
        ["3 peças", "5 peças", "10 peças"],
        0.8,
    ),
    (
        "Utilidades domésticas",
        "Copo de vidro",
        "70133700",
        "1400200",
        "UN",
        (2, 7),
        ["americano 190 ml", "long drink 300 ml", "caldereta 350 ml", "lagoinha 250 ml"],
        0.25,
    ),
    (
        "Utilidades domésticas",
        "Jogo de copos de vidro",
        "70133700",
        "1400200",
        "JG",
        (15, 35),
        ["6 peças 300 ml", "6 peças 410 ml", "12 peças 190 ml"],
        1.8,
    ),
    (
        "Utilidades domésticas",
        "Prato de porcelana",
        "69111010",
        "1400700",
        "UN",
        (8, 22),
        ["raso 27 cm", "fundo 23 cm", "sobremesa 19 cm"],
        0.6,
    ),
    (
        "Utilidades domésticas",
        "Aparelho de jantar porcelana",
        "69111010",
        "1400700",
        "JG",
        (120, 260),
        ["20 peças", "30 peças", "42 peças"],
        9.0,
    ),
    (
        "Utilidades domésticas",
        "Caneca de cerâmica",
        "69120000",
        "1400900",
        "UN",
        (6, 16),
        ["300 ml", "350 ml", "450 ml"],
        0.35,
    ),
    (
        "Utilidades domésticas",
        "Panela de alumínio",
        "76151000",
        None,
        "UN",
        (25, 90),
        ["16 cm", "18 cm", "20 cm", "22 cm", "24 cm"],
        1.1,
    ),
    (
        "Utilidades domésticas",
        "Frigideira antiaderente",
        "76151000",
        None,
        "UN",
        (30, 80),
        ["20 cm", "24 cm", "28 cm"],
        0.9,
    ),
    (
        "Utilidades domésticas",
        "Faca de cozinha inox",
        "82119100",
        "0801700",
        "UN",
        (9, 45),
        ['churrasco 8"', 'chef 8"', 'legumes 4"', 'pão 8"', 'desossar 6"'],
        0.15,
    ),
    (
        "Utilidades domésticas",
        "Faqueiro inox",
        "82159100",
        None,
        "JG",
        (60, 180),
        ["24 peças", "42 peças", "72 peças"],
        2.2,
    ),
    (
        "Utilidades domésticas",
        "Tábua de bambu",
        "44191900",
        None,
        "UN",
        (12, 35),
        ["pequena 20x30", "média 25x35", "grande 30x45"],
        0.9,
    ),
    ("Utilidades domésticas", "Escorredor de louça inox", "73239300", None, "UN", (40, 110), ["simples", "duplo"], 1.5),
    (
        "Cama, mesa e banho",
        "Jogo de lençol algodão 150 fios",
        "63023100",
        None,
        "JG",
        (45, 90),
        ["solteiro", "casal", "queen", "king"],
        1.2,
    ),
    (
        "Cama, mesa e banho",
        "Jogo de cama estampado",
        "63022100",
        None,
        "JG",
        (60, 130),
        ["solteiro", "casal", "queen"],
        1.4,
    ),
    (
        "Cama, mesa e banho",
        "Toalha de banho felpuda",
        "63026000",
        None,
        "UN",
        (18, 45),
        ["branca", "azul", "cinza", "areia", "verde"],
        0.5,
    ),
    (
        "Cama, mesa e banho",
        "Toalha de rosto felpuda",
        "63026000",
        None,
        "UN",
        (8, 18),
        ["branca", "azul", "cinza"],
        0.2,
    ),
    ("Cama, mesa e banho", "Colcha de algodão", "63041910", None, "UN", (80, 190), ["casal", "queen", "king"], 2.0),
    (
        "Cama, mesa e banho",
        "Cobertor microfibra",
        "63014000",
        None,
        "UN",
        (40, 120),
        ["solteiro", "casal", "queen"],
        1.6,
    ),
    (
        "Cama, mesa e banho",
        "Travesseiro",
        "94042900",
        None,
        "UN",
        (18, 70),
        ["fibra 50x70", "viscoelástico 50x70", "pluma sintética"],
        0.7,
    ),
    (
        "Eletroportáteis",
        "Liquidificador",
        "85094010",
        "2104100",
        "UN",
        (70, 180),
        ["400 W", "600 W", "900 W", "1200 W"],
        2.8,
    ),
    ("Eletroportáteis", "Batedeira planetária", "85094010", "2104100", "UN", (180, 420), ["500 W", "700 W"], 4.5),
    (
        "Eletroportáteis",
        "Cafeteira elétrica",
        "85167100",
        "2104800",
        "UN",
        (60, 200),
        ["15 xícaras", "30 xícaras", "programável"],
        1.9,
    ),
    ("Eletroportáteis", "Sanduicheira", "85167200", "2104900", "UN", (45, 110), ["simples", "grill"], 1.4),
    (
        "Eletroportáteis",
        "Ferro de passar a vapor",
        "85164000",
        "2104400",
        "UN",
        (55, 160),
        ["1200 W", "1800 W", "2400 W"],
        1.1,
    ),
    (
        "Eletroportáteis",
        "Secador de cabelo",
        "85163100",
        "2110200",
        "UN",
        (50, 190),
        ["1200 W", "1900 W", "2000 W íons"],
        0.6,
    ),
    (
        "Eletroportáteis",
        "Chaleira elétrica",
        "85161000",
        "2104300",
        "UN",
        (40, 120),
        ["1 L", "1,7 L", "inox 1,8 L"],
        1.0,
    ),
    ("Eletroportáteis", "Ventilador de mesa", "84145110", "2108800", "UN", (75, 190), ["30 cm", "40 cm", "50 cm"], 3.2),
    (
        "Papelaria",
        "Caderno universitário",
        "48202000",
        "1902100",
        "UN",
        (8, 28),
        ["1 matéria 96 fls", "10 matérias 200 fls", "15 matérias 240 fls", "espiral capa dura"],
        0.5,
    ),
    (
        "Papelaria",
        "Caderno brochura",
        "48202000",
        "1902100",
        "UN",
        (3, 9),
        ["48 fls", "96 fls", "pequeno 80 fls"],
        0.25,
    ),
    (
        "Papelaria",
        "Caneta esferográfica",
        "96081000",
        "1902700",
        "UN",
        (1, 4),
        ["azul", "preta", "vermelha", "verde"],
        0.01,
    ),
    (
        "Papelaria",
        "Caixa de canetas esferográficas",
        "96081000",
        "1902700",
        "CX",
        (18, 45),
        ["azul 50 un", "preta 50 un"],
        0.6,
    ),
    ("Papelaria", "Lápis preto", "96091000", None, "UN", (0.5, 2), ["HB", "2B", "com borracha"], 0.01),
    (
        "Papelaria",
        "Bloco de notas",
        "48201000",
        "1902000",
        "UN",
        (3, 12),
        ["A5 50 fls", "A4 50 fls", "adesivo 76x76"],
        0.2,
    ),
    (
        "Papelaria",
        "Envelope",
        "48172000",
        "1901900",
        "PCT",
        (8, 25),
        ["ofício branco 100 un", "saco kraft A4 50 un"],
        0.8,
    ),
]

CLOTHING = [
    ("Camiseta básica algodão", "61091000", ["P", "M", "G", "GG"], ["Branca", "Preta", "Azul-marinho"], 24, 0.18),
    ("Camiseta gola V", "61091000", ["P", "M", "G"], ["Branca", "Mescla"], 26, 0.17),
    ("Camisa social manga longa", "62052000", ["1", "2", "3", "4"], ["Branca", "Azul-clara"], 55, 0.3),
    ("Camisa polo piquet", "61051000", ["P", "M", "G", "GG"], ["Preta", "Vermelha"], 42, 0.25),
    ("Bermuda de sarja", "62034200", ["38", "40", "42", "44"], ["Cáqui", "Azul-marinho"], 48, 0.35),
    ("Vestido de malha", "61044200", ["P", "M", "G"], ["Preto", "Estampado"], 52, 0.3),
    ("Camiseta infantil", "61091000", ["2", "4", "6", "8"], ["Amarela", "Azul"], 15, 0.1),
]


def build(company, actor) -> None:
    if Product.objects.filter(company=company).exists():
        return
    actor = type(actor)(actor.user, actor.origin, company.pk, actor.ip)
    rng = random.Random(20260115)
    serial = 0
    by_name: dict[str, Product] = {}
    for category, base, ncm, cest, unit, (low, high), variants, weight in FAMILIES:
        prefix = "".join(w[0] for w in base.upper().split() if w[0].isalpha())[:4]
        for index, variant in enumerate(variants, start=1):
            for edition in ("", " Premium"):
                serial += 1
                cents = rng.randint(int(low * 100), int(high * 100))
                cost = _money(Decimal(cents) / 100 * (Decimal("1.35") if edition else 1))
                markup = Decimal(str(rng.choice([1.8, 1.9, 2.0, 2.1, 2.2])))
                name = f"{base} {variant}{edition}"
                product = services.create_product(
                    actor=actor,
                    sku=f"{prefix}-{index:02d}{'P' if edition else ''}-{serial:03d}",
                    name=name,
                    ncm=ncm,
                    cest=cest,
                    gtin=gtin(serial),
                    unit=unit,
                    tax_unit=unit,
                    purchase_unit="CX" if unit == "UN" and weight < 1 else unit,
                    purchase_factor=Decimal(12 if unit == "UN" and weight < 1 else 1),
                    cost=cost,
                    price=_retail(cost, markup),
                    gross_weight=Decimal(str(weight)) * (Decimal("1.3") if edition else 1),
                    net_weight=Decimal(str(weight)) * Decimal("0.9") * (Decimal("1.3") if edition else 1),
                    minimum_stock=Decimal(rng.choice([2, 4, 6, 10, 12])),
                    maximum_stock=Decimal(rng.choice([24, 36, 48, 60])),
                    category=category,
                )
                by_name[name] = product
    for number, (base, ncm, sizes, colours, cost, weight) in enumerate(CLOTHING, start=1):
        serial += 1
        cost = Decimal(cost)
        price = _retail(cost, Decimal("2.2"))
        combos = [(s, c) for s in sizes for c in colours]
        variants = []
        for s, c in combos:
            serial += 1
            variants.append(
                {
                    "attributes": {"Tamanho": s, "Cor": c},
                    "gtin": gtin(serial),
                    # bigger sizes cost a little more, as shops price them
                    "price": price + (Decimal("5.00") if s in ("GG", "44", "4") else 0),
                }
            )
        services.create_product(
            actor=actor,
            sku=f"VEST-{number:02d}",
            name=base,
            ncm=ncm,
            unit="UN",
            cost=cost,
            price=price,
            gross_weight=Decimal(str(weight)),
            net_weight=Decimal(str(weight)),
            category="Vestuário",
            variations={"Tamanho": sizes, "Cor": colours},
            variants=variants,
        )
    _kits(actor, by_name)
    _price_lists(actor)


def _kits(actor, by_name: dict[str, Product]) -> None:
    def pick(prefix: str) -> Product:
        return next(p for name, p in sorted(by_name.items()) if name.startswith(prefix))

    kits = [
        (
            "KIT-CHURRASCO",
            "Kit churrasco (faca + tábua)",
            "82119100",
            [("Faca de cozinha inox churrasco", 1), ("Tábua de bambu grande", 1)],
        ),
        ("KIT-COPOS", "Kit 6 copos americanos", "70133700", [("Copo de vidro americano", 6)]),
        (
            "KIT-ESCOLAR",
            "Kit escolar (caderno + canetas + lápis)",
            "48202000",
            [
                ("Caderno universitário 10 matérias", 1),
                ("Caneta esferográfica azul", 2),
                ("Caneta esferográfica preta", 1),
                ("Lápis preto HB", 2),
            ],
        ),
        (
            "KIT-BANHO",
            "Kit banho (2 toalhas de banho + 2 de rosto)",
            "63026000",
            [("Toalha de banho felpuda branca", 2), ("Toalha de rosto felpuda branca", 2)],
        ),
        (
            "KIT-CAFE",
            "Kit café da manhã (cafeteira + 2 canecas)",
            "85167100",
            [("Cafeteira elétrica 15 xícaras", 1), ("Caneca de cerâmica 300 ml", 2)],
        ),
    ]
    for sku, name, ncm, parts in kits:
        components = [{"product_id": pick(prefix).pk, "quantity": quantity} for prefix, quantity in parts]
        total = sum((pick(prefix).price * quantity for prefix, quantity in parts), Decimal(0))
        cost = sum((pick(prefix).cost * quantity for prefix, quantity in parts), Decimal(0))
        services.create_product(
            actor=actor,
            sku=sku,
            name=name,
            ncm=ncm,
            product_type="kit",
            price=_money(total * Decimal("0.9")),
            cost=cost,
            category="Kits",
            components=components,
        )


def _price_lists(actor) -> None:
    products = list(
        Product.objects.filter(company_id=actor.company_id, parent__isnull=True, is_active=True).order_by("id")
    )
    housewares = [p for p in products if p.category == "Utilidades domésticas"]
    appliances = [p for p in products if p.category == "Eletroportáteis"]
    services.create_price_list(
        actor=actor,
        name="Atacado",
        customer_group="Revendedores",
        notes="Compras a partir de 12 unidades por item.",
        items=[{"product_id": p.pk, "percentage": Decimal("-12")} for p in housewares],
    )
    services.create_price_list(
        actor=actor,
        name="Loja virtual",
        channel="Loja virtual",
        items=[{"product_id": p.pk, "percentage": Decimal("5")} for p in appliances]
        + [{"product_id": p.pk, "fixed_price": _retail(p.cost, Decimal("1.75"))} for p in housewares[:10]],
    )
    services.create_price_list(
        actor=actor,
        name="Black Friday 2026",
        channel="Loja física",
        valid_from=datetime.date(2026, 11, 27),
        valid_until=datetime.date(2026, 11, 30),
        items=[{"product_id": p.pk, "percentage": Decimal("-25")} for p in appliances],
    )
