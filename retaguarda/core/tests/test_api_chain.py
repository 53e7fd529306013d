"""A program's API request (a bearer token) runs the API's own middleware list; a browser's keeps the pages'."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"}


def _security_headers_are_there(response):
    for name, value in SECURITY_HEADERS.items():
        assert response[name] == value
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Content-Length"] == str(len(response.content))


def test_a_token_request_skips_the_session_and_keeps_the_security_headers(api):
    response = api.get("/api/v1/auth/me")
    assert response.status_code == 200
    _security_headers_are_there(response)
    request = response.wsgi_request
    # No session, CSRF, messages or htmx ran for it; the identity did.
    assert not hasattr(request, "session") and not hasattr(request, "_messages") and not hasattr(request, "htmx")
    assert request.auth_method == "token" and request.user.is_authenticated
    assert "Cookie" not in response.get("Vary", "") and not response.cookies


def test_the_token_scheme_is_read_in_any_case(api_client_for, admin_user):
    client = api_client_for(admin_user)
    raw = client.defaults["HTTP_AUTHORIZATION"].split(" ", 1)[1]
    response = Client(headers={"Authorization": f"bearer {raw}"}).get("/api/v1/auth/me")
    assert response.status_code == 200
    assert not hasattr(response.wsgi_request, "session")


def test_an_unknown_token_is_refused_in_the_api_chain_as_before(db):
    response = Client(headers={"Authorization": "Bearer not-a-token"}).get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "access.unauthenticated"
    _security_headers_are_there(response)


def test_an_unknown_api_path_with_a_token_answers_the_error_body(api):
    response = api.get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response.json()["code"] == "core.not_found"


def test_the_request_guard_still_stands_before_a_token_request(api, settings):
    settings.MAX_BODY_BYTES = 100
    response = api.post("/api/v1/parties", json.dumps({"notes": "x" * 500}), content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "core.too_large"


def test_the_browser_using_the_api_keeps_its_session_and_csrf(admin_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    me = browser.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert hasattr(me.wsgi_request, "session") and me.wsgi_request.auth_method == "session"
    # A write without the CSRF token is refused, as on any page.
    refused = browser.post("/api/v1/parties", json.dumps({}), content_type="application/json")
    assert refused.status_code == 403


def test_pages_run_the_page_list(web):
    response = web.get("/")
    assert hasattr(response.wsgi_request, "session") and hasattr(response.wsgi_request, "htmx")
