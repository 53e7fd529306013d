"""The DANFE's shortcuts over brazilfiscalreport print the same page as the library alone."""

import datetime
import random
import re
from decimal import Decimal as D

import pytest
from barcode.codex import Code128
from brazilfiscalreport.danfe import Danfe, DanfeConfig
from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from retaguarda.fiscal import danfe, services
from retaguarda.fiscal.services import DocumentIn, ItemIn

pytestmark = pytest.mark.django_db(transaction=False)

WORDS = [
    "caixa",
    "organizadora",
    "plástica",
    "tampa",
    "azul",
    "30",
    "x",
    "20",
    "cm",
    "pote",
    "hermético",
    "ação",
    "açúcar",
    "peça",
    "conjunto",
]


class _Probe(danfe._Faster, FPDF):
    pass


def _fpdf_lines(pdf, text, width):
    return pdf.multi_cell(w=width, h=1, text=text, dry_run=True, output=MethodReturnValue.LINES)


@pytest.mark.parametrize(("family", "size"), [("Times", 6), ("Helvetica", 7), ("Courier", 5)])
def test_the_word_wrapper_breaks_lines_where_fpdf2_does(family, size):
    rng = random.Random(f"{family}{size}")
    pdf = _Probe()
    pdf.add_page()
    pdf.set_font(family, size=size)
    pdf.c_margin = 0
    compared = 0
    for _ in range(300):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 14)))
        if rng.random() < 0.3:
            text += "\n[NCM 39241000]"
        width = rng.uniform(8, 60)
        ours = pdf._wrapped(text, width)
        if ours is not None:
            compared += 1
            assert ours == _fpdf_lines(pdf, text, width), (text, width)
    assert compared > 250  # the shortcut is taken for ordinary text, not only where it is trivial


def test_text_the_wrapper_is_not_sure_about_goes_to_fpdf2():
    pdf = _Probe()
    pdf.add_page()
    pdf.set_font("Times", size=6)
    assert pdf._wrapped("PARAFUSOSEXTAVADOINOXIDAVELCOMPRIDO", 10) is None  # a word wider than the column
    assert pdf._wrapped("dois  espaços", 50) is None
    assert pdf._wrapped(" margem", 50) is None


def _pdf_text(pdf) -> tuple[int, list[str], int]:
    """Pages, the text operators in order, and the filled rectangles of an uncompressed PDF."""
    pdf.set_compression(False)
    pdf.set_creation_date(datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))
    body = bytes(pdf.output()).decode("latin-1")
    lines = body.splitlines()
    texts = [line for line in lines if line.endswith("Tj") or " Td" in line]
    return body.count("/Type /Page\n"), texts, sum(line.endswith(" re f") for line in lines)


def test_a_two_page_danfe_prints_what_brazilfiscalreport_alone_prints(
    simples, make_customer, make_item_product, fiscal_actor, django_capture_on_commit_callbacks
):
    actor = fiscal_actor(simples)
    customer = make_customer(simples)
    rng = random.Random(15)
    items = tuple(
        ItemIn(
            make_item_product(simples, name=" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 12)))).pk,
            D(1 + n % 4),
            D("12.90"),
        )
        for n in range(45)
    )
    document = services.build_document(DocumentIn(recipient_id=customer.pk, items=items), actor=actor)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.issue_document(document.pk, actor=actor)
    text = services.signed_xml(document).decode()

    theirs = _pdf_text(Danfe(text, config=DanfeConfig()))
    ours = _pdf_text(danfe._danfe(text, DanfeConfig()))

    assert ours[0] == theirs[0] == 2
    assert ours[1] == theirs[1]  # every text at the same place, in the same font, on the same pages
    # The barcode's bars, one filled rectangle each on each page (fpdf2 drew them as one SVG path).
    bars = re.findall(r"1+", "".join(Code128(document.key).build()))
    assert ours[2] - theirs[2] == 2 * len(bars)
    assert danfe.render(document, text.encode()).startswith(b"%PDF")
