import json

import pytest
from django.test import Client, override_settings

from retaguarda.access import services
from retaguarda.access.errors import InvalidCredentials, LockedOut
from retaguarda.access.models import ApiToken
from retaguarda.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def post_json(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_token_endpoint_returns_a_bearer_token_that_authenticates(sales_user):
    client = Client()
    response = post_json(client, "/api/v1/auth/token", {"username": "vendas", "password": "senha-forte-123"})
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == "vendas"
    assert me.json()["departments"] == ["sales"]


def test_wrong_password_gets_401_with_the_error_body(sales_user):
    response = post_json(Client(), "/api/v1/auth/token", {"username": "vendas", "password": "errada"})
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "access.invalid_credentials"
    assert body["message"] == "Usuário ou senha incorretos."
    assert body["details"] == []


def test_tokens_are_stored_hashed_and_can_be_revoked(sales_user, api_client_for):
    token, raw = services.issue_token(sales_user, "ERP da loja", actor=_actor(sales_user))
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.token_hash, stored.hint)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/auth/me").status_code == 200
    services.revoke_token(token.pk, actor=_actor(sales_user))
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "access.unauthenticated"


def test_an_unknown_token_is_401():
    response = Client().get("/api/v1/auth/me", headers={"Authorization": "Bearer rtg_nope"})
    assert response.status_code == 401


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_repeated_failed_logins_lock_the_username_out(sales_user):
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            services.sign_in("vendas", "errada")
    with pytest.raises(LockedOut):
        services.sign_in("vendas", "senha-forte-123")  # even the right password waits out the window
    response = post_json(Client(), "/api/v1/auth/token", {"username": "vendas", "password": "senha-forte-123"})
    assert response.status_code == 429
    assert response.json()["code"] == "access.locked_out"


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_IP_LIMIT=4)
def test_one_address_guessing_many_usernames_is_locked_out(client, sales_user):
    for n in range(4):
        response = client.post("/entrar/", {"username": f"chute{n}", "password": "x"}, REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 401
    blocked = client.post("/entrar/", {"username": "vendas", "password": "senha-forte-123"}, REMOTE_ADDR="203.0.113.9")
    assert "Muitas tentativas" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    api = post_json(Client(REMOTE_ADDR="203.0.113.9"), "/api/v1/auth/token", {"username": "vendas", "password": "x"})
    assert api.status_code == 429
    elsewhere = client.post(
        "/entrar/", {"username": "vendas", "password": "senha-forte-123"}, REMOTE_ADDR="198.51.100.7"
    )
    assert elsewhere.status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_login_page_locks_out_too(client, sales_user):
    for _ in range(2):
        response = client.post("/entrar/", {"username": "vendas", "password": "x"})
        assert response.status_code == 401
        assert "Usuário ou senha incorretos." in response.content.decode()
    response = client.post("/entrar/", {"username": "vendas", "password": "senha-forte-123"})
    assert "Muitas tentativas" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_page_signs_in_and_redirects_home(client, sales_user):
    response = client.post("/entrar/", {"username": "vendas", "password": "senha-forte-123"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_pages_require_login(client):
    response = client.get("/auditoria/")
    assert response.status_code == 302
    assert response["Location"].startswith("/entrar/")


def test_sales_user_gets_403_on_pages_and_routes_of_administration(client, sales_user, api_client_for):
    client.force_login(sales_user)
    assert client.get("/auditoria/").status_code == 403
    assert client.get("/usuarios/").status_code == 403
    api = api_client_for(sales_user)
    for url in ("/api/v1/audit", "/api/v1/access/users"):
        response = api.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "access.forbidden"


def test_admin_reads_the_audit_log_and_users(web, api):
    assert web.get("/auditoria/").status_code == 200
    assert web.get("/usuarios/").status_code == 200
    assert api.get("/api/v1/audit").status_code == 200
    assert api.get("/api/v1/access/users").status_code == 200


def test_accountant_reads_but_cannot_write(client, accountant_user, api_client_for):
    client.force_login(accountant_user)
    assert client.get("/auditoria/").status_code == 200
    assert client.get("/usuarios/").status_code == 200
    response = client.post("/usuarios/", {"username": "x", "password": "senha-forte-123", "departments": ["sales"]})
    assert response.status_code == 403
    assert accountant_user.has_perm("inventory.view")
    for perm in ("inventory.post", "catalog.change", "parties.change", "access.change", "sales.confirm"):
        assert not accountant_user.has_perm(perm), perm


def test_department_grants(make_user):
    stock = make_user("stock")
    assert stock.has_perm("inventory.post")
    assert not stock.has_perm("finance.view")
    sales = make_user("sales")
    assert sales.has_perm("inventory.reserve")
    assert not sales.has_perm("inventory.post")


def test_session_api_writes_need_the_csrf_token(sales_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_user)
    token = ApiToken.objects.create(user=sales_user, name="x", token_hash="h" * 64, hint="rtg_x")
    response = client.post(f"/api/v1/auth/tokens/{token.pk}/revoke")
    assert response.status_code == 403


def test_creating_a_user_is_audited(web, admin_user):
    response = web.post(
        "/usuarios/", {"username": "maria", "password": "senha-forte-123", "departments": ["sales", "finance"]}
    )
    assert response.status_code == 302
    record = AuditRecord.objects.filter(object_type="access.user", action="created").latest("id")
    assert record.user == admin_user
    assert record.origin == "web"
    assert record.changes["username"] == [None, "maria"]
    assert record.changes["memberships"] == [None, {str(admin_user.default_company_id): ["finance", "sales"]}]


def test_password_change_is_audited_and_keeps_the_session(client, sales_user):
    client.force_login(sales_user)
    response = client.post(
        "/conta/senha/",
        {"old_password": "senha-forte-123", "new_password1": "outra-senha-456", "new_password2": "outra-senha-456"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditRecord.objects.filter(object_type="access.user", action="password_changed").exists()
    services.sign_in("vendas", "outra-senha-456")


def test_tokens_page_shows_the_raw_token_once_and_lists_it(client, sales_user):
    client.force_login(sales_user)
    response = client.post("/conta/tokens/", {"name": "Integração loja virtual"})
    html = response.content.decode()
    assert "rtg_" in html and "Integração loja virtual" in html
    again = client.get("/conta/tokens/").content.decode()
    token = ApiToken.objects.get(user=sales_user)
    assert token.hint in again
    assert html.count("rtg_") > again.count("rtg_")  # the full value is not shown again


def test_users_cannot_switch_to_a_company_they_do_not_belong_to(client, make_company, make_user, company):
    other = make_company()
    user = make_user("sales", companies=[company])
    client.force_login(user)
    client.post("/conta/empresa/", {"company": other.pk})
    assert client.session.get("company_id") is None
    me = client.get("/api/v1/auth/me").json()
    assert me["company_id"] == company.pk


def _actor(user):
    from retaguarda.core.actor import Actor, Origin

    return Actor(user, Origin.CLI)


def test_passwords_are_hashed_with_compact_argon2id(settings):
    from django.contrib.auth.hashers import check_password, identify_hasher, make_password

    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    encoded = make_password("senha-forte-123")
    assert encoded.startswith("argon2$argon2id$")
    assert "m=19456,t=2,p=1" in encoded
    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password("senha-forte-123", encoded)
