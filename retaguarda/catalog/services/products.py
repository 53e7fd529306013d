"""Products: create (plain, service, kit or variation parent), change, activate and deactivate.

Every function owns its transaction, checks every field at once (`ValidationFailed` listing each
problem with its field), writes audit records field by field and takes the `version` it edits.
Products are given NCM and CEST as codes (`ncm="39241000"`, `cest="1400300"`).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.catalog import validation
from retaguarda.catalog.errors import DuplicateSku, InvalidProduct
from retaguarda.catalog.models import KitComponent, Product, ProductType
from retaguarda.catalog.services.kits import components_repr, resolve_components
from retaguarda.catalog.services.product_data import (
    EDITABLE,
    INHERITED,
    PRODUCT_FIELDS,
    as_data,
    assign,
    check_unique,
    unknown_fields,
)
from retaguarda.catalog.services.variations import create_child, plan_variants
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.versioning import lock_for_edit


def create_product(
    *,
    actor: Actor,
    variations: dict[str, list[str]] | None = None,
    variants: list[dict] | None = None,
    components: list[dict] | None = None,
    company_id: int | None = None,
    **fields,
) -> Product:
    """A plain product, a service, a kit (`components`) or a variation parent (`variations`).

    `variations={"Tamanho": ["P", "M"], "Cor": ["Azul"]}` creates one child per combination; each
    child copies the parent's fiscal data and takes its own SKU (parent SKU + values unless given
    in `variants`), GTIN and price: `variants=[{"attributes": {"Tamanho": "P", "Cor": "Azul"},
    "sku": "...", "gtin": "...", "price": ...}]`. `components=[{"product_id": 7, "quantity": 2}]`
    (or `"sku"` instead of `product_id`) makes a kit.
    """
    company_id = company_id_of(company_id or actor)
    problems = unknown_fields(fields, PRODUCT_FIELDS)
    data = validation.normalize(dict(fields))
    data.setdefault("product_type", ProductType.KIT if components else ProductType.GOODS)
    for key in ("sku", "name", "ncm"):
        data.setdefault(key, "")
    problems.extend(validation.product_problems(data, validation.References()))
    if variations is not None and data["product_type"] != ProductType.GOODS:
        problems.add("variations", _("Only goods can have variations."))
    if components and data["product_type"] != ProductType.KIT:
        problems.add("components", _("Only kits have components."))
    if data["product_type"] == ProductType.KIT and not components:
        problems.add("components", _("A kit needs at least one component."))
    if variations is not None and components:
        problems.add("variations", _("A kit cannot have variations."))
    children: list[dict] = []
    if variations is not None and not problems:
        children, child_problems = plan_variants(data, variations, variants or [])
        problems.extend(child_problems)
    with transaction.atomic():
        resolved = []
        if components:
            resolved, kit_problems = resolve_components(company_id, components, kit=None)
            problems.extend(kit_problems)
        problems.extend(
            check_unique(company_id, [("", data)] + [(f"variants.{i}.", c) for i, c in enumerate(children)])
        )
        only_skus = all((p["field"] or "").endswith("sku") for p in problems)
        problems.raise_if_any(DuplicateSku if only_skus else InvalidProduct)
        product = Product(company_id=company_id)
        assign(product, data)
        if variations is not None:
            product.is_variant_parent = True
            product.attributes = {name: list(values) for name, values in variations.items()}
        product.save()
        audit.record_created(actor, product)
        for child_data in children:
            create_child(product, child_data, actor)
        for component, quantity in resolved:
            KitComponent.objects.create(kit=product, component=component, quantity=quantity)
        if resolved:
            audit.record(actor, product, "components_set", {"components": [None, components_repr(product)]})
    return product


def update_product(product_id: int, *, actor: Actor, version: int | None, **changes) -> Product:
    """Change the given fields. A variation parent's fiscal data and units flow down to its children."""
    problems = unknown_fields(changes, EDITABLE)
    data = validation.normalize(dict(changes))
    with transaction.atomic():
        product = lock_for_edit(scoped(Product, actor), product_id, version)
        merged = {**as_data(product), **data}
        problems.extend(
            validation.product_problems(
                {k: merged[k] for k in {*data, "ncm", "cest"} if k in merged},
                validation.References(keep=(product.ncm_id, product.cest_id)),
            )
        )
        if product.parent_id and "is_active" in data and data["is_active"] and not product.parent.is_active:
            problems.add("is_active", _("Activate the parent product first."))
        problems.extend(check_unique(product.company_id, [("", data)], exclude=[product.pk]))
        problems.raise_if_any(InvalidProduct)
        before = audit.snapshot(product)
        assign(product, data)
        product.version += 1
        product.save()
        audit.record_changed(actor, product, before)
        if product.is_variant_parent:
            follow = {k: data[k] for k in INHERITED if k in data}
            if "is_active" in data and not data["is_active"]:
                follow["is_active"] = False
            for child in product.variants.select_for_update().order_by("id"):
                child_before = audit.snapshot(child)
                assign(child, follow)
                if audit.diff(child_before, audit.snapshot(child)):
                    child.version += 1
                    child.save()
                    audit.record_changed(actor, child, child_before)
    return product


def deactivate_product(product_id: int, *, actor: Actor, version: int | None = None) -> Product:
    """Inactive products leave the lists and new documents; a parent takes its variations along."""
    return update_product(product_id, actor=actor, version=version, is_active=False)


def activate_product(product_id: int, *, actor: Actor, version: int | None = None) -> Product:
    return update_product(product_id, actor=actor, version=version, is_active=True)
