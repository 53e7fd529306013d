"""Kits: a product made of other products (components with quantities); stock moves its components."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.catalog.errors import InvalidKit
from retaguarda.catalog.models import KitComponent, Product, ProductType
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.decimals import read_decimal
from retaguarda.core.money import QUANTITY_PLACES
from retaguarda.core.problems import Problems
from retaguarda.core.scope import scoped
from retaguarda.core.versioning import lock_for_edit


def resolve_components(company_id: int, components: list[dict], kit: Product | None):
    """The (product, quantity) of each component entry, and every problem found (with its field)."""
    problems = Problems()
    wanted = []
    for i, entry in enumerate(components):
        ref = entry.get("product_id") or entry.get("component_id") or (entry.get("sku") or "").strip()
        if isinstance(ref, str) and ref.isdigit() and not entry.get("sku"):
            ref = int(ref)
        try:
            quantity = read_decimal(entry.get("quantity"), places=QUANTITY_PLACES, typed=True)
        except ValueError as exc:
            quantity = None
            problems.add(f"components.{i}.quantity", str(exc))
        else:
            if quantity <= 0:
                problems.add(f"components.{i}.quantity", _("The quantity must be greater than zero."))
        if ref in (None, ""):
            problems.add(f"components.{i}.product_id", _("Required field."))
        wanted.append((i, ref, quantity))
    ids = [r for _i, r, _q in wanted if isinstance(r, int)]
    skus = [r for _i, r, _q in wanted if isinstance(r, str) and r]
    products = Product.objects.filter(company_id=company_id)
    found = {p.pk: p for p in products.filter(pk__in=ids)} if ids else {}
    by_sku = {p.sku: p for p in products.filter(sku__in=skus)} if skus else {}
    resolved = []
    seen = set()
    for i, ref, quantity in wanted:
        if ref in (None, ""):
            continue
        product = found.get(ref) if isinstance(ref, int) else by_sku.get(ref)
        field = f"components.{i}.product_id"
        if product is None:
            note = problems.missing if isinstance(ref, int) else problems.add  # an id, or a SKU typed
            note(field, _("Product %(ref)s not found.") % {"ref": ref})
            continue
        if kit is not None and product.pk == kit.pk:
            problems.add(field, _("A kit cannot contain itself."))
        elif product.product_type == ProductType.KIT:
            problems.add(field, _("%(product)s is a kit; a kit cannot contain another kit.") % {"product": product})
        elif product.is_variant_parent:
            problems.add(field, _("%(product)s has variations; choose one of its variations.") % {"product": product})
        elif not product.is_active:
            problems.add(field, _("%(product)s is inactive.") % {"product": product})
        if product.pk in seen:
            problems.add(field, _("%(product)s appears twice.") % {"product": product})
        seen.add(product.pk)
        resolved.append((product, quantity))
    return resolved, problems


def components_repr(kit: Product) -> list[str]:
    """The composition as the audit trail shows it: `SKU x quantity` per component."""
    return [f"{c.component.sku} x {c.quantity}" for c in kit.components.select_related("component").order_by("id")]


def replace_components(kit: Product, parts: list[tuple[Product, Decimal]]) -> None:
    kit.components.all().delete()
    KitComponent.objects.bulk_create(
        [KitComponent(kit=kit, component=component, quantity=quantity) for component, quantity in parts]
    )


def set_kit_components(kit_id: int, components: list[dict], *, actor: Actor, version: int | None) -> Product:
    """Replace the composition of a kit (every component at once)."""
    with transaction.atomic():
        kit = lock_for_edit(scoped(Product, actor), kit_id, version)
        problems = Problems()
        if kit.product_type != ProductType.KIT:
            problems.add("components", _("Only kits have components."))
        if not components:
            problems.add("components", _("A kit needs at least one component."))
        resolved, more = resolve_components(kit.company_id, components or [], kit)
        problems.extend(more)
        problems.raise_if_any(InvalidKit)
        before = components_repr(kit)
        replace_components(kit, resolved)
        kit.version += 1
        kit.save(update_fields=["version", "updated_at"])
        after = components_repr(kit)
        if before != after:
            audit.record(actor, kit, "components_set", {"components": [before, after]})
    return kit
