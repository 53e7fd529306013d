"""A form sent with a 5 MB field gets a page in the app's layout, in Portuguese, with the way back,
never Django's bare "Bad Request (400)" nor a 500; nothing is saved."""

import pytest
from django.urls import reverse

from retaguarda.parties.models import Party
from retaguarda.web.navigation import menu_for

HUGE = "x" * (5 * 1024 * 1024)
FORMS = ["parties:create", "catalog:product_create", "inventory:move_new", "inventory:transfer_new", "web:import"]


def _friendly(response):
    html = response.content.decode()
    assert response.status_code == 413, response.status_code
    assert "Nada foi salvo" in html and "Voltar ao formulário" in html
    assert "<nav" in html  # the app's layout, with its menu
    assert "Bad Request" not in html


def test_every_menu_page_answers_a_5_mb_form_with_a_friendly_page(web, admin_user):
    links = [link["url"] for section in menu_for(admin_user) for link in section["links"]]
    pages = [url for url in links if not url.startswith("/api/")]  # the API answers its JSON body
    assert len(pages) > 10
    for url in pages:
        response = web.post(url, f"notes={HUGE}", content_type="application/x-www-form-urlencoded")
        _friendly(response)


@pytest.mark.parametrize("name", FORMS)
def test_a_5_mb_field_in_a_multipart_form_gets_the_same_page(web, name):
    response = web.post(reverse(name), {"legal_name": "Loja", "notes": HUGE})

    _friendly(response)
    assert not Party.objects.filter(legal_name="Loja").exists()


def test_the_api_still_answers_its_error_body(web):
    response = web.post("/api/v1/parties", HUGE, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "core.too_large"
