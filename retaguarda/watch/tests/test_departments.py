"""A department's manager hears of its escalated occurrences (the administrators while none is chosen), and
each department gets its week in four figures: opened, resolved, late, mean time to resolve."""

import datetime

import pytest
from django.utils import timezone

from retaguarda.core import outbox
from retaguarda.core.actor import Actor, Origin
from retaguarda.core.errors import ValidationFailed
from retaguarda.watch import selectors, services
from retaguarda.watch.models import DepartmentSetting, Occurrence
from retaguarda.watch.tests.conftest import CODE

pytestmark = pytest.mark.django_db


def _late(occ, **delta):
    Occurrence.objects.filter(pk=occ.pk).update(deadline=timezone.now() - datetime.timedelta(**delta))


def _deliver():
    while outbox.deliver_due():
        pass


@pytest.fixture
def admin(make_user):
    return make_user("admin", username="gerente", email="gerente@loja.example")


@pytest.fixture
def occ(fake_rule, run, company):
    fake_rule.found = {7: 3}
    run()
    _deliver()  # the opening's own mail, out of the way
    return Occurrence.objects.get(company=company, rule=CODE)


def test_an_escalation_tells_the_administrators_while_the_department_has_no_manager(
    occ, company, admin, make_user, mailoutbox
):
    make_user("stock", email="estoque@loja.example")
    mailoutbox.clear()
    _late(occ, minutes=5)

    services.escalate(company.pk)
    _deliver()
    _deliver()  # a retried delivery mails nothing twice

    [mail] = mailoutbox
    assert mail.to == ["gerente@loja.example"]
    assert "Coisa 7" in mail.subject + mail.body and f"/ocorrencias/{occ.pk}/" in mail.body


def test_an_escalation_tells_the_chosen_manager_only(occ, company, admin, make_user, mailoutbox):
    boss = make_user("stock", username="chefe", email="chefe.estoque@loja.example")
    services.save_department_manager(actor=Actor(admin, Origin.WEB, company.pk), department="stock", manager_id=boss.pk)
    mailoutbox.clear()
    _late(occ, minutes=5)

    services.escalate(company.pk)
    _deliver()

    assert [m.to for m in mailoutbox] == [["chefe.estoque@loja.example"]]
    assert services.escalate(company.pk) == [] and not outbox.deliver_due()  # nothing new: no mail


def test_the_manager_must_be_an_active_user_of_the_company(company, admin, make_user, make_company):
    actor = Actor(admin, Origin.WEB, company.pk)
    stranger = make_user("stock", companies=[make_company()])
    with pytest.raises(ValidationFailed):
        services.save_department_manager(actor=actor, department="stock", manager_id=stranger.pk)
    with pytest.raises(ValidationFailed):
        services.save_department_manager(actor=actor, department="nowhere", manager_id=None)
    assert not DepartmentSetting.objects.exists()


def test_the_digest_counts_the_week_per_department(fake_rule, run, company, stock_actor):
    fake_rule.found = {1: 1, 2: 2, 3: 3}
    run()
    now = timezone.now()
    one, two, three = Occurrence.objects.filter(company=company, rule=CODE).order_by("subject_id")
    Occurrence.objects.filter(pk=one.pk).update(opened_at=now - datetime.timedelta(hours=10))
    services.resolve(one.pk, actor=stock_actor)  # by hand, 10 hours after it opened
    fake_rule.found = {3: 3}  # 1 gone too, or the run would reopen what was resolved by hand
    Occurrence.objects.filter(pk=two.pk).update(opened_at=now - datetime.timedelta(hours=4))
    run()  # 2 clears by itself, 4 hours after it opened
    _late(three, hours=1)
    old = Occurrence.objects.filter(pk=three.pk)
    old.update(opened_at=now - datetime.timedelta(days=20))  # opened before the week: late, not opened in it

    [row] = selectors.digest(company.pk, start=now - datetime.timedelta(days=7), end=timezone.now())
    assert (row.code, row.opened, row.resolved, row.late) == ("stock", 2, 2, 1)
    assert abs(row.mean_to_resolve - datetime.timedelta(hours=7)) < datetime.timedelta(minutes=1)
    assert selectors.digest(company.pk, start=now - datetime.timedelta(days=7), end=now, departments=["finance"]) == []


def test_the_weekly_digest_mails_each_department_its_figures(fake_rule, run, company, admin, make_user, mailoutbox):
    make_user("stock", email="estoque@loja.example")
    fake_rule.found = {1: 1}
    run()
    _deliver()
    mailoutbox.clear()

    assert services.send_digest(company.pk) == 1
    _deliver()

    [mail] = mailoutbox
    assert sorted(mail.to) == ["estoque@loja.example", "gerente@loja.example"]
    assert "1" in mail.body and "/ocorrencias/departamentos/" in mail.body


def test_the_departments_page_shows_the_week_and_saves_a_manager(fake_rule, run, company, admin, client, make_user):
    fake_rule.found = {1: 1}
    run()
    boss = make_user("stock", username="chefe")
    client.force_login(admin)

    page = client.get("/ocorrencias/departamentos/")
    assert page.status_code == 200
    assert 'data-department="stock"' in page.content.decode()

    answer = client.post("/ocorrencias/departamentos/stock/", {"manager": str(boss.pk)})
    assert answer.status_code == 302
    assert DepartmentSetting.objects.get(company=company, department="stock").manager == boss
    assert client.post("/ocorrencias/departamentos/nowhere/", {"manager": ""}).status_code == 404
