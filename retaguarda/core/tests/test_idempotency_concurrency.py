"""The same Idempotency-Key sent by several clients at once creates one thing, on both engines."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from retaguarda.access import services
from retaguarda.core.actor import Actor, Origin
from retaguarda.parties.models import Party

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

PARTY = {"document": "12.ABC.345/01DE-35", "legal_name": "Mercado Nova Era Ltda", "is_customer": True}


def test_a_retry_storm_with_one_key_creates_one_party(admin_user, company):
    _token, raw = services.issue_token(admin_user, "tests", actor=Actor(admin_user, Origin.CLI))
    barrier = threading.Barrier(6)
    answers: list = [None] * 6

    def send(i):
        try:
            client = Client(headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "storm-1"})
            barrier.wait(timeout=30)
            response = client.post("/api/v1/parties", json.dumps(PARTY), content_type="application/json")
            answers[i] = (response.status_code, response.json())
        except Exception as exc:  # asserted below
            answers[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert all(isinstance(a, tuple) and a[0] == 201 for a in answers), answers
    assert len({a[1]["id"] for a in answers}) == 1  # every client got the same answer
    assert Party.objects.filter(company=company).count() == 1
