"""The user guide's screenshots come from the demo: each department's user signs in through the login
form, finds its work on the home page (its card, with something to do), and opens the page its guide
describes. With RETAGUARDA_UPDATE_GUIDE=1 the screenshots are written to docs/guia/img/ (small PNGs);
otherwise they go to a temporary folder and the guide is checked to show the ones committed."""

import io
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from retaguarda.web import demo

pytestmark = pytest.mark.browser
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guia"
# department code -> (guide page, the page its routine starts from)
DEPARTMENTS = {
    "sales": ("vendas", "/vendas/"),
    "purchasing": ("compras", "/compras/nfe/"),
    "stock": ("estoque", "/ocorrencias/?department=stock"),
    "logistics": ("logistica", "/vendas/?late=1"),
    "finance": ("financeiro", "/financeiro/conciliacao/"),
    "fiscal": ("fiscal", "/fiscal/"),
    "accountant": ("contador", "/financeiro/dre/"),
}


def save_small(png: bytes, path: Path) -> None:
    """A screenshot in 64 colours: a tenth of the size, still sharp for text and tables."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
    image.save(path, format="PNG", optimize=True)


def test_each_department_signs_in_and_finds_its_work_on_the_home_page_for_the_guide(live_server, browser, tmp_path):
    demo.load()  # once: the seven departments walk the same company
    folder = GUIDE / "img" if os.environ.get("RETAGUARDA_UPDATE_GUIDE") == "1" else tmp_path
    for code, (page_name, start) in DEPARTMENTS.items():
        walk(browser, live_server.url, code, start, folder / f"{page_name}-inicio.png", folder / f"{page_name}.png")
        text = (GUIDE / f"{page_name}.md").read_text(encoding="utf-8")
        shown = set(re.findall(r"\]\(img/([\w-]+\.png)\)", text))
        assert shown == {f"{page_name}-inicio.png", f"{page_name}.png"}, page_name
        assert all((GUIDE / "img" / name).stat().st_size < 200_000 for name in shown)


def walk(browser, url: str, code: str, start: str, home_shot: Path, page_shot: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 720}, locale="pt-BR")
    page.goto(f"{url}/entrar/")
    page.fill("#id_username", code)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")

    card = page.locator(f"article[data-department='{code}']")
    expect(card).to_be_visible()
    counts = [int(n) for n in card.locator(".tasks .badge").all_inner_texts()]
    assert any(counts), f"{code}: nothing to do on the demo's home page"
    assert page.locator("article.department").count() == 1  # only the user's own department
    save_small(page.screenshot(), home_shot)

    page.goto(f"{url}{start}")
    expect(page.locator("main h1")).to_be_visible()
    save_small(page.screenshot(), page_shot)
    page.close()
