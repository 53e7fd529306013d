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


# Text areas of a text column without a length (`TextField`): as in the API, only the body size bounds them.
FREE_TEXT_AREAS = {"body", "notes", "products", "lines", "checklist"}
NOT_TYPED = {"hidden", "checkbox", "radio", "file", "date", "submit", "number", "month", "datetime-local", "time"}


def test_every_text_input_of_every_page_carries_a_max_length():
    """Hand-written inputs take theirs from the column they fill (`{% max_length 'app.Model.field' %}`);
    Django forms render their fields' `max_length` themselves (checked below)."""
    import re
    from pathlib import Path

    import retaguarda

    missing = []
    for path in sorted(Path(retaguarda.__file__).parent.glob("*/templates/**/*.html")):
        for tag, attrs in re.findall(r"<(input|textarea)\b((?:[^>]|\{%[^%]*%\})*?)>", path.read_text()):
            kind = re.search(r'\btype="([^"]+)"', attrs)
            name = re.search(r'\bname="([^"]+)"', attrs)
            if (kind and kind.group(1) in NOT_TYPED) or "maxlength=" in attrs:
                continue
            if tag == "textarea" and name and name.group(1) in FREE_TEXT_AREAS:
                continue
            missing.append(f"{path.parent.name}/{path.name}: {name.group(1) if name else attrs[:60]}")
    assert not missing, missing


def test_every_form_text_field_has_a_max_length():
    import importlib
    import inspect
    import pkgutil

    from django import forms

    import retaguarda

    unbounded = []
    for module in pkgutil.walk_packages(retaguarda.__path__, "retaguarda."):
        if not module.name.endswith(".forms"):
            continue
        for name, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.name:
                unbounded += [
                    f"{name}.{field_name}"
                    for field_name, field in cls.base_fields.items()
                    if isinstance(field, forms.CharField)
                    and not field.max_length
                    and not isinstance(field.widget, (forms.HiddenInput, forms.Textarea))
                ]
    assert not unbounded, unbounded


def test_a_page_input_reads_its_limit_from_the_column():
    from django.template import Context, Template

    from retaguarda.core.text_limits import input_length

    html = Template("{% max_length 'finance.CashAccount.name' %} {% max_length 'typed.cnpj' %}").render(Context())
    assert html == "60 18"
    assert input_length("catalog.Product.price") == len("-123.456.789.012,1234567890")
    assert input_length("finance.Title.amount") == len("-1.234.567.890.123.456,78")
    with pytest.raises(ValueError):
        input_length("finance.Title.notes")  # a TextField: no length to give
