"""A supplier NF-e of any size, grown from nfelib's real sample note (the medical supplier's, three
items to CNPJ 37148260000119): its first item repeated with distinct codes and the totals, the
installments and the payment made to close again. For the bench (a 500-item note) and for the tests
that show an import costs the same queries at two sizes. Schema-valid; the signature is the sample's
and no longer matches (the import does not check supplier signatures)."""

from decimal import Decimal

from lxml import etree

from retaguarda.core.validators import _cnpj_digit as mod11_digit
from retaguarda.purchasing.demo import SAMPLE

MEDICAL = "26180875335849000115550010000016871192213331-nfe.xml"
MEDICAL_KEY = "26180875335849000115550010000016871192213331"
RECIPIENT = "37148260000119"
NS = "http://www.portalfiscal.inf.br/nfe"
N = {"n": NS}


def supplier_note(
    items: int, *, number: int = 900001, code_prefix: str = "B", recipient: str = RECIPIENT
) -> tuple[str, bytes]:
    """(access key, XML bytes) of a note to `recipient` with `items` items, the n-th coded
    `<code_prefix><n>`, quantity 1 + n % 7 at R$ 12,34, numbered `number` (which makes the key)."""
    root = etree.fromstring((SAMPLE / MEDICAL).read_bytes())  # a file shipped with nfelib, not user input
    inf = root.find("n:NFe/n:infNFe", N)
    dets = inf.findall("n:det", N)
    template = dets[0]
    for det in dets:
        inf.remove(det)
    anchor = inf.find("n:total", N)
    total = Decimal(0)
    for n in range(1, items + 1):
        det = etree.fromstring(etree.tostring(template))
        det.set("nItem", str(n))
        prod = det.find("n:prod", N)
        qty = Decimal(1 + n % 7)
        price = Decimal("12.34")
        value = qty * price
        total += value
        for tag, text in (
            ("cProd", f"{code_prefix}{n}"),
            ("xProd", f"ITEM DE TESTE {n}"),
            ("qCom", f"{qty:.4f}"),
            ("qTrib", f"{qty:.4f}"),
            ("vUnCom", f"{price:.10f}"),
            ("vUnTrib", f"{price:.10f}"),
            ("vProd", f"{value:.2f}"),
        ):
            prod.find(f"n:{tag}", N).text = text
        anchor.addprevious(det)
    half = (total / 2).quantize(Decimal("0.01"))
    for path, value in (
        ("n:total/n:ICMSTot/n:vProd", total),
        ("n:total/n:ICMSTot/n:vNF", total),
        ("n:cobr/n:fat/n:vOrig", total),
        ("n:cobr/n:fat/n:vLiq", total),
        ("n:pag/n:detPag/n:vPag", total),
    ):
        inf.find(path, N).text = f"{value:.2f}"
    first, second = inf.findall("n:cobr/n:dup/n:vDup", N)
    first.text, second.text = f"{half:.2f}", f"{total - half:.2f}"
    inf.find("n:ide/n:nNF", N).text = str(number)
    inf.find("n:dest/n:CNPJ", N).text = recipient
    body = MEDICAL_KEY[:25] + f"{number:09d}" + MEDICAL_KEY[34:43]
    key = body + mod11_digit(body)
    inf.set("Id", f"NFe{key}")
    root.find("n:protNFe/n:infProt/n:chNFe", N).text = key
    root.find("n:protNFe/n:infProt", N).set("Id", f"ID{key}")
    return key, etree.tostring(root, xml_declaration=True, encoding="UTF-8")
