"""Watch pages: the inbox by department, an occurrence with its plan and timeline, routines, rules.

Each page reads a fixed number of queries; the commands call the same services as the API. Everyone
sees their own departments' occurrences (administrators and the accountant see all); another
department's or company's occurrence is 404."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from retaguarda.access.departments import DEPARTMENTS
from retaguarda.core.actor import actor_of
from retaguarda.core.audit import action_label
from retaguarda.core.errors import DomainError, ValidationFailed
from retaguarda.core.models import AuditRecord
from retaguarda.core.pagination import screen_page
from retaguarda.core.states import allowed_transitions, timeline
from retaguarda.watch import registry, selectors, services
from retaguarda.watch.figures import printed
from retaguarda.watch.models import (
    DEPARTMENT_CHOICES,
    DepartmentSetting,
    Frequency,
    Occurrence,
    Routine,
    RuleSetting,
)
from retaguarda.watch.services.digest import WEEK
from retaguarda.watch.states import OccurrenceState, Severity

VIEW = "watch.view"
CHANGE = "watch.change"
MANAGE = "watch.manage"  # rules and routines: administrators
WEEKDAYS = [
    (0, gettext_lazy("Monday")),
    (1, gettext_lazy("Tuesday")),
    (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")),
    (4, gettext_lazy("Friday")),
    (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
]


def _show_error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for detail in exc.details:
        if isinstance(detail, dict) and detail.get("message") and detail["message"] != exc.message:
            messages.error(request, detail["message"])


def _visible(request, occurrence_id: int) -> Occurrence:
    """The occurrence, if the user's company and departments may see it; 404 otherwise."""
    departments = selectors.departments_of(request.user, request.company.pk)
    qs = Occurrence.objects.filter(company=request.company)
    if departments is not None:
        qs = qs.filter(department__in=departments)
    return get_object_or_404(qs.select_related("assignee", "routine"), pk=occurrence_id)


@login_required
@permission_required(VIEW, raise_exception=True)
def inbox(request):
    company = request.company
    departments = selectors.departments_of(request.user, request.company.pk)
    counts = selectors.department_counts(company.pk, departments)
    filters = {k: request.GET.get(k, "").strip() for k in ("department", "state", "severity", "mine", "late")}
    if "state" not in request.GET:
        filters["state"] = "active"
    if not filters["department"] and departments is not None and len(departments) == 1:
        filters["department"] = departments[0]
    qs = selectors.occurrences(
        company.pk,
        departments=departments,
        department=filters["department"],
        state=filters["state"],
        severity=filters["severity"] if filters["severity"] in Severity.values else "",
        assignee_id=request.user.pk if filters["mine"] else None,
        late=bool(filters["late"]),
    )
    context = {
        **screen_page(request, qs, ordering=selectors.INBOX_ORDER),
        "filters": filters,
        "counts": counts,
        "states": OccurrenceState.choices,
        "severities": Severity.choices,
        "now": timezone.now(),
        "users": _company_users(company) if request.user.has_perm(CHANGE) else [],
    }
    return render(request, "watch/inbox.html#table" if request.htmx else "watch/inbox.html", context)


def _company_users(company):
    return list(get_user_model().objects.filter(companies=company, is_active=True).order_by("username"))


@login_required
@permission_required(VIEW, raise_exception=True)
def occurrence_detail(request, occurrence_id: int, data=None):
    occ = _visible(request, occurrence_id)
    rule = registry.get(occ.rule)
    steps = list(occ.steps.select_related("done_by"))
    history = _history(occ)
    context = {
        "occ": occ,
        "rule": rule,
        "figures": [(f.get("label", name), printed(f)) for name, f in (occ.figures or {}).items()],
        "steps": steps,
        "history": history,
        "actions": allowed_transitions(occ),
        "users": _company_users(request.company),
        "data": data if data is not None else {},
        "now": timezone.now(),
    }
    return render(request, "watch/occurrence.html", context)


def _history(occ: Occurrence) -> list[dict]:
    """State changes, comments and the other recorded actions, oldest first (three queries)."""
    items = []
    reasons = {
        "found": _("found by the rule"),
        "cleared": _("the condition cleared"),
        "recurred": _("the problem returned"),
        "routine": _("routine period opened"),
        "by_hand": "",
        "dismissed": "",
        "step": _("a step was done"),
    }
    for ev in timeline(occ):
        labels = dict(OccurrenceState.choices)
        reason = reasons.get((ev.payload or {}).get("reason", ""), "")
        note = (ev.payload or {}).get("note", "")
        items.append(
            {
                "at": ev.created_at,
                "who": ev.user.username if ev.user_id else _("system"),
                "text": " → ".join(str(labels.get(s, s)) for s in (ev.from_state, ev.to_state) if s),
                "note": " · ".join(p for p in (reason, note) if p),
            }
        )
    for c in occ.comments.select_related("user"):
        items.append(
            {
                "at": c.created_at,
                "who": c.user.username if c.user_id else _("system"),
                "text": _("commented"),
                "note": c.text,
            }
        )
    quiet = {"opened", "reopened", "resolved", "dismissed", "acknowledged", "in_progress", "open", "commented"}
    for a in AuditRecord.objects.filter(object_type="watch.occurrence", object_id=str(occ.pk)).exclude(
        action__in=quiet
    ):
        items.append({"at": a.created_at, "who": a.actor_label, "text": action_label(a.action), "note": _audit_note(a)})
    return sorted(items, key=lambda i: i["at"])


def _audit_note(record: AuditRecord) -> str:
    changes = record.changes or {}
    if "step" in changes:
        return _("step %(n)s") % {"n": changes["step"][1]}
    if "action_plan" in changes:
        return changes["action_plan"][1] or ""
    if "deadline" in changes:
        return _("deadline changed")
    if "severity" in changes:
        return " → ".join(str(dict(Severity.choices).get(s, s)) for s in changes["severity"])
    return ""


ACTIONS = {
    "acknowledge": lambda pk, actor, post: services.acknowledge(pk, actor=actor),
    "start": lambda pk, actor, post: services.start(pk, actor=actor),
    "resolve": lambda pk, actor, post: services.resolve(pk, actor=actor, note=post.get("note", "")),
    "dismiss": lambda pk, actor, post: services.dismiss(pk, actor=actor, reason=post.get("reason", "")),
    "reopen": lambda pk, actor, post: services.reopen(pk, actor=actor),
    "comment": lambda pk, actor, post: services.comment(pk, actor=actor, text=post.get("text", "")),
    "assign": lambda pk, actor, post: services.assign(
        pk, actor=actor, user_id=int(post["assignee"]) if post.get("assignee", "").isdigit() else None
    ),
    "plan": lambda pk, actor, post: services.plan(
        pk,
        actor=actor,
        version=int(post["version"]) if post.get("version", "").isdigit() else None,
        action_plan=post.get("action_plan", ""),
        deadline=_deadline(post.get("deadline", "")),
    ),
}
DONE_MESSAGES = {
    "acknowledge": gettext_lazy("Occurrence acknowledged."),
    "start": gettext_lazy("Occurrence in progress."),
    "resolve": gettext_lazy("Occurrence resolved."),
    "dismiss": gettext_lazy("Occurrence dismissed."),
    "reopen": gettext_lazy("Occurrence reopened."),
    "comment": gettext_lazy("Comment recorded."),
    "assign": gettext_lazy("Responsible changed."),
    "plan": gettext_lazy("Plan saved."),
}


def _deadline(text: str) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d"):
        try:
            return timezone.make_aware(datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise ValidationFailed(
        _("Invalid deadline."), details=[{"field": "deadline", "message": _("Type the deadline as dd/mm/aaaa hh:mm.")}]
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def occurrence_action(request, occurrence_id: int, action: str):
    occ = _visible(request, occurrence_id)
    if action not in ACTIONS:
        raise Http404
    try:
        ACTIONS[action](occ.pk, actor_of(request), request.POST)
    except DomainError as exc:
        _show_error(request, exc)
        return occurrence_detail(request, occ.pk, data=request.POST)
    messages.success(request, DONE_MESSAGES[action])
    return redirect("watch:occurrence", occ.pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def step_check(request, occurrence_id: int, number: int):
    """Check a step off (htmx answers the steps fragment; a plain form reloads the page)."""
    occ = _visible(request, occurrence_id)
    done = request.POST.get("done", "1") == "1"
    try:
        occ = services.check_step(occ.pk, number, actor=actor_of(request), done=done)
    except DomainError as exc:
        _show_error(request, exc)
        if not request.htmx:
            return redirect("watch:occurrence", occ.pk)
    if request.htmx:
        occ = _visible(request, occ.pk)
        context = {"occ": occ, "steps": list(occ.steps.select_related("done_by"))}
        return render(request, "watch/occurrence.html#steps", context)
    return redirect("watch:occurrence", occ.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def routine_list(request):
    departments = selectors.departments_of(request.user, request.company.pk)
    rows = list(selectors.routines(request.company.pk, departments))
    for r in rows:
        r.status = selectors.routine_status(r)
    return render(request, "watch/routines.html", {"rows": rows, "may_manage": request.user.has_perm(MANAGE)})


@login_required
@permission_required(MANAGE, raise_exception=True)
def routine_edit(request, routine_id: int | None = None):
    routine = get_object_or_404(Routine, pk=routine_id, company=request.company) if routine_id else None
    data = request.POST if request.method == "POST" else None
    if request.method == "POST":
        try:
            saved = services.save_routine(
                actor=actor_of(request),
                routine_id=routine.pk if routine else None,
                version=int(data["version"]) if data.get("version", "").isdigit() else None,
                name=data.get("name"),
                department=data.get("department"),
                frequency=data.get("frequency"),
                weekday=data.get("weekday"),
                month_day=data.get("month_day"),
                due_hour=data.get("due_hour"),
                checklist=data.get("checklist"),
                assignee_id=data.get("assignee") or None,
                severity=data.get("severity"),
                active=data.get("active") == "1",
            )
        except DomainError as exc:
            _show_error(request, exc)
        else:
            messages.success(request, _("Routine saved."))
            return redirect("watch:routine", saved.pk)
    context = {
        "routine": routine,
        "data": data,
        "departments": [(c, label) for c, label in DEPARTMENT_CHOICES],
        "frequencies": Frequency.choices,
        "weekdays": WEEKDAYS,
        "severities": Severity.choices,
        "users": _company_users(request.company),
    }
    return render(request, "watch/routine_form.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def rule_list(request):
    stored = {s.rule: s for s in RuleSetting.objects.filter(company=request.company)}
    rows = []
    for rule in registry.rules():
        setting = stored.get(rule.code)
        values = {**rule.defaults(), **({k: v for k, v in setting.params.items()} if setting else {})}
        rows.append(
            {
                "rule": rule,
                "enabled": setting.enabled if setting else True,
                "params": [(p, values.get(p.key, p.default)) for p in rule.params],
                "department": DEPARTMENTS.get(rule.department, rule.department),
                "severity": dict(Severity.choices).get(rule.severity),
            }
        )
    return render(request, "watch/rules.html", {"rows": rows, "may_manage": request.user.has_perm(MANAGE)})


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def rule_settings(request, code: str):
    rule = registry.get(code)
    if rule is None:
        raise Http404
    try:
        services.save_rule_setting(
            actor=actor_of(request),
            code=code,
            enabled=request.POST.get("enabled") == "1",
            params={p.key: request.POST.get(p.key, "") for p in rule.params},
        )
    except DomainError as exc:
        _show_error(request, exc)
    else:
        messages.success(request, _("Rule settings saved."))
    return redirect("watch:rules")


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def run_now(request):
    summary = services.run_company(request.company.pk, actor=actor_of(request))
    messages.success(
        request,
        _("Rules run: %(found)s problems found; %(opened)s opened, %(reopened)s reopened, %(resolved)s resolved.")
        % summary.as_json(),
    )
    return redirect("watch:inbox")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def bulk_assign(request):
    """Make one person responsible for the occurrences ticked in the inbox (of departments the user sees)."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    departments = selectors.departments_of(request.user, request.company.pk)
    visible = Occurrence.objects.filter(company=request.company, pk__in=ids)
    if departments is not None:
        visible = visible.filter(department__in=departments)
    raw = request.POST.get("assignee", "")
    user_id = int(raw) if raw.isdigit() else None
    done = 0
    try:
        for pk in visible.values_list("pk", flat=True):
            services.assign(pk, actor=actor_of(request), user_id=user_id)
            done += 1
    except DomainError as exc:
        _show_error(request, exc)
    else:
        messages.success(request, _("%(n)s occurrences assigned.") % {"n": done})
    return redirect("watch:inbox")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def occurrence_recheck(request, occurrence_id: int):
    """Run this occurrence's rule for the company now (after fixing the cause, instead of waiting for the
    worker's next run): it resolves itself if the problem is gone."""
    occ = _visible(request, occurrence_id)
    if registry.get(occ.rule) is not None:
        services.evaluate(request.company.pk, codes=[occ.rule], actor=actor_of(request))
        occ.refresh_from_db()
        if occ.is_active:
            messages.warning(request, _("The rule still finds the problem."))
        else:
            messages.success(request, _("The problem is gone: the occurrence resolved itself."))
    return redirect("watch:occurrence", occ.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def badge(request):
    """The menu's count of active occurrences in the user's departments (loaded by htmx after the page)."""
    count = selectors.badge(request.company.pk, selectors.departments_of(request.user, request.company.pk))
    if not count:
        return HttpResponse("")
    late = _("%(n)s occurrences to do") % {"n": count}
    return HttpResponse(format_html('<span class="badge warn" title="{}">{}</span>', late, count))


def _hours(value) -> str:
    if value is None:
        return "—"
    return f"{value.total_seconds() / 3600:.1f}".replace(".", ",") + " h"


@login_required
@permission_required(VIEW, raise_exception=True)
def departments(request):
    """Each department's last seven days (opened, resolved, late, mean time to resolve: the weekly digest)
    and its manager, who is told when its occurrences escalate. A fixed number of queries."""
    company = request.company
    visible = selectors.departments_of(request.user, company.pk)
    now = timezone.now()
    week = {row.code: row for row in selectors.digest(company.pk, start=now - WEEK, end=now, departments=visible)}
    managers = {
        department: (manager_id, name)
        for department, manager_id, name in DepartmentSetting.objects.filter(company=company).values_list(
            "department", "manager_id", "manager__username"
        )
    }
    rows = [
        {
            "code": code,
            "label": label,
            "digest": week.get(code),
            "mean": _hours(week[code].mean_to_resolve) if code in week else "—",
            "manager_id": managers.get(code, (None, None))[0],
            "manager": managers.get(code, (None, None))[1],
        }
        for code, label in DEPARTMENTS.items()
        if visible is None or code in visible
    ]
    context = {
        "rows": rows,
        "start": now - WEEK,
        "end": now,
        "may_manage": request.user.has_perm(MANAGE),
        "users": _company_users(company),
    }
    return render(request, "watch/departments.html", context)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def department_manager(request, code: str):
    if code not in DEPARTMENTS:
        raise Http404
    raw = request.POST.get("manager", "")
    try:
        services.save_department_manager(
            actor=actor_of(request), department=code, manager_id=int(raw) if raw.isdigit() else None
        )
    except DomainError as exc:
        _show_error(request, exc)
    else:
        messages.success(request, _("Department manager saved."))
    return redirect("watch:departments")
