"""The rule registry: each domain app declares its watch rules in its own `rules.py` and registers them
from `AppConfig.ready`, so `watch` imports no app above it (as `core.ledger_checks` does for ledgers).

A rule's `find(company_id, params)` returns every offending object of one company in a fixed number of
queries (one set-based query, never a loop over a table): the run compares the findings with the open
occurrences, opens the new ones, refreshes the figures of the rest and resolves what is gone.

    # inventory/rules.py
    @rule(
        "inventory.below_minimum",
        title=_("Stock below minimum"),
        department="stock",
        severity=Severity.MEDIUM,
        explanation=_("Available %(available)s, minimum %(minimum)s."),
        steps=[_("Check the open purchase orders"), _("Order the shortage")],
    )
    def below_minimum(company_id, params):
        return [Finding("catalog.product", p.pk, p.sku, {"available": qty(p.available, _("Available"))}) ...]

    # inventory/apps.py, in ready():
    from retaguarda.inventory import rules  # noqa: F401  (registers the watch rules)
"""

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse

from retaguarda.watch.states import Severity


@dataclass(frozen=True)
class Figure:
    """A number shown with an occurrence (and used in its explanation): `kind` says how to print it."""

    label: str
    value: Any
    kind: str = "text"  # money | qty | int | date | text

    def as_json(self) -> dict:
        value = self.value
        if isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        return {"label": str(self.label), "value": value, "kind": self.kind}


def money(value, label) -> Figure:
    return Figure(label, value, "money")


def qty(value, label) -> Figure:
    return Figure(label, value, "qty")


def integer(value, label) -> Figure:
    return Figure(label, value, "int")


def day(value, label) -> Figure:
    return Figure(label, value, "date")


def text(value, label) -> Figure:
    return Figure(label, value, "text")


# An id no row has, that every path converter accepts (int, str, slug): `link` cuts the URL around it.
_MARKER = 987654321987


def link(viewname: str) -> Callable[[int | str], str]:
    """`reverse(viewname, args=[pk])` for every pk at the cost of one `reverse`: resolving a URL costs
    more than the rest of a finding, and a rule may have tens of thousands (overdue installments)."""
    head, marker, tail = reverse(viewname, args=[_MARKER]).rpartition(str(_MARKER))
    if not marker:  # a converter that rewrote the id: resolve each one
        return lambda pk: reverse(viewname, args=[pk])
    return lambda pk: f"{head}{pk}{tail}"


def labels(**lazy) -> dict[str, str]:
    """A rule's figure labels translated once per evaluation: `str()` of a lazy translation costs a
    language lookup each time, several times per finding otherwise."""
    return {key: str(value) for key, value in lazy.items()}


@dataclass(frozen=True)
class Finding:
    """One offending object: what it is (`catalog.product` 12), how to name it and link to it, and the
    figures that fired the rule."""

    subject_type: str
    subject_id: int | str
    label: str
    figures: Mapping[str, Figure] = field(default_factory=dict)
    url: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.subject_type, str(self.subject_id))


@dataclass(frozen=True)
class Param:
    """A threshold a company may change (days, hours, percent); integers keep the forms simple."""

    key: str
    label: str
    default: int
    minimum: int = 0
    maximum: int = 3650


@dataclass(frozen=True)
class Trigger:
    """Re-evaluate a rule right after a document changes state (its timeline event), for the objects the
    change can affect only: `subjects(company_id, document_id)` returns their ids (the rule's subject type)
    in one query, and the rule's `find` is called with `subjects=` those ids.

    `document` is the document's model label (`sales.salesorder`, `finance.title`); `states` the states
    it moves to that matter (empty: any). Names are strings, so a rule never imports the app it watches."""

    document: str
    states: frozenset[str] = frozenset()
    subjects: Callable[[int, int], Iterable[int | str]] | None = None  # None: the document is the subject

    def matches(self, document_type: str, to_state: str) -> bool:
        return document_type == self.document and (not self.states or to_state in self.states)

    def subject_ids(self, company_id: int, document_id: int) -> set[str]:
        if self.subjects is None:
            return {str(document_id)}
        return {str(pk) for pk in self.subjects(company_id, document_id)}


def on(document: str, *states: str, subjects: Callable[[int, int], Iterable[int | str]] | None = None) -> Trigger:
    """`on("finance.title", "settled", subjects=installments_of)`: a `Trigger`, briefly."""
    return Trigger(document, frozenset(states), subjects)


@dataclass(frozen=True)
class Rule:
    code: str  # "<app>.<what>", stable: occurrences keep it
    title: str
    department: str  # an access department code: stock, finance, fiscal, sales, purchasing, ...
    severity: str
    find: Callable[[int, Mapping[str, int]], Iterable[Finding]]
    explanation: str = ""  # %(figure)s placeholders, filled with the printed figures
    steps: Sequence[str] = ()
    params: Sequence[Param] = ()
    # False: not part of the 15-minute run; its own task evaluates it (a costly check, such as the
    # stock ledger recomputed from every move, runs on the ledger check's hourly schedule).
    on_schedule: bool = True
    # Documents whose changes re-evaluate the rule at once, for the affected objects only; a rule with
    # triggers takes `find(company_id, params, subjects=None)`: with ids, only those objects are checked.
    triggers: Sequence[Trigger] = ()

    @property
    def app(self) -> str:
        return self.code.partition(".")[0]

    def defaults(self) -> dict[str, int]:
        return {p.key: p.default for p in self.params}


REGISTRY: dict[str, Rule] = {}


def register(new: Rule) -> Rule:
    """Add a rule (again, on a re-import, replacing the earlier copy of the same code)."""
    if new.department == "" or new.severity not in Severity.values:
        raise ValueError(f"watch rule {new.code}: department and a known severity are required")
    REGISTRY[new.code] = new
    return new


def rule(
    code: str,
    *,
    title: str,
    department: str,
    severity: str,
    explanation: str = "",
    steps: Sequence[str] = (),
    params: Sequence[Param] = (),
    on_schedule: bool = True,
    triggers: Sequence[Trigger] = (),
):
    """Decorator form of `register` for a rule's `find` function."""

    def wrap(find):
        register(
            Rule(
                code,
                title,
                department,
                severity,
                find,
                explanation,
                tuple(steps),
                tuple(params),
                on_schedule,
                tuple(triggers),
            )
        )
        return find

    return wrap


def rules() -> list[Rule]:
    return sorted(REGISTRY.values(), key=lambda r: r.code)


def get(code: str) -> Rule | None:
    return REGISTRY.get(code)


def triggered_by(document_type: str, to_state: str) -> list[tuple[Rule, Trigger]]:
    """The rules a document's move to `to_state` re-evaluates, each with the trigger that matched."""
    found = []
    for r in rules():
        for trigger in r.triggers:
            if trigger.matches(document_type, to_state):
                found.append((r, trigger))
                break
    return found


@dataclass
class _Evaluation:
    document_type: str
    document_id: int
    memo: dict = field(default_factory=dict)


_current: ContextVar[_Evaluation | None] = ContextVar("watch_evaluation", default=None)


@contextmanager
def evaluating(document_type: str, document_id: int) -> Iterator[None]:
    """While the rules a document's change triggered are evaluated (`services.run.evaluate_document`):
    what they read through `shared` is read once for all of them."""
    token = _current.set(_Evaluation(document_type, document_id))
    try:
        yield
    finally:
        _current.reset(token)


def current_document() -> tuple[str, int] | None:
    """The document whose change is being evaluated, or None (a scheduled run, a direct call)."""
    now = _current.get()
    return None if now is None else (now.document_type, now.document_id)


def shared[T](key: Hashable, read: Callable[[], T]) -> T:
    """`read()` once per evaluation of one document's change: the triggers and rules it re-evaluates that
    need the same rows (the stock the document touched) read them in one query, not one each. Outside
    such an evaluation, read every time."""
    now = _current.get()
    if now is None:
        return read()
    if key not in now.memo:
        now.memo[key] = read()
    return now.memo[key]


def watched_documents() -> set[str]:
    """Every document type some rule's trigger names: the timeline events worth a look."""
    return {t.document for r in REGISTRY.values() for t in r.triggers}
