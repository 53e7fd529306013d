"""The administrator's page of event deliveries that failed or are retrying."""

import pytest
from django.utils import timezone

from retaguarda.core import outbox
from retaguarda.core.models import AuditRecord, OutboxDelivery

pytestmark = pytest.mark.django_db

State = OutboxDelivery.State


def _refuses(event):
    raise ConnectionError("webhook answered 503")


@pytest.fixture
def failing():
    outbox.register("tests.page.event", _refuses, name="tests.page.refuses")
    yield
    outbox.unregister("tests.page.refuses")


def _failed_delivery(company, *, final=True) -> OutboxDelivery:
    event = outbox.emit("tests.page.event", {"n": 1}, company_id=company.pk)
    outbox.deliver_due()
    delivery = OutboxDelivery.objects.get(event=event)
    if final:
        OutboxDelivery.objects.filter(pk=delivery.pk).update(state=State.FAILED)
    return delivery


def test_the_page_lists_failed_and_retrying_deliveries_of_the_company(web, company, make_company, failing):
    failed = _failed_delivery(company)
    retrying = _failed_delivery(company, final=False)
    elsewhere = _failed_delivery(make_company())

    html = web.get("/entregas-de-eventos/").content.decode()

    assert "webhook answered 503" in html
    assert f"#{failed.event_id}" in html and f"#{retrying.event_id}" in html
    assert f"#{elsewhere.event_id} " not in html
    assert "Falhou" in html and "Tentando de novo" in html
    only_failed = web.get("/entregas-de-eventos/", {"state": "failed"}).content.decode()
    assert f"#{failed.event_id}" in only_failed and f"#{retrying.event_id}" not in only_failed


def test_retrying_makes_the_delivery_due_now_and_is_audited(web, company, failing):
    delivery = _failed_delivery(company)

    response = web.post(f"/entregas-de-eventos/{delivery.pk}/tentar-de-novo/")

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == State.PENDING and delivery.next_attempt_at <= timezone.now()
    record = AuditRecord.objects.get(action="retried")
    assert record.object_id == str(delivery.pk) and record.company_id == company.pk


def test_another_companys_delivery_cannot_be_retried(web, make_company, failing):
    foreign = _failed_delivery(make_company())

    assert web.post(f"/entregas-de-eventos/{foreign.pk}/tentar-de-novo/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.state == State.FAILED


def test_the_page_is_for_administrators(client, make_user):
    client.force_login(make_user("sales"))

    assert client.get("/entregas-de-eventos/").status_code == 403


def test_the_page_runs_a_fixed_number_of_queries(web, company, failing, django_assert_max_num_queries):
    _failed_delivery(company)
    with django_assert_max_num_queries(12) as few:
        web.get("/entregas-de-eventos/")
    for _ in range(30):
        _failed_delivery(company)
    with django_assert_max_num_queries(len(few.captured_queries)):
        web.get("/entregas-de-eventos/")
