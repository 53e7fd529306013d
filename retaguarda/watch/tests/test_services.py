"""Working an occurrence by hand, and routines opening their period's checklist."""

import datetime

import pytest
from django.utils import timezone

from retaguarda.core.actor import Actor, Origin
from retaguarda.core.errors import InvalidTransition, NotFound, StaleVersion, ValidationFailed
from retaguarda.core.states import timeline
from retaguarda.watch import services
from retaguarda.watch.errors import OccurrenceClosed, ReasonRequired
from retaguarda.watch.models import ROUTINE_RULE, Frequency, Occurrence, Routine
from retaguarda.watch.services.routines import period_of
from retaguarda.watch.states import OccurrenceState, Resolution
from retaguarda.watch.tests.conftest import CODE

S = OccurrenceState


@pytest.fixture
def occ(fake_rule, run, company):
    fake_rule.found = {7: 3}
    run()
    return Occurrence.objects.get(company=company, rule=CODE)


def test_checking_a_step_puts_the_occurrence_in_progress(occ, stock_actor):
    services.check_step(occ.pk, 1, actor=stock_actor)

    occ.refresh_from_db()
    step = occ.steps.get(number=1)
    assert occ.state == S.IN_PROGRESS
    assert step.done_at is not None and step.done_by == stock_actor.user
    assert [e.to_state for e in timeline(occ)] == ["open", "in_progress"]


def test_a_rule_occurrence_with_every_step_done_waits_for_its_rule(occ, stock_actor):
    services.check_step(occ.pk, 1, actor=stock_actor)
    services.check_step(occ.pk, 2, actor=stock_actor)

    occ.refresh_from_db()
    assert occ.state == S.IN_PROGRESS


def test_a_step_can_be_undone_and_an_unknown_step_is_404(occ, stock_actor):
    services.check_step(occ.pk, 1, actor=stock_actor)
    services.check_step(occ.pk, 1, actor=stock_actor, done=False)
    assert occ.steps.get(number=1).done_at is None
    with pytest.raises(NotFound):
        services.check_step(occ.pk, 9, actor=stock_actor)


def test_dismissing_needs_a_reason(occ, stock_actor):
    with pytest.raises(ReasonRequired) as err:
        services.dismiss(occ.pk, actor=stock_actor, reason="  ")
    assert err.value.details[0]["field"] == "reason"
    occ.refresh_from_db()
    assert occ.state == S.OPEN


def test_dismissed_and_resolved_keep_who_when_and_why(occ, stock_actor):
    services.dismiss(occ.pk, actor=stock_actor, reason="Produto de mostruário")
    occ.refresh_from_db()
    assert (occ.state, occ.resolution, occ.close_reason) == (S.DISMISSED, Resolution.DISMISSED, "Produto de mostruário")
    assert occ.closed_at is not None

    services.reopen(occ.pk, actor=stock_actor)
    occ.refresh_from_db()
    assert (occ.state, occ.closed_at, occ.times_opened) == (S.OPEN, None, 2)


def test_a_closed_occurrence_refuses_a_second_close_and_plan_edits(occ, stock_actor):
    services.resolve(occ.pk, actor=stock_actor)
    with pytest.raises(InvalidTransition):
        services.resolve(occ.pk, actor=stock_actor)
    with pytest.raises(OccurrenceClosed):
        services.plan(occ.pk, actor=stock_actor, action_plan="x")


def test_assigning_takes_a_user_of_the_company_only(occ, stock_actor, make_user, make_company):
    colleague = make_user("stock")
    outsider = make_user("stock", companies=[make_company()])

    services.assign(occ.pk, actor=stock_actor, user_id=colleague.pk)
    occ.refresh_from_db()
    assert occ.assignee == colleague

    with pytest.raises(ValidationFailed) as err:
        services.assign(occ.pk, actor=stock_actor, user_id=outsider.pk)
    assert err.value.details[0]["field"] == "assignee"


def test_the_plan_is_edited_with_the_version_read(occ, stock_actor):
    deadline = timezone.now() + datetime.timedelta(days=2)
    services.plan(occ.pk, actor=stock_actor, version=occ.version, action_plan="Comprar 10 unidades", deadline=deadline)
    with pytest.raises(StaleVersion):
        services.plan(occ.pk, actor=stock_actor, version=occ.version, action_plan="outra coisa")
    occ.refresh_from_db()
    assert (occ.action_plan, occ.deadline) == ("Comprar 10 unidades", deadline)


def test_comments_are_kept_and_an_empty_one_is_refused(occ, stock_actor):
    services.comment(occ.pk, actor=stock_actor, text="Fornecedor entrega sexta")
    with pytest.raises(ValidationFailed):
        services.comment(occ.pk, actor=stock_actor, text=" ")
    assert [c.text for c in occ.comments.all()] == ["Fornecedor entrega sexta"]


def test_another_companys_occurrence_is_not_found(occ, make_company, make_user):
    other = make_company()
    outsider = Actor(make_user("admin", companies=[other]), Origin.WEB, other.pk)
    for call in (
        lambda: services.acknowledge(occ.pk, actor=outsider),
        lambda: services.comment(occ.pk, actor=outsider, text="x"),
        lambda: services.check_step(occ.pk, 1, actor=outsider),
        lambda: services.assign(occ.pk, actor=outsider, user_id=None),
    ):
        with pytest.raises(NotFound):
            call()


# ------------------------------------------------------------------------------------------- routines


def _routine(actor, **fields):
    data = {
        "name": "Fechamento de caixa",
        "department": "finance",
        "frequency": Frequency.DAILY,
        "due_hour": 18,
        "checklist": "Contar o dinheiro\nConferir maquininhas\n",
    }
    data.update(fields)
    return services.save_routine(actor=actor, **data)


def test_a_routine_is_validated_all_at_once(stock_actor):
    with pytest.raises(ValidationFailed) as err:
        services.save_routine(actor=stock_actor, name="", department="x", frequency="weekly", due_hour=30, checklist="")
    fields = {d["field"] for d in err.value.details}
    assert fields == {"name", "department", "weekday", "due_hour", "checklist"}


def test_a_routine_opens_its_period_once_with_the_checklist(stock_actor, company):
    routine = _routine(stock_actor)
    now = timezone.now()

    assert services.open_due(company.pk, now=now) == 1
    assert services.open_due(company.pk, now=now) == 0

    occ = Occurrence.objects.get(company=company, rule=ROUTINE_RULE)
    assert occ.routine == routine and occ.period == timezone.localdate(now)
    assert [s.text for s in occ.steps.all()] == ["Contar o dinheiro", "Conferir maquininhas"]
    assert timezone.localtime(occ.deadline).hour == 18


def test_a_routine_is_done_when_its_checklist_is(stock_actor, company):
    _routine(stock_actor)
    services.open_due(company.pk)
    occ = Occurrence.objects.get(company=company, rule=ROUTINE_RULE)

    services.check_step(occ.pk, 1, actor=stock_actor)
    services.check_step(occ.pk, 2, actor=stock_actor)

    occ.refresh_from_db()
    assert (occ.state, occ.resolution) == (S.RESOLVED, Resolution.BY_HAND)


def test_routine_periods_by_frequency(company):
    routine = Routine(frequency=Frequency.WEEKLY, weekday=0, created_at=timezone.now() - datetime.timedelta(days=90))
    wednesday = datetime.date(2026, 11, 25)
    assert period_of(routine, wednesday) == datetime.date(2026, 11, 23)
    routine.frequency, routine.month_day = Frequency.MONTHLY, 28
    assert period_of(routine, wednesday) == datetime.date(2026, 10, 28)
    assert period_of(routine, datetime.date(2026, 11, 28)) == datetime.date(2026, 11, 28)
    routine.created_at = timezone.make_aware(datetime.datetime(2026, 11, 1))
    assert period_of(routine, wednesday) is None


def test_run_company_runs_rules_and_routines(fake_rule, stock_actor, company):
    _routine(stock_actor)
    fake_rule.found = {1: 1}
    summary = services.run_company(company.pk)
    assert summary.opened >= 2


def test_a_late_occurrence_climbs_one_severity_per_deadline_it_misses(occ, company):
    Occurrence.objects.filter(pk=occ.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=1))

    [escalated] = services.escalate(company.pk)
    assert services.escalate(company.pk) == []  # not again before the new severity's time passes

    occ.refresh_from_db()
    assert (escalated.pk, occ.severity, occ.rank) == (occ.pk, "critical", 0)  # high -> critical
    assert occ.deadline < timezone.now()  # still late, and shown so
    later = timezone.now() + datetime.timedelta(days=30)
    assert services.escalate(company.pk, now=later) == []  # critical is the top


def test_a_closed_or_on_time_occurrence_does_not_escalate(occ, company, stock_actor):
    assert services.escalate(company.pk) == []
    services.resolve(occ.pk, actor=stock_actor)
    Occurrence.objects.filter(pk=occ.pk).update(deadline=timezone.now() - datetime.timedelta(days=1))
    assert services.escalate(company.pk) == []
