"""/api/v1/watch: status codes, error codes, scope."""

import pytest

from retaguarda.watch.models import Occurrence
from retaguarda.watch.tests.conftest import CODE

URL = "/api/v1/watch"


@pytest.fixture
def occ(fake_rule, run, company):
    fake_rule.found = {7: 3}
    run()
    return Occurrence.objects.get(company=company, rule=CODE)


def test_occurrences_are_listed_and_retrieved_with_their_steps(api, occ):
    page = api.get(f"{URL}/occurrences").json()
    assert [o["id"] for o in page["items"]] == [occ.pk]
    body = api.get(f"{URL}/occurrences/{occ.pk}").json()
    assert body["explanation"] == "N vale 3" and [s["text"] for s in body["steps"]] == [
        "Primeiro passo",
        "Segundo passo",
    ]
    assert body["late"] is False


def test_another_companys_occurrence_is_404(api_client_for, make_user, make_company, occ):
    other = make_company()
    outsider = api_client_for(make_user("admin", companies=[other]))
    assert outsider.get(f"{URL}/occurrences/{occ.pk}").status_code == 404
    assert outsider.post(f"{URL}/occurrences/{occ.pk}/acknowledge").status_code == 404


def test_working_an_occurrence_through_the_api(api, occ, admin_user):
    assert (
        api.post(
            f"{URL}/occurrences/{occ.pk}/assign", {"assignee_id": admin_user.pk}, content_type="application/json"
        ).json()["assignee_id"]
        == admin_user.pk
    )
    comment = api.post(f"{URL}/occurrences/{occ.pk}/comment", {"text": "Ligo amanhã"}, content_type="application/json")
    assert comment.status_code == 201
    checked = api.post(
        f"{URL}/occurrences/{occ.pk}/steps/1/check", {"done": True}, content_type="application/json"
    ).json()
    assert checked["state"] == "in_progress" and checked["steps"][0]["done_at"]
    resolved = api.post(f"{URL}/occurrences/{occ.pk}/resolve", {"note": "ok"}, content_type="application/json").json()
    assert resolved["state"] == "resolved"
    again = api.post(f"{URL}/occurrences/{occ.pk}/resolve", {"note": "ok"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "core.invalid_transition"


def test_dismissing_without_a_reason_is_422(api, occ):
    response = api.post(f"{URL}/occurrences/{occ.pk}/dismiss", {"reason": " "}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "watch.reason_required"


def test_unknown_fields_are_refused(api, occ):
    response = api.post(
        f"{URL}/occurrences/{occ.pk}/dismiss", {"reason": "x", "state": "open"}, content_type="application/json"
    )
    assert response.status_code == 422


def test_a_stale_plan_is_409(api, occ):
    first = api.post(
        f"{URL}/occurrences/{occ.pk}/plan",
        {"version": occ.version, "action_plan": "a"},
        content_type="application/json",
    )
    assert first.status_code == 200
    stale = api.post(
        f"{URL}/occurrences/{occ.pk}/plan",
        {"version": occ.version, "action_plan": "b"},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "core.stale_version"


def test_rules_and_their_settings(api):
    rules = {r["code"]: r for r in api.get(f"{URL}/rules").json()}
    assert rules["inventory.stale_reservation"]["params"][0]["value"] == 7
    bad = api.put(
        f"{URL}/rules/inventory.stale_reservation/settings", {"params": {"days": 0}}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "days"
    good = api.put(
        f"{URL}/rules/inventory.stale_reservation/settings",
        {"enabled": False, "params": {"days": 3}},
        content_type="application/json",
    )
    assert good.json()["enabled"] is False and good.json()["params"][0]["value"] == 3
    assert api.put(f"{URL}/rules/nope/settings", {}, content_type="application/json").status_code == 404


def test_routines_are_created_by_administrators_and_run(api, api_client_for, make_user):
    body = {
        "name": "Exportar XML ao contador",
        "department": "fiscal",
        "frequency": "monthly",
        "month_day": 5,
        "checklist": "Gerar zip\nEnviar",
    }
    created = api.post(f"{URL}/routines", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["month_day"] == 5
    bad = api.post(f"{URL}/routines", {**body, "month_day": 31}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "month_day"
    stock = api_client_for(make_user("stock"))
    assert stock.post(f"{URL}/routines", body, content_type="application/json").status_code == 403
    assert api.post(f"{URL}/run").status_code == 200
