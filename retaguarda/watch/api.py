"""Watch API at `/api/v1/watch`: rules (+ a company's settings), occurrences (filters, retrieve, assign,
comment, steps, acknowledge, start, resolve, dismiss with a reason, reopen, plan), routines, and a run.

Everyone reads and works the occurrences of their own departments (administrators and the accountant:
all); another department's or company's occurrence is 404. Rules' settings, routines and runs need
`watch.manage` (administrators)."""

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from retaguarda.core.actor import actor_of
from retaguarda.core.api import Page, PageLimit, idempotent, keyset_page_body
from retaguarda.core.api_auth import require
from retaguarda.watch import registry, selectors, services
from retaguarda.watch.models import Occurrence, Routine, RuleSetting
from retaguarda.watch.schemas import (
    AssignIn,
    CommentIn,
    CommentOut,
    DismissIn,
    OccurrenceDetailOut,
    OccurrenceOut,
    PlanIn,
    ResolveIn,
    RoutineIn,
    RoutineOut,
    RoutinePatch,
    RuleOut,
    RuleSettingIn,
    RunOut,
    StepCheckIn,
)

router = Router(tags=["watch"])
VIEW = require("watch.view")
CHANGE = require("watch.change")
MANAGE = require("watch.manage")


def _rule_out(rule, setting) -> dict:
    values = {**rule.defaults(), **(setting.params if setting else {})}
    return {
        "code": rule.code,
        "title": str(rule.title),
        "department": rule.department,
        "severity": rule.severity,
        "enabled": setting.enabled if setting else True,
        "params": [
            {
                "key": p.key,
                "label": str(p.label),
                "default": p.default,
                "value": values.get(p.key, p.default),
                "minimum": p.minimum,
                "maximum": p.maximum,
            }
            for p in rule.params
        ],
        "steps": [str(s) for s in rule.steps],
    }


@router.get("/rules", response=list[RuleOut], auth=VIEW)
def list_rules(request):
    """Every registered rule with this company's settings."""
    stored = {s.rule: s for s in RuleSetting.objects.filter(company=request.company)}
    return [_rule_out(r, stored.get(r.code)) for r in registry.rules()]


@router.put("/rules/{code}/settings", response=RuleOut, auth=MANAGE)
def put_rule_settings(request, code: str, body: RuleSettingIn):
    """Turn a rule on or off and set its thresholds (422 outside each one's bounds)."""
    setting = services.save_rule_setting(actor=actor_of(request), code=code, enabled=body.enabled, params=body.params)
    return _rule_out(registry.get(code), setting)


def _occurrence(request, pk: int) -> Occurrence:
    departments = selectors.departments_of(request.user, request.company.pk)
    qs = Occurrence.objects.filter(company=request.company)
    if departments is not None:
        qs = qs.filter(department__in=departments)
    return get_object_or_404(qs, pk=pk)


def _detail(pk: int) -> Occurrence:
    return Occurrence.objects.prefetch_related("steps").get(pk=pk)


@router.get("/occurrences", response=Page[OccurrenceOut], auth=VIEW)
def list_occurrences(
    request,
    department: str = "",
    state: str = "active",
    severity: str = "",
    rule: str = "",
    assignee_id: int | None = None,
    late: bool = False,
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    """The inbox: most severe first, then the nearest deadline. `state`: a state, `active` (default),
    `closed`, or empty for all."""
    qs = selectors.occurrences(
        request.company.pk,
        departments=selectors.departments_of(request.user, request.company.pk),
        department=department,
        state=state,
        severity=severity,
        rule=rule,
        assignee_id=assignee_id,
        late=late,
    )
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=selectors.INBOX_ORDER)


@router.get("/occurrences/{occurrence_id}", response=OccurrenceDetailOut, auth=VIEW)
def get_occurrence(request, occurrence_id: int):
    return _detail(_occurrence(request, occurrence_id).pk)


@router.post("/occurrences/{occurrence_id}/assign", response=OccurrenceDetailOut, auth=CHANGE)
def assign(request, occurrence_id: int, body: AssignIn):
    services.assign(_occurrence(request, occurrence_id).pk, actor=actor_of(request), user_id=body.assignee_id)
    return _detail(occurrence_id)


@router.post("/occurrences/{occurrence_id}/comment", response={201: CommentOut}, auth=CHANGE)
@idempotent
def comment(request, occurrence_id: int, body: CommentIn):
    return Status(
        201, services.comment(_occurrence(request, occurrence_id).pk, actor=actor_of(request), text=body.text)
    )


@router.post("/occurrences/{occurrence_id}/steps/{number}/check", response=OccurrenceDetailOut, auth=CHANGE)
def check_step(request, occurrence_id: int, number: int, body: StepCheckIn | None = None):
    services.check_step(
        _occurrence(request, occurrence_id).pk, number, actor=actor_of(request), done=body.done if body else True
    )
    return _detail(occurrence_id)


@router.post("/occurrences/{occurrence_id}/plan", response=OccurrenceDetailOut, auth=CHANGE)
def plan(request, occurrence_id: int, body: PlanIn):
    services.plan(
        _occurrence(request, occurrence_id).pk,
        actor=actor_of(request),
        version=body.version,
        action_plan=body.action_plan,
        deadline=body.deadline,
    )
    return _detail(occurrence_id)


@router.post("/occurrences/{occurrence_id}/acknowledge", response=OccurrenceDetailOut, auth=CHANGE)
def acknowledge(request, occurrence_id: int):
    services.acknowledge(_occurrence(request, occurrence_id).pk, actor=actor_of(request))
    return _detail(occurrence_id)


@router.post("/occurrences/{occurrence_id}/start", response=OccurrenceDetailOut, auth=CHANGE)
def start(request, occurrence_id: int):
    services.start(_occurrence(request, occurrence_id).pk, actor=actor_of(request))
    return _detail(occurrence_id)


@router.post("/occurrences/{occurrence_id}/resolve", response=OccurrenceDetailOut, auth=CHANGE)
def resolve(request, occurrence_id: int, body: ResolveIn | None = None):
    """Resolved by hand; it reopens on the next run if the rule still finds the problem."""
    services.resolve(_occurrence(request, occurrence_id).pk, actor=actor_of(request), note=body.note if body else "")
    return _detail(occurrence_id)


@router.post("/occurrences/{occurrence_id}/dismiss", response=OccurrenceDetailOut, auth=CHANGE)
def dismiss(request, occurrence_id: int, body: DismissIn):
    """Dismissed with a reason (422 `watch.reason_required` without one)."""
    services.dismiss(_occurrence(request, occurrence_id).pk, actor=actor_of(request), reason=body.reason)
    return _detail(occurrence_id)


@router.post("/occurrences/{occurrence_id}/reopen", response=OccurrenceDetailOut, auth=CHANGE)
def reopen(request, occurrence_id: int):
    services.reopen(_occurrence(request, occurrence_id).pk, actor=actor_of(request))
    return _detail(occurrence_id)


@router.get("/routines", response=list[RoutineOut], auth=VIEW)
def list_routines(request):
    return list(selectors.routines(request.company.pk, selectors.departments_of(request.user, request.company.pk)))


@router.post("/routines", response={201: RoutineOut}, auth=MANAGE)
@idempotent
def create_routine(request, body: RoutineIn):
    return Status(201, services.save_routine(actor=actor_of(request), **body.dict()))


@router.put("/routines/{routine_id}", response=RoutineOut, auth=MANAGE)
def update_routine(request, routine_id: int, body: RoutinePatch):
    routine = get_object_or_404(Routine, pk=routine_id, company=request.company)
    data = body.dict()
    version = data.pop("version")
    return services.save_routine(actor=actor_of(request), routine_id=routine.pk, version=version, **data)


@router.post("/run", response=RunOut, auth=MANAGE)
def run(request):
    """Run the company's rules and routines now (the worker does it every 15 minutes)."""
    return services.run_company(request.company.pk, actor=actor_of(request)).as_json()
