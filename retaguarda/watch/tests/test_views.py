"""The watch pages: inbox by department (fixed queries), an occurrence worked through its plan, routines,
rules; each user sees their own departments."""

import pytest
from django.urls import reverse

from retaguarda.watch import registry
from retaguarda.watch.models import Occurrence, Routine, RuleSetting
from retaguarda.watch.registry import Finding, Rule, integer
from retaguarda.watch.states import OccurrenceState, Severity
from retaguarda.watch.tests.conftest import CODE

S = OccurrenceState


@pytest.fixture
def finance_rule():
    found = {}
    registry.register(
        Rule(
            "test.finance",
            "Problema do financeiro",
            "finance",
            Severity.CRITICAL,
            lambda cid, p: [
                Finding("test.money", k, f"Dinheiro {k}", {"n": integer(v, "N")}) for k, v in found.items()
            ],
        )
    )
    yield found
    registry.REGISTRY.pop("test.finance", None)


@pytest.mark.parametrize("size", [1, 20])
def test_the_inbox_runs_a_fixed_number_of_queries(web, fake_rule, run, size, django_assert_max_num_queries):
    fake_rule.found = {i: i for i in range(size)}
    run()
    with django_assert_max_num_queries(9):
        response = web.get(reverse("watch:inbox"))
    assert response.status_code == 200
    assert response.content.decode().count("Coisa com problema") == size


def test_a_department_sees_its_own_occurrences_only(client, fake_rule, finance_rule, run, stock_user):
    fake_rule.found = {1: 1}
    finance_rule[2] = 2
    run(codes=[CODE, "test.finance"])
    finance_occ = Occurrence.objects.get(rule="test.finance")
    client.force_login(stock_user)

    page = client.get(reverse("watch:inbox")).content.decode()

    assert "Coisa 1" in page and "Dinheiro 2" not in page
    assert client.get(reverse("watch:occurrence", args=[finance_occ.pk])).status_code == 404


def test_an_occurrence_page_shows_figures_plan_and_history(web, fake_rule, run):
    fake_rule.found = {7: 3}
    run()
    occ = Occurrence.objects.get(rule=CODE)

    page = web.get(reverse("watch:occurrence", args=[occ.pk])).content.decode()

    assert "N vale 3" in page and "Primeiro passo" in page and "/coisa/7/" in page
    assert "encontrada pela regra" in page or "found by the rule" in page


def test_checking_a_step_with_htmx_answers_the_steps_fragment(web, fake_rule, run):
    fake_rule.found = {7: 3}
    run()
    occ = Occurrence.objects.get(rule=CODE)

    response = web.post(reverse("watch:step", args=[occ.pk, 1]), {"done": "1"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<html" not in response.content.decode() and "☑" in response.content.decode()
    occ.refresh_from_db()
    assert occ.state == S.IN_PROGRESS


def test_dismissing_without_a_reason_keeps_the_page_and_says_why(web, fake_rule, run):
    fake_rule.found = {7: 3}
    run()
    occ = Occurrence.objects.get(rule=CODE)

    response = web.post(reverse("watch:action", args=[occ.pk, "dismiss"]), {"reason": ""})

    assert response.status_code == 200
    assert "Diga por que a ocorrência é descartada." in response.content.decode()
    occ.refresh_from_db()
    assert occ.state == S.OPEN


def test_a_plan_with_a_bad_deadline_keeps_what_was_typed(web, fake_rule, run):
    fake_rule.found = {7: 3}
    run()
    occ = Occurrence.objects.get(rule=CODE)

    response = web.post(
        reverse("watch:action", args=[occ.pk, "plan"]),
        {"version": occ.version, "action_plan": "Ligar para o fornecedor", "deadline": "amanhã"},
    )

    assert response.status_code == 200
    assert "Ligar para o fornecedor" in response.content.decode()
    occ.refresh_from_db()
    assert occ.action_plan == ""


def test_resolving_and_bulk_assigning_from_the_pages(web, fake_rule, run, admin_user):
    fake_rule.found = {1: 1, 2: 2}
    run()
    first, second = Occurrence.objects.filter(rule=CODE).order_by("subject_id")

    web.post(reverse("watch:bulk_assign"), {"ids": [first.pk, second.pk], "assignee": admin_user.pk})
    web.post(reverse("watch:action", args=[first.pk, "resolve"]), {"note": "feito"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.assignee == second.assignee == admin_user
    assert (first.state, first.close_reason) == (S.RESOLVED, "feito")


def test_routines_are_created_listed_and_shown_done_or_late(web, company):
    response = web.post(
        reverse("watch:routine_new"),
        {
            "name": "Fechamento de caixa",
            "department": "finance",
            "frequency": "daily",
            "due_hour": "18",
            "checklist": "Contar\nConferir",
            "severity": "medium",
            "active": "1",
        },
    )
    routine = Routine.objects.get(company=company)
    assert response.status_code == 302
    web.post(reverse("watch:run"))

    page = web.get(reverse("watch:routines")).content.decode()
    assert "Fechamento de caixa" in page
    assert routine.occurrences.count() == 1


def test_a_bad_routine_keeps_what_was_typed(web):
    response = web.post(
        reverse("watch:routine_new"),
        {"name": "Contagem cíclica", "department": "stock", "frequency": "weekly", "checklist": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Contagem cíclica" in page
    assert "Escolha o dia da semana." in page and "Escreva ao menos um passo, um por linha." in page


def test_rules_page_lists_rules_and_saves_thresholds(web, company):
    page = web.get(reverse("watch:rules")).content.decode()
    assert "inventory.below_minimum" in page and "finance.receivable_overdue" in page

    web.post(reverse("watch:rule_settings", args=["inventory.stale_reservation"]), {"enabled": "1", "days": "3"})
    assert RuleSetting.objects.get(company=company, rule="inventory.stale_reservation").params == {"days": 3}


def test_only_administrators_manage_rules_and_routines(client, stock_user):
    client.force_login(stock_user)
    assert client.get(reverse("watch:routine_new")).status_code == 403
    assert client.post(reverse("watch:run")).status_code == 403
    assert client.get(reverse("watch:routines")).status_code == 200


def test_the_menu_count_loads_after_the_page_and_counts_my_departments(
    client, fake_rule, finance_rule, run, stock_user
):
    fake_rule.found = {1: 1, 2: 2}
    finance_rule[3] = 3
    run(codes=[CODE, "test.finance"])
    client.force_login(stock_user)

    page = client.get(reverse("watch:routines")).content.decode()
    badge = client.get(reverse("watch:badge")).content.decode()

    assert f'hx-get="{reverse("watch:badge")}"' in page
    assert ">2</span>" in badge  # the stock department's two, not finance's
