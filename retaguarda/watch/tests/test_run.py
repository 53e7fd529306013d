"""A run opens one occurrence per finding, refreshes it, resolves it when the finding goes away and
reopens it when it returns; the same number of queries whatever the number of findings."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retaguarda.core.models import AuditRecord, DocumentEvent
from retaguarda.core.states import timeline
from retaguarda.watch import services
from retaguarda.watch.models import Occurrence, RuleSetting, RunState
from retaguarda.watch.states import DEADLINE, OccurrenceState, Resolution, Severity
from retaguarda.watch.tests.conftest import CODE

S = OccurrenceState


def test_a_finding_opens_one_occurrence_with_its_plan_deadline_and_figures(fake_rule, run, company):
    fake_rule.found = {7: 3}
    before = timezone.now()

    summary = run()

    occ = Occurrence.objects.get(company=company, rule=CODE)
    assert (summary.found, summary.opened) == (1, 1)
    assert (occ.subject_type, occ.subject_id, occ.subject_label, occ.subject_url) == (
        "test.thing",
        "7",
        "Coisa 7",
        "/coisa/7/",
    )
    assert (occ.state, occ.department, occ.severity, occ.title) == (
        S.OPEN,
        "stock",
        Severity.HIGH,
        "Coisa com problema",
    )
    assert occ.explanation == "N vale 3"
    assert occ.figures == {"n": {"label": "N", "value": 3, "kind": "int"}}
    assert before + DEADLINE[Severity.HIGH] <= occ.deadline <= timezone.now() + DEADLINE[Severity.HIGH]
    assert [s.text for s in occ.steps.all()] == ["Primeiro passo", "Segundo passo"]
    assert [(e.from_state, e.to_state, e.payload["reason"]) for e in timeline(occ)] == [("", "open", "found")]
    assert AuditRecord.objects.filter(object_type="watch.occurrence", object_id=str(occ.pk), action="opened").exists()


def test_running_again_opens_nothing_twice_and_refreshes_the_figures(fake_rule, run, company):
    fake_rule.found = {7: 3}
    run()
    fake_rule.found = {7: 5}

    summary = run()

    occ = Occurrence.objects.get(company=company, rule=CODE)
    assert (summary.opened, summary.refreshed) == (0, 1)
    assert occ.explanation == "N vale 5"
    assert Occurrence.objects.filter(company=company).count() == 1


def test_an_occurrence_resolves_itself_when_the_finding_goes_away(fake_rule, run, company):
    fake_rule.found = {7: 3}
    run()
    fake_rule.found = {}

    summary = run()

    occ = Occurrence.objects.get(company=company, rule=CODE)
    assert summary.resolved == 1
    assert (occ.state, occ.resolution, occ.firing) == (S.RESOLVED, Resolution.CLEARED, False)
    assert occ.closed_at is not None
    assert [e.payload["reason"] for e in timeline(occ)] == ["found", "cleared"]


def test_a_problem_that_returns_reopens_the_same_occurrence(fake_rule, run, company):
    fake_rule.found = {7: 3}
    run()
    fake_rule.found = {}
    run()
    fake_rule.found = {7: 4}

    summary = run()

    occ = Occurrence.objects.get(company=company, rule=CODE)
    assert summary.reopened == 1
    assert (occ.state, occ.times_opened, occ.closed_at, occ.resolution) == (S.OPEN, 2, None, "")
    assert [e.to_state for e in timeline(occ)] == ["open", "resolved", "open"]


def test_resolved_by_hand_while_still_found_reopens_on_the_next_run(fake_rule, run, company, stock_actor):
    fake_rule.found = {7: 3}
    run()
    occ = Occurrence.objects.get(company=company, rule=CODE)
    services.resolve(occ.pk, actor=stock_actor, note="Recebi a mercadoria")

    run()

    occ.refresh_from_db()
    assert occ.state == S.OPEN
    assert [e.to_state for e in timeline(occ)] == ["open", "resolved", "open"]


def test_dismissed_stays_dismissed_while_found_and_reopens_when_it_clears_and_returns(
    fake_rule, run, company, stock_actor
):
    fake_rule.found = {7: 3}
    run()
    occ = Occurrence.objects.get(company=company, rule=CODE)
    services.dismiss(occ.pk, actor=stock_actor, reason="Produto de mostruário")

    run()
    occ.refresh_from_db()
    assert occ.state == S.DISMISSED

    fake_rule.found = {}
    run()
    fake_rule.found = {7: 1}
    run()
    occ.refresh_from_db()
    assert occ.state == S.OPEN


def test_a_disabled_rule_does_not_run_and_settings_override_thresholds(fake_rule, run, company):
    RuleSetting.objects.create(company=company, rule=CODE, enabled=True, params={"limit": 9, "unknown": 1})
    run()
    assert fake_rule.calls[-1] == (company.pk, {"limit": 9})

    RuleSetting.objects.filter(company=company, rule=CODE).update(enabled=False)
    fake_rule.found = {1: 1}
    assert run().rules == 0
    assert not Occurrence.objects.filter(company=company).exists()


def test_occurrences_belong_to_the_company_the_rule_ran_for(fake_rule, run, company, make_company):
    other = make_company()
    fake_rule.found = {7: 3}

    services.evaluate(other.pk, codes=[CODE])

    assert Occurrence.objects.filter(company=other).count() == 1
    assert not Occurrence.objects.filter(company=company).exists()
    assert RunState.objects.get(company=other).last_summary["opened"] == 1


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("phase", ["open", "refresh", "resolve", "reopen", "mixed"])
def test_a_run_costs_the_same_queries_for_1_and_20_findings(fake_rule, run, company, make_company, phase):
    counts = []
    # The worker's wake-up is written once per transaction (`core.outbox`), and the test's transaction
    # holds every run: a first one writes it, so neither measured run does.
    fake_rule.found = {0: 0}
    services.evaluate(make_company().pk, codes=[CODE])
    for size in (2, 20) if phase == "mixed" else (1, 20):
        other = make_company()
        ids = {i: i for i in range(size)}

        def go(found, other=other):
            fake_rule.found = found
            services.evaluate(other.pk, codes=[CODE])

        if phase == "open":
            counts.append(_queries(lambda ids=ids, go=go: go(ids)))
            continue
        go(ids)
        if phase == "refresh":
            counts.append(_queries(lambda ids=ids, go=go: go({k: v + 1 for k, v in ids.items()})))
        elif phase == "resolve":
            counts.append(_queries(lambda go=go: go({})))
        elif phase == "mixed":  # half refreshed, half resolved: written apart, no row read twice
            half = {k: v + 1 for k, v in ids.items() if k % 2}
            counts.append(_queries(lambda half=half, go=go: go(half)))
        else:
            go({})
            counts.append(_queries(lambda ids=ids, go=go: go(ids)))
    assert counts[0] == counts[1]


def test_one_run_refreshes_some_occurrences_and_resolves_others(fake_rule, run, company):
    fake_rule.found = {1: 1, 2: 2, 3: 3}
    run()
    fake_rule.found = {1: 10, 3: 3}

    summary = run()

    rows = {o.subject_id: o for o in Occurrence.objects.filter(company=company)}
    assert (summary.refreshed, summary.resolved) == (1, 1)
    assert (rows["1"].state, rows["1"].explanation, rows["1"].figures["n"]["value"]) == (S.OPEN, "N vale 10", 10)
    assert (rows["2"].state, rows["2"].explanation, rows["2"].figures["n"]["value"]) == (S.RESOLVED, "N vale 2", 2)
    assert (rows["3"].state, rows["3"].explanation) == (S.OPEN, "N vale 3")


def test_the_timeline_and_the_audit_log_keep_every_automatic_change(fake_rule, run, company):
    fake_rule.found = {1: 1, 2: 2}
    run()
    fake_rule.found = {2: 2}
    run()

    assert DocumentEvent.objects.filter(document_type="watch.occurrence").count() == 3
    assert AuditRecord.objects.filter(object_type="watch.occurrence", action="resolved").count() == 1


def test_deadlines_follow_the_severity(fake_rule, run, company):
    assert DEADLINE[Severity.CRITICAL] < DEADLINE[Severity.HIGH] < DEADLINE[Severity.MEDIUM] < DEADLINE[Severity.LOW]
    assert DEADLINE[Severity.CRITICAL] == timedelta(hours=4)


def test_a_run_mails_the_department_once_what_it_opened(fake_rule, run, company, make_user, mailoutbox):
    from retaguarda.core import outbox

    make_user("stock", email="estoque@loja.example")
    make_user("finance", email="financeiro@loja.example")
    fake_rule.found = {1: 1, 2: 2}
    run()

    outbox.deliver_due()
    outbox.deliver_due()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["estoque@loja.example"]
    assert "Coisa 1" in mail.body and "Coisa 2" in mail.body and "/ocorrencias/" in mail.body
    run()  # nothing new: nothing mailed
    outbox.deliver_due()
    assert len(mailoutbox) == 1


def test_many_refreshed_occurrences_are_written_with_their_new_figures(fake_rule, run, company):
    """Written through core.bulk_insert.update_columns (not bulk_update) on both engines."""
    fake_rule.found = {i: i for i in range(120)}
    run()
    fake_rule.found = {i: i + 1000 for i in range(120)}

    summary = run()

    assert summary.refreshed == 120
    rows = Occurrence.objects.filter(company=company, rule=CODE)
    assert sorted(int(o.figures["n"]["value"]) for o in rows) == list(range(1000, 1120))
    assert {o.explanation for o in rows if o.subject_id == "7"} == {"N vale 1007"}
    assert run().refreshed == 0  # the new fingerprints were written too
