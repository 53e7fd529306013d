"""Which rule fires for a tax on a line: every criterion set on the rule must hold; the highest
priority wins, then the most specific rule, then the oldest. The reasons say what matched."""

from django.utils.translation import gettext as _

from retaguarda.fiscal.taxes.model import LineIn, Rule, TaxContext

# (rule attribute, how the reason reads); blank attributes match anything.
_CRITERIA = ("operation", "cfop", "origin_uf", "destination_uf", "scope", "ncm_prefix", "regime", "recipient")


def _is_valid(rule: Rule, context: TaxContext) -> bool:
    day = context.issue_date
    return (rule.valid_from is None or rule.valid_from <= day) and (rule.valid_until is None or day <= rule.valid_until)


def _checks(rule: Rule, context: TaxContext, line: LineIn, cfop: str) -> list[tuple[bool, str]]:
    """`(holds, reason)` for every criterion the rule sets."""
    checks = []
    if rule.operation:
        checks.append((rule.operation == context.operation, _("operation %(v)s") % {"v": rule.operation}))
    if rule.cfop:
        checks.append((rule.cfop == cfop, _("CFOP %(v)s") % {"v": rule.cfop}))
    if rule.origin_uf:
        checks.append((rule.origin_uf == context.emitter_uf, _("from %(v)s") % {"v": rule.origin_uf}))
    if rule.destination_uf:
        checks.append((rule.destination_uf == context.recipient_uf, _("to %(v)s") % {"v": rule.destination_uf}))
    if rule.scope:
        checks.append((rule.scope == context.scope, _("scope %(v)s") % {"v": scope_labels()[rule.scope]}))
    if rule.ncm_prefix:
        checks.append((line.ncm.startswith(rule.ncm_prefix), _("NCM %(v)s*") % {"v": rule.ncm_prefix}))
    if rule.regime:
        checks.append((rule.regime == context.regime, _("regime %(v)s") % {"v": regime_labels()[rule.regime]}))
    if rule.recipient:
        checks.append(
            (
                rule.recipient in context.recipient_profiles(),
                _("recipient %(v)s") % {"v": recipient_labels()[rule.recipient]},
            )
        )
    if rule.product_origins:
        origins = ",".join(str(o) for o in sorted(rule.product_origins))
        checks.append((line.origin in rule.product_origins, _("origin %(v)s") % {"v": origins}))
    return checks


def pick(tax: str, context: TaxContext, line: LineIn, cfop: str) -> tuple[Rule | None, tuple[str, ...]]:
    """The rule that fires for `tax` on `line`, and the reasons it matched (empty when none does)."""
    best, best_key, best_reasons = None, None, ()
    for rule in context.rules:
        if rule.tax != tax or not _is_valid(rule, context):
            continue
        checks = _checks(rule, context, line, cfop)
        if not all(holds for holds, _reason in checks):
            continue
        key = (-rule.priority, -len(checks), rule.id)
        if best_key is None or key < best_key:
            best, best_key, best_reasons = rule, key, tuple(reason for _holds, reason in checks)
    return best, best_reasons


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
