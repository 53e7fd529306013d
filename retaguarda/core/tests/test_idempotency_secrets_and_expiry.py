"""Idempotency keys never keep a secret, replay for 24 hours only, and are purged by a periodic task."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from retaguarda.core import idempotency, periodic
from retaguarda.core.api import _carries_secret
from retaguarda.core.models import IdempotencyKey
from retaguarda.parties.models import Party

pytestmark = pytest.mark.django_db

PARTY = {"document": "12.ABC.345/01DE-35", "legal_name": "Mercado Nova Era Ltda", "is_customer": True}


def _post(api, path, body, key):
    return api.post(path, json.dumps(body), content_type="application/json", headers={"Idempotency-Key": key})


def test_a_token_created_with_an_idempotency_key_is_found_nowhere_in_the_database(api):
    first = _post(api, "/api/v1/auth/tokens", {"name": "loja virtual"}, "tok-1")
    second = _post(api, "/api/v1/auth/tokens", {"name": "loja virtual"}, "tok-1")
    assert first.status_code == second.status_code == 201
    raws = [first.json()["token"], second.json()["token"]]
    assert raws[0] != raws[1]  # never replayed: a replay would need the raw token kept somewhere
    assert "Idempotent-Replayed" not in second
    for model in apps.get_models():
        for row in model._base_manager.values():
            dumped = repr(row)
            assert not any(raw in dumped for raw in raws), f"{model._meta.label} holds a raw token"


@pytest.mark.parametrize(
    "body, secret",
    [
        ({"id": 1, "name": "x"}, False),
        ({"id": 1, "token": "rtg_..."}, True),
        ({"items": [{"id": 1, "password": "x"}]}, True),
        ([{"settings": {"csc": "123"}}], True),
        (None, False),
    ],
)
def test_answers_carrying_a_secret_are_recognised(body, secret):
    assert _carries_secret(body) is secret


def test_a_key_older_than_a_day_starts_afresh(api, company):
    first = _post(api, "/api/v1/parties", PARTY, "old-1")
    assert first.status_code == 201, first.content
    IdempotencyKey.objects.filter(key="old-1").update(created_at=timezone.now() - timedelta(hours=25))
    Party.objects.filter(pk=first.json()["id"]).delete()  # so the same document can be registered again

    again = _post(api, "/api/v1/parties", {**PARTY, "legal_name": "Outro nome"}, "old-1")

    assert again.status_code == 201, again.content
    assert "Idempotent-Replayed" not in again
    assert again.json()["legal_name"] == "Outro nome"
    assert IdempotencyKey.objects.filter(key="old-1").count() == 1


def test_a_key_within_the_day_still_replays(api, company):
    first = _post(api, "/api/v1/parties", PARTY, "day-1")
    IdempotencyKey.objects.filter(key="day-1").update(created_at=timezone.now() - timedelta(hours=23))
    again = _post(api, "/api/v1/parties", PARTY, "day-1")
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


def test_the_periodic_purge_deletes_expired_keys_only(admin_user):
    now = timezone.now()
    for key, age in (("fresh", 1), ("stale", 25), ("ancient", 24 * 30)):
        entry = IdempotencyKey.objects.create(
            user=admin_user, key=key, method="POST", path="/x", request_hash="h", status=201, response={}
        )
        IdempotencyKey.objects.filter(pk=entry.pk).update(created_at=now - timedelta(hours=age))

    assert idempotency.purge_expired(now) == 2
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
    registered = periodic.REGISTRY["retaguarda.core.tasks.purge_idempotency_keys"]
    assert registered.every <= timedelta(hours=1)
