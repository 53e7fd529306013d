"""Watch services, the only writers of occurrences and routines."""

from retaguarda.core.actor import Actor
from retaguarda.watch.services.departments import save_department_manager
from retaguarda.watch.services.digest import send_digest
from retaguarda.watch.services.escalation import escalate
from retaguarda.watch.services.occurrences import (
    acknowledge,
    assign,
    check_step,
    comment,
    dismiss,
    plan,
    reopen,
    resolve,
    start,
)
from retaguarda.watch.services.routines import open_due, save_routine
from retaguarda.watch.services.run import RunSummary, evaluate
from retaguarda.watch.services.settings import save_rule_setting


def run_company(company_id: int, *, codes: list[str] | None = None, actor: Actor | None = None) -> RunSummary:
    """One company's watch: its rules (or only `codes`) and the routines due."""
    summary = evaluate(company_id, codes=codes, actor=actor)
    if codes is None:
        summary.opened += open_due(company_id, actor=actor)
        summary.escalated = len(escalate(company_id, actor=actor))
    return summary


__all__ = [
    "RunSummary",
    "acknowledge",
    "assign",
    "check_step",
    "comment",
    "dismiss",
    "escalate",
    "evaluate",
    "open_due",
    "plan",
    "reopen",
    "resolve",
    "run_company",
    "save_department_manager",
    "save_routine",
    "save_rule_setting",
    "send_digest",
    "start",
]
