"""Oversized bodies and control characters are refused at the door with the error body, on every route."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retaguarda.catalog.models import Product
from retaguarda.core.request_guard import control_characters
from retaguarda.parties.models import Party

pytestmark = pytest.mark.django_db

PARTY = {"document": "12.ABC.345/01DE-35", "legal_name": "Mercado Nova Era Ltda", "is_customer": True}


def _post(client, path, raw: bytes | str, content_type="application/json"):
    return client.post(path, raw, content_type=content_type)


def test_a_body_over_the_limit_answers_413_with_the_error_body(api, settings):
    settings.MAX_BODY_BYTES = 1000
    body = json.dumps({**PARTY, "notes": "x" * 5000})
    with CaptureQueriesContext(connection) as queries:
        response = _post(api, "/api/v1/parties", body)
    assert response.status_code == 413
    assert response.json()["code"] == "core.too_large"
    assert response.json()["message"] == "A requisição é grande demais: o limite é 1 KB."
    assert not Party.objects.exists()
    assert len(queries) == 0  # refused before the token was even looked up


def test_the_default_limit_refuses_a_3_mb_body(api):
    response = _post(api, "/api/v1/parties", json.dumps({**PARTY, "notes": "x" * 3_000_000}))
    assert response.status_code == 413


def test_uploads_have_their_own_larger_limit(web, settings):
    settings.MAX_BODY_BYTES, settings.MAX_UPLOAD_BYTES = 1000, 2000
    form = web.post("/usuarios/", "username=" + "x" * 1500, content_type="application/x-www-form-urlencoded")
    assert form.status_code == 413  # a plain form over 1000 bytes
    boundary = "----rtg"
    big = "\r\n".join(
        [f"--{boundary}", 'Content-Disposition: form-data; name="f"', "", "y" * 3000, f"--{boundary}--", ""]
    )
    response = web.generic("POST", "/usuarios/", big.encode(), content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "o limite é 1 KB" in response.content.decode()
    assert (
        web.post("/usuarios/", "username=" + "x" * 900, content_type="application/x-www-form-urlencoded").status_code
        != 413
    )


@pytest.mark.parametrize("bad", ["Caneca\x00", "Caneca\x07azul", "\x1b[31m", "x\x7f"])
def test_control_characters_in_a_json_body_are_refused_naming_the_field(api, company, bad):
    response = _post(api, "/api/v1/parties", json.dumps({**PARTY, "trade_name": bad}))
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "trade_name"
    assert "controle" in response.json()["details"][0]["message"]
    assert not Party.objects.exists()


def test_nested_fields_and_query_strings_are_checked_too(api):
    assert control_characters({"lines": [{"name": "ok"}, {"name": "a\x00"}]}) == ["lines.1.name"]
    response = api.get("/api/v1/products?q=caneca%00")
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "?q"


def test_tabs_and_line_breaks_stay_allowed(api, company):
    response = _post(api, "/api/v1/parties", json.dumps({**PARTY, "notes": "linha 1\nlinha 2\r\n\tfim"}))
    assert response.status_code == 201, response.content


def test_a_nul_byte_in_a_page_form_never_reaches_the_database(web, company):
    response = web.post("/produtos/novo/", {"sku": "NUL\x00", "name": "Caneca"})
    assert response.status_code in (200, 422)
    assert not Product.objects.filter(sku__startswith="NUL").exists()


def test_control_characters_in_a_page_form_are_refused_naming_the_field(web, company):
    response = web.post("/produtos/novo/", {"sku": "ESC-1", "name": "Caneca\x1b[31m"})
    assert response.status_code == 422
    assert "name" in response.content.decode()
    assert not Product.objects.filter(sku="ESC-1").exists()


def test_a_lone_surrogate_in_json_is_refused_before_postgresql_sees_it(api, company):
    response = api.post("/api/v1/parties", '{"name": "\\ud800"}', content_type="application/json")
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "name"


def _party_text(trade_name_json: str) -> str:
    """PARTY's JSON with `trade_name` written as given (an escape or a raw character, as a client may send)."""
    return json.dumps(PARTY)[:-1] + f', "trade_name": "{trade_name_json}"}}'


@pytest.mark.parametrize(
    "written",
    ["Caneca\\u001B[31m", "Caneca\\b", "Caneca\\f", "Caneca\x7f", "x\\u007F", "\\uDC00", "a\\u0000"],
)
def test_a_control_character_is_found_however_the_json_writes_it(api, company, written):
    """Escapes in either case, the short ones and DEL sent raw: the guard looks at the text only when it may
    hold one, so each way of writing one must lead to the parse."""
    response = _post(api, "/api/v1/parties", _party_text(written).encode())
    assert response.status_code == 422, response.content
    assert response.json()["details"][0]["field"] == "trade_name"
    assert not Party.objects.exists()


def test_a_control_character_in_a_key_or_in_utf16_text_is_found(api, company):
    response = _post(api, "/api/v1/parties", json.dumps({**PARTY, "x\u0007": 1}).encode())
    assert response.json()["details"][0]["field"] == "x\u0007"
    response = _post(api, "/api/v1/parties", _party_text("a\\u0000").encode("utf-16"))
    assert response.status_code == 422, response.content
    assert response.json()["details"][0]["field"] == "trade_name"


def test_text_without_controls_passes_however_it_is_written(api, company):
    """Accents raw or escaped, a pair of surrogates (one character), escaped quotes and backslashes."""
    response = _post(api, "/api/v1/parties", _party_text('Caf\\u00e9 Caf\u00e9 \\ud83d\\ude00 \\"a\\" \\\\b').encode())
    assert response.status_code == 201, response.content
    assert Party.objects.get().trade_name == 'Café Café \U0001f600 "a" \\b'
