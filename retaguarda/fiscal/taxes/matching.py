"""Which rule fires for a tax on a line: every criterion set on the rule must hold; the highest
priority wins, then the most specific rule, then the oldest. The reasons say what matched."""

from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from retaguarda.fiscal.taxes.model import LineIn, Rule, TaxContext

# Each criterion a rule may set (blank matches anything): whether it holds, and how the reason
# reads. Reasons are written only for the rule that fires: a 990-item note checks ~20,000 rules.
_CRITERIA = (
    ("operation", lambda r, c, line, cfop: r.operation == c.operation, lambda r: _("operation %(v)s") % {"v": r.operation}),
    ("cfop", lambda r, c, line, cfop: r.cfop == cfop, lambda r: _("CFOP %(v)s") % {"v": r.cfop}),
    ("origin_uf", lambda r, c, line, cfop: r.origin_uf == c.emitter_uf, lambda r: _("from %(v)s") % {"v": r.origin_uf}),
    ("destination_uf", lambda r, c, line, cfop: r.destination_uf == c.recipient_uf,
     lambda r: _("to %(v)s") % {"v": r.destination_uf}),
    ("scope", lambda r, c, line, cfop: r.scope == c.scope, lambda r: _("scope %(v)s") % {"v": scope_labels()[r.scope]}),
    ("ncm_prefix", lambda r, c, line, cfop: line.ncm.startswith(r.ncm_prefix),
     lambda r: _("NCM %(v)s*") % {"v": r.ncm_prefix}),
    ("regime", lambda r, c, line, cfop: r.regime == c.regime,
     lambda r: _("regime %(v)s") % {"v": regime_labels()[r.regime]}),
    ("recipient", lambda r, c, line, cfop: r.recipient in c.recipient_profiles(),
     lambda r: _("recipient %(v)s") % {"v": recipient_labels()[r.recipient]}),
    ("product_origins", lambda r, c, line, cfop: line.origin in r.product_origins,
     lambda r: _("origin %(v)s") % {"v": ",".join(str(o) for o in sorted(r.product_origins))}),
)  # fmt: skip


def _is_valid(rule: Rule, context: TaxContext) -> bool:
    day = context.issue_date
    return (rule.valid_from is None or rule.valid_from <= day) and (rule.valid_until is None or day <= rule.valid_until)


def _matches(rule: Rule, context: TaxContext, line: LineIn, cfop: str) -> int | None:
    """How many criteria the rule sets when all of them hold; None when one does not."""
    count = 0
    for attribute, holds, _reason in _CRITERIA:
        if getattr(rule, attribute):
            if not holds(rule, context, line, cfop):
                return None
            count += 1
    return count


def reasons(rule: Rule) -> tuple[str, ...]:
    """What the rule matched, in the active language."""
    return _reasons(rule, get_language())


@lru_cache(maxsize=1024)
def _reasons(rule: Rule, language: str | None) -> tuple[str, ...]:
    # The same few rules fire on every line of a note (8,000 reasons for a 1,000-line order invoiced,
    # a fifth of its CPU): written once per rule (a frozen value: all of it is the key) and language.
    return tuple(reason(rule) for attribute, _holds, reason in _CRITERIA if getattr(rule, attribute))


def pick(tax: str, context: TaxContext, line: LineIn, cfop: str) -> tuple[Rule | None, tuple[str, ...]]:
    """The rule that fires for `tax` on `line`, and the reasons it matched (empty when none does)."""
    best, best_key = None, None
    for rule in context.rules:
        if rule.tax != tax or not _is_valid(rule, context):
            continue
        count = _matches(rule, context, line, cfop)
        if count is None:
            continue
        key = (-rule.priority, -count, rule.id)
        if best_key is None or key < best_key:
            best, best_key = rule, key
    return best, (reasons(best) if best is not None else ())


def scope_labels() -> dict[str, str]:  # read at call time, in the active language
    return {"internal": _("within the state"), "interstate": _("interstate"), "foreign": _("foreign")}


def regime_labels() -> dict[str, str]:
    return {
        "simples": _("Simples Nacional"),
        "simples_excess": _("Simples Nacional above the sub-limit"),
        "normal": _("normal regime"),
    }


def recipient_labels() -> dict[str, str]:
    return {
        "taxpayer": _("ICMS taxpayer"),
        "non_taxpayer": _("not an ICMS taxpayer"),
        "final_consumer": _("final consumer"),
    }
