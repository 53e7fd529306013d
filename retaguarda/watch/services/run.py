"""A run: every enabled rule of one company finds its offending objects, and the occurrences follow.

- a new finding opens an occurrence (deadline from the severity, the rule's steps as its plan);
- a finding already open refreshes its figures and explanation;
- a resolved occurrence whose object is found again reopens (a fix by hand that did not hold, or a
  problem that came back); a dismissed one reopens only after its problem had cleared and returned;
- an open occurrence whose object is no longer found resolves itself, saying so in its timeline.

The queries do not grow with the number of findings or occurrences: the rules' own (one each), the
settings, the run lock, the occurrences of those rules (keys only), the rows that change (locked), and
bulk writes. State changes are checked against `Occurrence.TRANSITIONS` and written in bulk, each with its
`DocumentEvent` and audit record (what `core.states.transition` does for one row)."""

import hashlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.bulk_insert import insert_instances, insert_together, update_columns
from retaguarda.core.models import AuditRecord, DocumentEvent
from retaguarda.core.raw_rows import Columns, marks, per_vendor
from retaguarda.watch import registry
from retaguarda.watch.figures import explain
from retaguarda.watch.models import Occurrence, OccurrenceStep, RuleSetting, RunState
from retaguarda.watch.notifications import emit_opened
from retaguarda.watch.registry import Finding, Rule
from retaguarda.watch.states import ACTIVE, DEADLINE, OccurrenceState, Resolution

S = OccurrenceState
DOCUMENT_TYPE = Occurrence._meta.label_lower


@dataclass
class RunSummary:
    company_id: int
    rules: int = 0
    found: int = 0
    opened: int = 0
    reopened: int = 0
    resolved: int = 0
    refreshed: int = 0
    escalated: int = 0
    by_department: Counter = field(default_factory=Counter)  # opened + reopened, per department
    opened_ids: dict = field(default_factory=dict)  # department -> ids opened or reopened (for the mail)

    def as_json(self) -> dict:
        return {
            "rules": self.rules,
            "found": self.found,
            "opened": self.opened,
            "reopened": self.reopened,
            "resolved": self.resolved,
            "refreshed": self.refreshed,
            "escalated": self.escalated,
            "by_department": dict(self.by_department),
        }


def enabled_rules(company_id: int, codes: list[str] | None = None) -> list[tuple[Rule, dict[str, int]]]:
    """The company's enabled rules with their thresholds (its settings over the rules' defaults)."""
    stored = _settings(company_id)
    chosen = []
    for rule in registry.rules():
        if (codes is not None and rule.code not in codes) or (codes is None and not rule.on_schedule):
            continue
        setting = stored.get(rule.code)
        if setting is not None and not setting.enabled:
            continue
        params = rule.defaults()
        if setting is not None:
            params.update({k: int(v) for k, v in setting.params.items() if k in params})
        chosen.append((rule, params))
    return chosen


class _Statements:
    """The reads every evaluation makes, written by hand (`core.raw_rows`): on the event-driven path,
    after one order's confirmation, the SQL compiler cost more than the database did for them."""

    def __init__(self):
        qn = connection.ops.quote_name
        self.setting = Columns(RuleSetting, "s", ("rule", "enabled", "params"))
        self.settings = (
            f"SELECT {self.setting.sql} FROM {qn(RuleSetting._meta.db_table)} s WHERE s.{qn('company_id')} = %s"
        )
        occurrence = [qn(c) for c in ("id", "rule", "subject_type", "subject_id", "state", "firing", "fingerprint")]
        self.occurrences = (
            f"SELECT {', '.join(occurrence)} FROM {qn(Occurrence._meta.db_table)} "
            f"WHERE {qn('company_id')} = %s AND {qn('rule')} IN ({{rules}})"
        )
        self.of_subjects = f" AND {qn('subject_id')} IN ({{subjects}})"


_statements = per_vendor(_Statements)


def _settings(company_id: int) -> dict[str, RuleSetting]:
    st = _statements()
    with connection.cursor() as cursor:
        cursor.execute(st.settings, [company_id])
        return {s.rule: s for s in map(st.setting.build, cursor.fetchall())}


def evaluate(company_id: int, *, codes: list[str] | None = None, actor: Actor | None = None, now=None) -> RunSummary:
    """Run the company's enabled rules (or only `codes`) and bring its occurrences up to date."""
    actor = actor or Actor.system(company_id=company_id)
    chosen = enabled_rules(company_id, codes)
    # The rules read outside the write transaction: on SQLite a long read inside it would hold every writer.
    found: dict[str, dict[tuple[str, str], Finding]] = {}
    with _without_jit():
        for rule, params in chosen:
            found[rule.code] = {f.key: f for f in rule.find(company_id, params)}
    return apply(company_id, [r for r, _p in chosen], found, actor=actor, now=now or timezone.now())


@contextmanager
def _without_jit():
    """PostgreSQL compiles a query whose estimated cost passes `jit_above_cost` to machine code first; for
    the rules (correlated subqueries over every product, tens of thousands of installments) the compiling
    took longer than the query (below_minimum at scale 1: 661 ms with it, 136 ms without; BENCHMARKS.md).
    Off for the rules' reads only, in a transaction (or savepoint) of their own, and put back as it was."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        (before, _off) = cursor.fetchone()
        yield  # a rule that fails rolls this back, the setting with it
        cursor.execute("SELECT set_config('jit', %s, true)", [before])


def evaluate_document(
    company_id: int, document_type: str, document_id: int, to_state: str, *, actor: Actor | None = None, now=None
) -> RunSummary:
    """The event-driven run: after `document_type` `document_id` moved to `to_state`, the rules that
    watch it look again at the objects that change can affect (their triggers say which), and only
    their occurrences open, refresh or resolve. One query per rule for the subjects, one for its
    findings, then what `apply` costs."""
    actor = actor or Actor.system(company_id=company_id)
    triggered = {r.code: t for r, t in registry.triggered_by(document_type, to_state)}
    if not triggered:
        return RunSummary(company_id)
    chosen = enabled_rules(company_id, list(triggered))
    found: dict[str, dict[tuple[str, str], Finding]] = {}
    scope: dict[str, set[str]] = {}
    subjects: dict[int, set[str]] = {}  # rules sharing a trigger share its query
    with registry.evaluating(document_type, document_id):
        for rule, params in chosen:
            trigger = triggered[rule.code]
            if id(trigger) not in subjects:
                subjects[id(trigger)] = trigger.subject_ids(company_id, document_id)
            ids = scope[rule.code] = subjects[id(trigger)]
            findings = rule.find(company_id, params, subjects=ids) if ids else []
            found[rule.code] = {f.key: f for f in findings if str(f.subject_id) in ids}
    if not any(scope.values()):
        return RunSummary(company_id, rules=len(chosen))
    return apply(company_id, [r for r, _p in chosen], found, actor=actor, now=now or timezone.now(), scope=scope)


def apply(
    company_id: int,
    rules: list[Rule],
    found: dict[str, dict[tuple[str, str], Finding]],
    *,
    actor: Actor,
    now: datetime,
    scope: dict[str, set[str]] | None = None,
) -> RunSummary:
    """Bring the occurrences of `rules` in line with `found`. `scope` (rule code -> subject ids): only
    those subjects were looked at, so only their occurrences may open, refresh or resolve."""
    summary = RunSummary(company_id, rules=len(rules), found=sum(len(v) for v in found.values()))
    by_code = {r.code: r for r in rules}
    if scope is not None:
        # An event's look mostly finds nothing to change: read without the run lock, and take it (and read
        # again under it) only when something is to be written.
        new, touch = _plan(company_id, by_code, found, scope)
        if not new and not touch:
            return summary
    with transaction.atomic():
        # The run lock: runs of one company take turns (each sees the occurrences the previous one opened).
        state, _created = RunState.objects.select_for_update().get_or_create(company_id=company_id)
        new, touch = _plan(company_id, by_code, found, scope)
        events: list[DocumentEvent] = []
        audits = []
        steps = _open_new(company_id, new, actor, now, events, audits, summary)
        _update(touch, actor, now, events, audits, summary)
        # One statement on PostgreSQL for the three (none refers to another).
        insert_together((OccurrenceStep, steps), (DocumentEvent, events), (AuditRecord, audits))
        emit_opened(company_id, summary.opened_ids)
        if scope is None:  # the last full run is what the inbox reports; an event's look is not one
            RunState.objects.filter(pk=state.pk).update(last_run_at=now, last_summary=summary.as_json())
    return summary


def _plan(company_id: int, by_code: dict[str, Rule], found, scope: dict[str, set[str]] | None) -> tuple[list, dict]:
    """What `found` changes: the findings with no occurrence yet (to open), and the occurrences to reopen,
    refresh, mark firing again or resolve (pk -> (what, rule, finding)). One query: the occurrences' keys
    and fingerprints (of `scope`'s subjects only, when given), so a finding unchanged since the last run
    costs a comparison only."""
    st = _statements()
    codes = sorted(by_code if scope is None else (c for c, ids in scope.items() if ids))
    if not codes:
        return [], {}
    sql, params = st.occurrences.format(rules=marks(len(codes))), [company_id, *codes]
    if scope is not None:
        ids = sorted(set().union(*scope.values()))
        sql += st.of_subjects.format(subjects=marks(len(ids)))
        params += ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    known = {
        (rule, subject_type, subject_id): (pk, state_, bool(firing), fingerprint)
        for pk, rule, subject_type, subject_id, state_, firing, fingerprint in rows
        # rules x subjects read at once: each rule keeps the subjects it looked at
        if scope is None or subject_id in scope[rule]
    }
    new: list[tuple[Rule, Finding]] = []
    touch: dict[int, tuple[str, Rule, Finding | None]] = {}
    for code, findings in found.items():
        rule = by_code[code]
        for key, finding in findings.items():
            row = known.get((code, *key))
            if row is None:
                new.append((rule, finding))
                continue
            pk, state_, firing, fingerprint = row
            if state_ == S.RESOLVED or (state_ == S.DISMISSED and not firing):
                touch[pk] = ("reopen", rule, finding)
            elif state_ in ACTIVE:
                if fingerprint != _fingerprint(finding):
                    touch[pk] = ("refresh", rule, finding)
            elif not firing:
                touch[pk] = ("firing", rule, finding)  # dismissed, the problem back: stays dismissed
    for (code, subject_type, subject_id), (pk, _state, firing, _digest) in known.items():
        if firing and (subject_type, subject_id) not in found.get(code, {}):
            touch[pk] = ("clear", by_code[code], None)
    return new, touch


def _figures(finding: Finding) -> dict:
    return {name: fig.as_json() for name, fig in finding.figures.items()}


def _fingerprint(finding: Finding) -> str:
    """What the occurrence shows of a finding (label, link, figures), digested. Each value as `str()` prints
    it, in the rule's own figure order: cheaper than the JSON the occurrence keeps (a steady run digests
    every finding), and as exact, since a figure that prints the same is shown the same."""
    shown = [str(finding.label)[:200], finding.url[:300]]
    for name, fig in finding.figures.items():
        shown += (name, str(fig.label), fig.kind, str(fig.value))
    return hashlib.blake2b("\x1f".join(shown).encode(), digest_size=16).hexdigest()


def _open_new(company_id, new, actor, now, events, audits, summary) -> list[OccurrenceStep]:
    """Insert the new occurrences; their plan steps (returned), timeline events and audit records are
    written with the run's others."""
    if not new:
        return []
    rows, templates = [], _Templates()
    for rule, finding in new:
        figures = _figures(finding)
        occ = Occurrence(
            company_id=company_id,
            rule=rule.code,
            subject_type=finding.subject_type,
            subject_id=str(finding.subject_id),
            subject_label=str(finding.label)[:200],
            subject_url=finding.url[:300],
            title=str(rule.title)[:200],
            department=rule.department,
            deadline=now + DEADLINE[rule.severity],
            explanation=explain(templates.of(rule), figures),
            figures=figures,
            fingerprint=_fingerprint(finding),
            opened_at=now,
        )
        occ.set_severity(rule.severity)
        rows.append(occ)
        summary.by_department[rule.department] += 1
    created = insert_instances(Occurrence, rows)
    for occ in created:
        summary.opened_ids.setdefault(occ.department, []).append(occ.pk)
    steps = []
    for occ, (rule, _finding) in zip(created, new, strict=True):
        steps += [OccurrenceStep(occurrence=occ, number=n, text=str(t)[:300]) for n, t in enumerate(rule.steps, 1)]
        events.append(timeline_event(occ, "", S.OPEN, actor, {"reason": "found"}))
        audits.append(audit.build(actor, occ, "opened", {"rule": [None, occ.rule], "figures": [None, occ.figures]}))
    summary.opened += len(created)
    return steps


class _Templates(dict):
    """Each rule's explanation translated once per run (see `figures.explain`), by rule code."""

    def of(self, rule: Rule) -> str:
        found = self.get(rule.code)
        if found is None:
            found = self[rule.code] = str(rule.explanation)
        return found


def _found(rule: Rule, finding: Finding, templates: _Templates) -> dict:
    """The columns of an occurrence that come from its finding."""
    figures = _figures(finding)
    return {
        "figures": figures,
        "explanation": explain(templates.of(rule), figures),
        "subject_label": str(finding.label)[:200],
        "subject_url": finding.url[:300],
        "fingerprint": _fingerprint(finding),
    }


# What a refresh writes: only what the rule found.
_REFRESHED = ["explanation", "figures", "fingerprint", "subject_label", "subject_url", "updated_at"]


def _update(touch, actor, now, events, audits, summary) -> None:
    templates = _Templates()
    # A refresh is written without reading the row back: it changes only what the rule found, which the
    # run lock keeps to one run at a time, and a morning's first run refreshes every overdue installment's
    # occurrence (tens of thousands) as its day count moves.
    refreshed = [
        Occurrence(pk=pk, updated_at=now, **_found(rule, finding, templates))
        for pk, (what, rule, finding) in touch.items()
        if what == "refresh"
    ]
    if refreshed:
        summary.refreshed += len(refreshed)
        update_columns(Occurrence, refreshed, _REFRESHED)
    moved = sorted(pk for pk, (what, _rule, _finding) in touch.items() if what != "refresh")
    if not moved:
        return
    changed, fields = [], set()
    for occ in Occurrence.objects.select_for_update().filter(pk__in=moved).order_by("pk"):
        what, rule, finding = touch[occ.pk]
        if finding is not None:
            found = _found(rule, finding, templates)
            if found["fingerprint"] != occ.fingerprint:
                for name, value in found.items():
                    setattr(occ, name, value)
                fields |= set(found)
        if what == "reopen" and S.OPEN in Occurrence.TRANSITIONS.get(occ.state, ()):
            events.append(timeline_event(occ, occ.state, S.OPEN, actor, {"reason": "recurred"}))
            audits.append(audit.build(actor, occ, "reopened", {"state": [occ.state, S.OPEN]}))
            occ.state, occ.firing, occ.closed_at, occ.resolution, occ.close_reason = S.OPEN, True, None, "", ""
            occ.deadline, occ.times_opened, occ.version = (
                now + DEADLINE[occ.severity],
                occ.times_opened + 1,
                occ.version + 1,
            )
            occ.escalated_at = None
            fields |= {
                "escalated_at",
                "state",
                "firing",
                "closed_at",
                "resolution",
                "close_reason",
                "deadline",
                "times_opened",
                "version",
            }
            summary.reopened += 1
            summary.by_department[occ.department] += 1
            summary.opened_ids.setdefault(occ.department, []).append(occ.pk)
            changed.append(occ)
        elif what == "clear":
            occ.firing = False
            fields.add("firing")
            if occ.state in ACTIVE and S.RESOLVED in Occurrence.TRANSITIONS.get(occ.state, ()):
                events.append(timeline_event(occ, occ.state, S.RESOLVED, actor, {"reason": "cleared"}))
                audits.append(audit.build(actor, occ, "resolved", {"state": [occ.state, S.RESOLVED]}))
                occ.state, occ.closed_at, occ.resolution, occ.version = (
                    S.RESOLVED,
                    now,
                    Resolution.CLEARED,
                    occ.version + 1,
                )
                fields |= {"state", "closed_at", "resolution", "version"}
                summary.resolved += 1
            changed.append(occ)
        elif what == "firing":
            occ.firing = True
            fields.add("firing")
            changed.append(occ)
    for occ in changed:
        occ.updated_at = now
    if changed:
        # Not bulk_update: its CASE per row and field is quadratic (62k refreshed figures, as every overdue
        # day count moves each morning, ran for 45 minutes at scale 1, PostgreSQL JIT-compiling the CASE).
        update_columns(Occurrence, changed, sorted(fields | {"updated_at"}))


def timeline_event(occ: Occurrence, from_state: str, to_state: str, actor: Actor, payload: dict) -> DocumentEvent:
    return DocumentEvent(
        document_type=DOCUMENT_TYPE,
        document_id=occ.pk,
        from_state=from_state,
        to_state=to_state,
        user=actor.user,
        origin=actor.origin,
        payload=payload,
    )
