"""Variations: a parent product with attributes (Tamanho: P, M) and one child per combination.

Each child copies the parent's fiscal data and units (`INHERITED`) and has its own SKU, GTIN and price.
"""

import itertools
import re
import unicodedata
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from retaguarda.catalog import validation
from retaguarda.catalog.errors import InvalidVariation
from retaguarda.catalog.models import Product, ProductType
from retaguarda.catalog.services.product_data import (
    INHERITED,
    VARIANT_OWN,
    as_data,
    assign,
    check_unique,
)
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.problems import Problems
from retaguarda.core.scope import scoped
from retaguarda.core.text_limits import INPUT_LENGTHS
from retaguarda.core.validators import SEM_GTIN
from retaguarda.core.versioning import lock_for_edit

MAX_COMBINATIONS = 400


def variant_code(value: str) -> str:
    """An attribute value as it goes into a child's SKU: ASCII capitals and digits, 12 at most."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return re.sub(r"[^A-Z0-9]+", "", text)[:12] or "X"


def plan_variants(parent: dict, variations: dict, overrides: list[dict]) -> tuple[list[dict], list]:
    """The data of one child per combination of `variations`, and every problem found."""
    problems = Problems()
    if not isinstance(variations, dict) or not variations:
        return [], [("variations", _("Give at least one attribute with its values, such as Tamanho: P, M, G."))]
    clean: dict[str, list[str]] = {}
    for name, values in variations.items():
        label = str(name).strip()
        if not label or len(label) > INPUT_LENGTHS["attribute_name"]:
            problems.add(
                "variations",
                _("Each attribute needs a name of up to %(max)d characters.")
                % {"max": INPUT_LENGTHS["attribute_name"]},
            )
            continue
        values = [str(v).strip() for v in (values or []) if str(v).strip()]
        if not values:
            problems.add(f"variations.{label}", _("Attribute %(name)s has no values.") % {"name": label})
        if len({v.casefold() for v in values}) != len(values):
            problems.add(f"variations.{label}", _("Attribute %(name)s repeats a value.") % {"name": label})
        if any(len(v) > INPUT_LENGTHS["attribute_value"] for v in values):
            problems.add(
                f"variations.{label}",
                _("Values have at most %(max)d characters.") % {"max": INPUT_LENGTHS["attribute_value"]},
            )
        clean[label] = values
    combos = list(itertools.product(*clean.values())) if clean else []
    if len(combos) > MAX_COMBINATIONS:
        problems.add("variations", _("At most %(n)d combinations.") % {"n": MAX_COMBINATIONS})
    if problems:
        return [], problems
    variations.clear()
    variations.update(clean)
    by_combo = {}
    for i, override in enumerate(overrides):
        attrs = override.get("attributes") or {}
        key = tuple(str(attrs.get(name, "")).strip() for name in clean)
        if key not in combos:
            problems.add(f"variants.{i}.attributes", _("This combination is not among the variations."))
        by_combo[key] = (i, override)
    children = []
    for combo in combos:
        index, override = by_combo.get(combo, (None, {}))
        child = {k: parent[k] for k in INHERITED if k in parent}
        child.update(
            {
                "product_type": ProductType.GOODS,
                "sku": f"{parent['sku']}-{'-'.join(variant_code(v) for v in combo)}"[:60],
                "name": f"{parent['name']} {' '.join(combo)}"[:120],
                "gtin": SEM_GTIN,
                "price": parent.get("price", Decimal(0)),
                "cost": parent.get("cost", Decimal(0)),
                "attributes": dict(zip(clean, combo, strict=True)),
            }
        )
        extra = {k: v for k, v in override.items() if k != "attributes" and v not in (None, "")}
        wrong = set(extra) - set(VARIANT_OWN)
        if wrong:
            for k in sorted(wrong):
                problems.add(f"variants.{index}.{k}", _("This field cannot be set here."))
        child.update(validation.normalize({k: v for k, v in extra.items() if k in VARIANT_OWN}))
        prefix = f"variants.{index if index is not None else len(children)}."
        problems.within(prefix).extend(validation.product_problems(child, validation.References()))
        children.append(child)
    return children, problems


def create_child(parent: Product, data: dict, actor: Actor) -> Product:
    child = Product(company_id=parent.company_id, parent=parent)
    attributes = data.pop("attributes")
    assign(child, data)
    child.attributes = attributes
    child.save()
    audit.record_created(actor, child)
    return child


def add_variant(parent_id: int, *, actor: Actor, attributes: dict[str, str], **own) -> Product:
    """One more child of a variation parent: `attributes` names a value for each of its attributes."""
    with transaction.atomic():
        parent = lock_for_edit(scoped(Product, actor), parent_id, None)
        if not parent.is_variant_parent:
            problems = Problems()
            problems.add("parent", _("This product has no variations."))
            problems.raise_if_any(InvalidVariation)
        names = list(parent.attributes)
        given = {str(k).strip(): str(v).strip() for k, v in (attributes or {}).items()}
        problems = Problems()
        if set(given) != set(names) or not all(given.values()):
            problems.add("attributes", _("Give one value for each attribute: %(names)s.") % {"names": ", ".join(names)})
        else:
            combo = tuple(given[n] for n in names)
            existing = {tuple(v.attributes.get(n) for n in names) for v in parent.variants.all()}
            if combo in existing:
                problems.add("attributes", _("This combination already exists."))
        problems.raise_if_any(InvalidVariation)
        children, plan_problems = plan_variants(
            {**as_data(parent)}, {n: [given[n]] for n in names}, [{"attributes": given, **own}]
        )
        plan_problems.extend(check_unique(parent.company_id, [("", c) for c in children]))
        problems = Problems()
        problems.extend((p["field"] and p["field"].removeprefix("variants.0."), p["message"]) for p in plan_problems)
        problems.raise_if_any(InvalidVariation)
        before = audit.snapshot(parent, ["attributes"])
        for name in names:
            if given[name] not in parent.attributes[name]:
                parent.attributes[name] = [*parent.attributes[name], given[name]]
        parent.version += 1
        parent.save()
        audit.record_changed(actor, parent, before)
        return create_child(parent, children[0], actor)


def remove_variant(variant_id: int, *, actor: Actor) -> str:
    """Delete a variation nothing refers to yet, or deactivate it; answers "deleted" or "deactivated"."""
    with transaction.atomic():
        child = lock_for_edit(scoped(Product, actor).filter(parent__isnull=False), variant_id, None)
        parent = lock_for_edit(Product.objects, child.parent_id, None)
        outcome = "deleted"
        try:
            with transaction.atomic():
                audit.record(actor, child, "deleted", {k: [v, None] for k, v in audit.snapshot(child).items()})
                child.delete()
        except (ProtectedError, IntegrityError):
            outcome = "deactivated"
            before = audit.snapshot(child, ["is_active"])
            child.is_active = False
            child.version += 1
            child.save()
            audit.record_changed(actor, child, before)
        before = audit.snapshot(parent, ["attributes"])
        remaining = list(parent.variants.filter(is_active=True))
        parent.attributes = {
            name: [v for v in values if any(c.attributes.get(name) == v for c in remaining)]
            for name, values in parent.attributes.items()
        }
        parent.version += 1
        parent.save()
        audit.record_changed(actor, parent, before)
    return outcome
