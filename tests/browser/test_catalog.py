"""A product with two variations, created through the real page in Chromium."""

import pytest

pytestmark = pytest.mark.browser


def test_create_a_product_with_two_variations_and_see_both_on_its_page(signed_in_page, live_server):
    page = signed_in_page
    page.goto(f"{live_server.url}/produtos/novo/")
    page.fill("#id_sku", "CAM-BAS")
    page.fill("#id_name", "Camiseta básica")
    page.fill("#id_ncm", "61091000")
    page.locator("#id_ncm-results button").first.click()
    page.wait_for_selector("#id_ncm_code[value='61091000']", state="attached")  # no eval: the CSP forbids it
    page.fill("#id_price", "49,90")
    page.fill("#attr_name_0", "Tamanho")
    page.fill("#attr_values_0", "P, M")
    page.click("#generate-variations")
    page.wait_for_selector("tr[data-variant='M']")
    page.fill("input[name=variant_1_price]", "52,90")
    page.click("#product-form button[type=submit]")

    page.wait_for_selector("#variants")
    rows = page.locator("#variants tbody tr")
    assert rows.count() == 2
    text = page.locator("#variants").inner_text()
    assert "CAM-BAS-P" in text and "CAM-BAS-M" in text
    assert "52,90" in text and "49,90" in text
