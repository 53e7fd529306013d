"""Demo customers, suppliers and carriers: about a hundred, in several states, always the same ones.

Every party goes through `services.create_party`, so the demo data obeys the same rules (and
leaves the same audit trail) as data typed in by a person. Documents get real check digits; the
municipalities are real IBGE codes with CEPs inside their cities' ranges.
"""

import random
from decimal import Decimal

from retaguarda.core.actor import Actor
from retaguarda.core.state_registration import sample_ie
from retaguarda.core.validators import complete_cnpj, complete_cpf
from retaguarda.parties import services

SEED = 20260701

# The state of each city below, by the first two digits of its IBGE code (IBGE's state codes).
IBGE_UF = {
    "23": "CE", "26": "PE", "29": "BA", "31": "MG", "33": "RJ", "35": "SP", "41": "PR", "42": "SC", "43": "RS",
    "52": "GO",
}  # fmt: skip

# IBGE code, DDD, first and last five-digit CEP prefix of the city, districts, streets
CITIES = [
    ("3550308", "11", 1000, 5999, ["Bela Vista", "Mooca", "Pinheiros", "Santana", "Vila Mariana", "Tatuapé"]),
    ("3509502", "19", 13010, 13100, ["Centro", "Cambuí", "Taquaral", "Barão Geraldo"]),
    ("3548500", "13", 11010, 11090, ["Gonzaga", "Boqueirão", "Vila Mathias"]),
    ("3543402", "16", 14010, 14100, ["Centro", "Jardim Irajá", "Ribeirânia"]),
    ("3552205", "15", 18010, 18100, ["Centro", "Campolim", "Vila Hortência"]),
    ("3549904", "12", 12210, 12248, ["Centro", "Jardim Aquarius", "Vila Adyana"]),
    ("3518800", "11", 7010, 7190, ["Centro", "Vila Galvão", "Cumbica"]),
    ("3304557", "21", 20010, 23700, ["Centro", "Botafogo", "Tijuca", "Méier", "Barra da Tijuca"]),
    ("3303302", "21", 24020, 24360, ["Icaraí", "Centro", "Santa Rosa"]),
    ("3106200", "31", 30110, 31990, ["Savassi", "Funcionários", "Pampulha", "Barro Preto"]),
    ("3170206", "34", 38400, 38414, ["Centro", "Santa Mônica", "Martins"]),
    ("3136702", "32", 36010, 36090, ["Centro", "São Mateus", "Benfica"]),
    ("4106902", "41", 80010, 82900, ["Centro", "Batel", "Água Verde", "Portão"]),
    ("4113700", "43", 86010, 86090, ["Centro", "Gleba Palhano", "Higienópolis"]),
    ("4115200", "44", 87010, 87090, ["Zona 1", "Zona 7", "Jardim Alvorada"]),
    ("4314902", "51", 90010, 91900, ["Centro Histórico", "Moinhos de Vento", "Navegantes", "Menino Deus"]),
    ("4305108", "54", 95010, 95120, ["Centro", "São Pelegrino", "Exposição"]),
    ("2927408", "71", 40010, 42400, ["Comércio", "Pituba", "Barra", "Calçada"]),
    ("2910800", "75", 44001, 44090, ["Centro", "Kalilândia", "Capuchinhos"]),
    ("2611606", "81", 50010, 52990, ["Boa Viagem", "Santo Amaro", "Casa Forte", "Afogados"]),
    ("2604106", "81", 55002, 55090, ["Centro", "Maurício de Nassau", "Universitário"]),
    ("4205407", "48", 88010, 88090, ["Centro", "Trindade", "Estreito"]),
    ("4209102", "47", 89201, 89239, ["Centro", "América", "Glória"]),
    ("4202404", "47", 89010, 89090, ["Centro", "Itoupava Seca", "Velha"]),
    ("5208707", "62", 74010, 74890, ["Setor Central", "Setor Bueno", "Setor Oeste"]),
    ("2304400", "85", 60010, 61590, ["Centro", "Aldeota", "Meireles", "Messejana"]),
]
STREETS = [
    "Rua das Flores", "Avenida Brasil", "Rua Sete de Setembro", "Rua XV de Novembro", "Avenida Getúlio Vargas",
    "Rua Tiradentes", "Rua Dom Pedro II", "Avenida Independência", "Rua São Paulo", "Rua Marechal Deodoro",
    "Avenida Santos Dumont", "Rua Barão do Rio Branco", "Rua José Bonifácio", "Avenida Presidente Vargas",
    "Rua Duque de Caxias", "Rua Rui Barbosa", "Travessa do Comércio", "Rua Visconde de Mauá",
]  # fmt: skip
FIRST_NAMES = [
    "Ana", "Bruno", "Camila", "Daniel", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela", "João",
    "Larissa", "Lucas", "Mariana", "Mateus", "Natália", "Paulo", "Rafaela", "Rodrigo", "Sofia", "Thiago",
    "Vitória", "Antônio", "Beatriz", "Carlos", "Fernanda", "José", "Letícia", "Márcio", "Patrícia", "Sérgio",
]  # fmt: skip
SURNAMES = [
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
    "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Melo", "Barbosa", "Cardoso", "Rocha", "Dias",
    "Teixeira", "Moreira", "Nunes", "Mendes", "Freitas", "Campos", "Vieira", "Monteiro", "Cavalcanti", "Azevedo",
]  # fmt: skip
SHOPS = [
    ("Mercearia", "Mercearia"), ("Empório", "Empório"), ("Supermercado", "Super"), ("Padaria", "Padaria"),
    ("Papelaria", "Papelaria"), ("Loja de Presentes", "Presentes"), ("Utilidades Domésticas", "Utilidades"),
    ("Restaurante", "Restaurante"), ("Hotel", "Hotel"), ("Farmácia", "Farma"), ("Bazar", "Bazar"),
    ("Casa de Festas", "Festas"), ("Cafeteria", "Café"), ("Floricultura", "Flores"),
]  # fmt: skip
SUPPLIERS = [
    "Distribuidora", "Indústria de Plásticos", "Atacadista", "Cerâmica", "Vidraria", "Têxtil",
    "Metalúrgica", "Importadora", "Comércio de Embalagens", "Indústria de Utensílios",
]  # fmt: skip
CARRIERS = ["Transportes", "Expresso", "Logística", "Rodoviário", "Cargas"]
TRADE_WORDS = ["Central", "Bom Preço", "Estrela", "Aurora", "Primavera", "União", "Nova Era", "Sol Nascente"]
TERMS = ["", "28", "30", "30/60", "28/35/42", "30/60/90"]
LIMITS = [Decimal(v) for v in ("0", "1000", "2500", "5000", "10000", "20000")]


def _cpf(rng: random.Random) -> str:
    return complete_cpf(f"{rng.randrange(10**8, 10**9):09d}")


def _cnpj(rng: random.Random, alphanumeric: bool = False) -> str:
    if alphanumeric:
        alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
        root = "".join(rng.choice(alphabet) for _ in range(8))
        branch = "".join(rng.choice(alphabet) for _ in range(2)) + "01"
    else:
        root, branch = f"{rng.randrange(10**7, 10**8):08d}", "0001"
    return complete_cnpj(root + branch)


def _address(rng: random.Random, city) -> dict:
    code, _ddd, first, last, districts = city
    return {
        "postal_code": f"{rng.randint(first, last):05d}{rng.randint(0, 999):03d}",
        "street": rng.choice(STREETS),
        "number": str(rng.randint(10, 3999)) if rng.random() > 0.05 else "S/N",
        "complement": rng.choice(["", "", "", "Sala 2", "Loja 1", "Galpão 3", "Fundos", "Bloco B"]),
        "district": rng.choice(districts),
        "municipality_id": code,
    }


def _ie(rng: random.Random, city) -> str:
    """A state registration valid in the city's state (the IBGE code starts with the state's)."""
    return sample_ie(IBGE_UF[city[0][:2]], rng)


def _phone(rng: random.Random, city, mobile: bool = False) -> str:
    ddd = city[1]
    return (
        f"{ddd}9{rng.randint(6000, 9999)}{rng.randint(0, 9999):04d}"
        if mobile
        else f"{ddd}{rng.randint(2000, 5999)}{rng.randint(0, 9999):04d}"
    )


def _slug(text: str) -> str:
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(c for c in plain.lower() if c.isalnum())[:20]


def _contacts(rng: random.Random, city, domain: str, roles: list[str]) -> list[dict]:
    contacts = []
    for role in rng.sample(roles, k=rng.randint(1, min(2, len(roles)))):
        first = rng.choice(FIRST_NAMES)
        contacts.append(
            {
                "name": f"{first} {rng.choice(SURNAMES)}",
                "role": role,
                "email": f"{_slug(first)}@{domain}",
                "phone": _phone(rng, city, mobile=True),
            }
        )
    return contacts


def parties(rng: random.Random) -> list[dict]:
    """The demo registrations as service arguments, the same on every run."""
    people, used = [], set()

    def unique(make):
        while True:
            value = make()
            if value not in used:
                used.add(value)
                return value

    # Customers: people and shops, most of them in São Paulo state.
    for n in range(62):
        city = CITIES[n % 7] if n % 3 else rng.choice(CITIES)
        if n % 4 == 0:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
            people.append(
                {
                    "kind": "individual",
                    "document": unique(lambda: _cpf(rng)),
                    "legal_name": name,
                    "is_customer": True,
                    "ie_indicator": 9,
                    "email": f"{_slug(name.split()[0])}.{_slug(name.split()[-1])}@email.com.br",
                    "phone": _phone(rng, city, mobile=True),
                    "credit_limit": rng.choice(LIMITS[:3]),
                    "payment_terms": rng.choice(TERMS[:3]),
                    "addresses": [_address(rng, city)],
                }
            )
            continue
        kind, short = rng.choice(SHOPS)
        surname = rng.choice(SURNAMES)
        trade = f"{short} {surname}" if rng.random() < 0.5 else f"{short} {rng.choice(TRADE_WORDS)}"
        taxpayer = kind not in ("Restaurante", "Hotel", "Cafeteria")
        domain = f"{_slug(trade)}.com.br"
        people.append(
            {
                "kind": "company",
                "document": unique(lambda alnum=(n == 5): _cnpj(rng, alphanumeric=alnum)),
                "legal_name": f"{kind} {surname} & Filhos Ltda" if rng.random() < 0.3 else f"{trade} Comércio Ltda",
                "trade_name": trade,
                "is_customer": True,
                "ie_indicator": 1 if taxpayer else 9,
                "state_registration": _ie(rng, city) if taxpayer else "",
                "email": f"contato@{domain}",
                "phone": _phone(rng, city),
                "credit_limit": rng.choice(LIMITS[1:]),
                "payment_terms": rng.choice(TERMS[1:]),
                "addresses": [_address(rng, city)],
                "contacts": _contacts(rng, city, domain, ["Compras", "Financeiro", "Proprietário"]),
            }
        )

    # Suppliers: factories and distributors in the industrial states; one with the new alphanumeric CNPJ.
    for n in range(28):
        city = rng.choice(CITIES)
        kind = rng.choice(SUPPLIERS)
        surname = rng.choice(SURNAMES)
        trade = f"{surname} {kind.split()[0]}"
        domain = f"{_slug(surname)}{_slug(kind.split()[0])}.ind.br"
        document = "12ABC34501DE35" if n == 0 else unique(lambda alnum=(n % 9 == 4): _cnpj(rng, alphanumeric=alnum))
        used.add(document)
        addresses = [_address(rng, city)]
        if n % 5 == 0:
            other = rng.choice(CITIES)
            addresses.append({**_address(rng, other), "is_delivery": True})
        people.append(
            {
                "kind": "company",
                "document": document,
                "legal_name": f"{kind} {surname} S.A." if n % 4 == 0 else f"{kind} {surname} Ltda",
                "trade_name": trade,
                "is_supplier": True,
                "is_customer": n % 7 == 0,  # some suppliers also buy from us
                "ie_indicator": 1,
                "state_registration": _ie(rng, city),
                "email": f"vendas@{domain}",
                "phone": _phone(rng, city),
                "payment_terms": rng.choice(TERMS[1:]),
                "lead_time_days": rng.choice([3, 5, 7, 10, 15, 20, 30]),
                "addresses": addresses,
                "contacts": _contacts(rng, city, domain, ["Representante comercial", "Faturamento", "Logística"]),
            }
        )

    # Carriers.
    for _n in range(10):
        city = rng.choice(CITIES)
        surname = rng.choice(SURNAMES)
        word = rng.choice(CARRIERS)
        domain = f"{_slug(word)}{_slug(surname)}.com.br"
        people.append(
            {
                "kind": "company",
                "document": unique(lambda: _cnpj(rng)),
                "legal_name": f"{word} {surname} Ltda",
                "trade_name": f"{word} {surname}",
                "is_carrier": True,
                "ie_indicator": 1,
                "state_registration": _ie(rng, city),
                "email": f"coleta@{domain}",
                "phone": _phone(rng, city),
                "addresses": [_address(rng, city)],
                "contacts": _contacts(rng, city, domain, ["Coleta", "Comercial"]),
            }
        )
    return people


def build(company, actor: Actor) -> int:
    """Register the demo parties in `company`; returns how many."""
    rng = random.Random(SEED)
    actor = Actor(actor.user, actor.origin, company.pk, actor.ip)
    count = 0
    for data in parties(rng):
        services.create_party(actor=actor, company_id=company.pk, **data)
        count += 1
    return count
