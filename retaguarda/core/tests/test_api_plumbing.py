import json

import pytest
from django.test import Client

from retaguarda.core.errors import InvalidTransition
from retaguarda.core.models import AuditRecord, IdempotencyKey
from retaguarda.core.pagination import keyset_page

pytestmark = pytest.mark.django_db


def test_health_reports_database_migrations_and_worker():
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] is True
    assert body["migrations_applied"] is True
    assert body["worker_heartbeat_age_seconds"] is None  # no worker has reported in tests


def test_health_shows_the_worker_heartbeat_age():
    from retaguarda.core.periodic import beat

    beat("w1")
    age = Client().get("/api/v1/health").json()["worker_heartbeat_age_seconds"]
    assert age is not None and 0 <= age < 5


def test_openapi_schema_and_docs_page_are_served(api):
    schema = api.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/auth/token" in schema.json()["paths"]
    docs = api.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()  # assets come from our own static files


def test_unknown_api_route_answers_json_404(api):
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "core.not_found"


def test_validation_errors_name_the_field_in_portuguese(sales_user):
    response = Client().post("/api/v1/auth/token", json.dumps({"username": "x"}), content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "core.validation"
    assert {"field": "password", "message": "Campo obrigatório."} in body["details"]


def test_keyset_pagination_walks_every_row_once(actor, company):
    from retaguarda.core import audit

    for i in range(7):
        audit.record(actor, company, f"a{i}")
    seen, cursor = [], None
    while True:
        rows, cursor = keyset_page(AuditRecord.objects.filter(action__startswith="a"), cursor=cursor, limit=3)
        seen += [r.action for r in rows]
        if cursor is None:
            break
    assert seen == [f"a{i}" for i in reversed(range(7))]


def test_keyset_pagination_over_two_fields(actor, company):
    from retaguarda.core import audit

    for name in ["b", "a", "b", "a", "c"]:
        audit.record(actor, company, name)
    qs = AuditRecord.objects.filter(action__in=["a", "b", "c"])
    first, cursor = keyset_page(qs, cursor=None, limit=2, ordering=("action", "id"))
    second, cursor2 = keyset_page(qs, cursor=cursor, limit=10, ordering=("action", "id"))
    assert [r.action for r in first + second] == ["a", "a", "b", "b", "c"]
    assert cursor2 is None


def test_a_bad_cursor_is_a_422(api):
    response = api.get("/api/v1/audit?cursor=!!!")
    assert response.status_code == 422


PARTY = {"document": "12.ABC.345/01DE-35", "legal_name": "Mercado Nova Era Ltda", "is_customer": True}


def test_idempotency_key_replays_the_first_answer_once(api, company):
    from retaguarda.parties.models import Party

    send = lambda body: api.post(  # noqa: E731
        "/api/v1/parties", json.dumps(body), content_type="application/json", headers={"Idempotency-Key": "k-1"}
    )
    first = send(PARTY)
    second = send(PARTY)
    assert first.status_code == second.status_code == 201, first.content
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Party.objects.filter(company=company).count() == 1
    conflict = send({**PARTY, "legal_name": "Outro nome"})
    assert conflict.status_code == 422
    assert conflict.json()["code"] == "core.idempotency_conflict"
    assert Party.objects.filter(company=company).count() == 1  # the route ran, and was rolled back


@pytest.mark.parametrize("key", ["", "a b", "chave-é", "k" * 201])
def test_a_key_the_document_forbids_is_refused_not_ignored(api, company, key):
    from retaguarda.parties.models import Party

    answer = api.post(
        "/api/v1/parties", json.dumps(PARTY), content_type="application/json", headers={"Idempotency-Key": key}
    )
    assert answer.status_code == 422, answer.content
    assert "Chave de idempotência" in answer.json()["message"]
    assert not Party.objects.filter(company=company).exists()


def test_without_a_key_each_post_creates(api, admin_user):
    from retaguarda.access.models import ApiToken

    before = ApiToken.objects.filter(user=admin_user).count()
    for _ in range(2):
        api.post("/api/v1/auth/tokens", json.dumps({"name": "x"}), content_type="application/json")
    assert ApiToken.objects.filter(user=admin_user).count() == before + 2


def test_state_transition_errors_are_409_with_code():
    assert InvalidTransition.status == 409
    assert InvalidTransition.code == "core.invalid_transition"


@pytest.mark.parametrize("path", ["/", "/auditoria/", "/usuarios/", "/conta/tokens/", "/conta/senha/"])
def test_shell_pages_render_in_portuguese(web, path):
    response = web.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="pt-BR"' in html
    assert "Sair" in html and "Auditoria" in html


def test_no_traceback_leaks_with_debug_off(web, settings):
    settings.DEBUG = False
    response = web.get("/produtos-que-nao-existem/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()
    assert "Página não encontrada." in response.content.decode()


def test_idempotency_keys_are_unique_per_user(admin_user):
    IdempotencyKey.objects.create(
        user=admin_user, key="k", method="POST", path="/x", request_hash="a", status=201, response={}
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        IdempotencyKey.objects.create(
            user=admin_user, key="k", method="POST", path="/x", request_hash="b", status=201, response={}
        )


def test_a_request_body_is_validated_once(monkeypatch):
    """Each value of a body goes through the decimal reader once (ninja's Schema validated a body that
    forbids extra fields twice), and an unknown field is still refused."""
    from decimal import Decimal

    from pydantic import ValidationError

    from retaguarda.core import decimals
    from retaguarda.core.api import StrictSchema

    class LineIn(StrictSchema):
        quantity: Decimal

    class BodyIn(StrictSchema):
        freight: Decimal
        lines: list[LineIn]

    read = []
    real = decimals.read_decimal
    monkeypatch.setattr(decimals, "read_decimal", lambda value, **kw: read.append(value) or real(value, **kw))
    body = BodyIn.model_validate({"freight": "1.50", "lines": [{"quantity": "2"}, {"quantity": 3}]})
    assert body.lines[1].quantity == Decimal(3) and body.freight == Decimal("1.50")
    assert read == ["1.50", "2", 3]
    with pytest.raises(ValidationError):
        BodyIn.model_validate({"freight": "1", "lines": [{"quantity": "2", "preco": "1"}]})
