"""Catalog writes: products, variations, kits and price lists. The only writers of catalog rows.

Every function owns its transaction, checks every field at once (`ValidationFailed` listing each
problem with its field), writes audit records field by field and takes the `version` it edits.
Products are given NCM and CEST as codes (`ncm="39241000"`, `cest="1400300"`).
"""

import itertools
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.catalog import validation
from retaguarda.catalog.errors import (
    DuplicateSku,
    InvalidKit,
    InvalidPriceList,
    InvalidProduct,
    InvalidVariation,
)
from retaguarda.catalog.models import KitComponent, PriceList, PriceListItem, Product, ProductType
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.models import AuditRecord
from retaguarda.core.validators import SEM_GTIN
from retaguarda.core.versioning import lock_for_edit

PRODUCT_FIELDS = [
    "sku",
    "name",
    "description",
    "product_type",
    "gtin",
    "ncm",
    "cest",
    "origin",
    "unit",
    "tax_unit",
    "purchase_unit",
    "purchase_factor",
    "gross_weight",
    "net_weight",
    "height_cm",
    "width_cm",
    "length_cm",
    "cost",
    "price",
    "minimum_stock",
    "maximum_stock",
    "category",
    "is_active",
]
EDITABLE = [f for f in PRODUCT_FIELDS if f != "product_type"]
# Fields a variation child takes from its parent when created, and follows when the parent changes.
INHERITED = [
    "description",
    "ncm",
    "cest",
    "origin",
    "unit",
    "tax_unit",
    "purchase_unit",
    "purchase_factor",
    "gross_weight",
    "net_weight",
    "height_cm",
    "width_cm",
    "length_cm",
    "category",
]
VARIANT_OWN = ["sku", "gtin", "price", "cost", "name", "minimum_stock", "maximum_stock", "is_active"]
MAX_COMBINATIONS = 400


def _fail(exc_class, problems: list[tuple[str, str]]):
    details = [{"field": f, "message": m} for f, m in problems]
    raise exc_class(details[0]["message"] if len(details) == 1 else None, details=details)


def _assign(product: Product, data: dict) -> None:
    for key, value in data.items():
        if key == "ncm":
            product.ncm_id = value
        elif key == "cest":
            product.cest_id = value or None
        elif key in validation.DECIMAL_FIELDS and isinstance(value, Decimal):
            # the scale the database keeps, so audit diffs compare like with like
            setattr(product, key, value.quantize(Decimal(1).scaleb(-validation.DECIMAL_FIELDS[key][0])))
        else:
            setattr(product, key, value)


def _company_id(actor: Actor, company_id: int | None = None) -> int:
    company_id = company_id or actor.company_id
    if not company_id:
        raise ValidationFailed(_("Choose a company first."))
    return company_id


def _taken_skus(company_id: int, skus: Iterable[str], exclude: Iterable[int] = ()) -> set[str]:
    skus = [s for s in skus if s]
    if not skus:
        return set()
    qs = Product.objects.filter(company_id=company_id, sku__in=skus).exclude(pk__in=list(exclude))
    return set(qs.values_list("sku", flat=True))


def _taken_gtins(company_id: int, gtins: Iterable[str], exclude: Iterable[int] = ()) -> set[str]:
    gtins = [g for g in gtins if g and g != SEM_GTIN]
    if not gtins:
        return set()
    qs = Product.objects.filter(company_id=company_id, gtin__in=gtins).exclude(pk__in=list(exclude))
    return set(qs.values_list("gtin", flat=True))


def _check_unique(company_id: int, products: list[tuple[str, dict]], exclude: Iterable[int] = ()) -> list:
    """SKU and GTIN unique in the company and among the products being written (prefix names the field)."""
    exclude = list(exclude)
    problems = []
    taken_skus = _taken_skus(company_id, [d.get("sku") for _p, d in products], exclude)
    taken_gtins = _taken_gtins(company_id, [d.get("gtin") for _p, d in products], exclude)
    seen_skus: set[str] = set()
    seen_gtins: set[str] = set()
    for prefix, data in products:
        sku, gtin = data.get("sku"), data.get("gtin")
        if sku and (sku in taken_skus or sku in seen_skus):
            problems.append((f"{prefix}sku", _("SKU %(sku)s is already used by another product.") % {"sku": sku}))
        if gtin and gtin != SEM_GTIN and (gtin in taken_gtins or gtin in seen_gtins):
            problems.append((f"{prefix}gtin", _("GTIN %(gtin)s is already used by another product.") % {"gtin": gtin}))
        seen_skus.add(sku)
        seen_gtins.add(gtin)
    return problems


def _unknown(fields: Iterable[str], allowed: list[str]) -> list[tuple[str, str]]:
    return [(f, _("This field cannot be set here.")) for f in sorted(set(fields) - set(allowed))]


# --- products -----------------------------------------------------------------------------------------


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
    company_id = _company_id(actor, company_id)
    problems = _unknown(fields, PRODUCT_FIELDS)
    data = validation.normalize(dict(fields))
    data.setdefault("product_type", ProductType.KIT if components else ProductType.GOODS)
    for key in ("sku", "name", "ncm"):
        data.setdefault(key, "")
    problems += validation.product_problems(data, validation.References())
    if variations is not None and data["product_type"] != ProductType.GOODS:
        problems.append(("variations", _("Only goods can have variations.")))
    if components and data["product_type"] != ProductType.KIT:
        problems.append(("components", _("Only kits have components.")))
    if data["product_type"] == ProductType.KIT and not components:
        problems.append(("components", _("A kit needs at least one component.")))
    if variations is not None and components:
        problems.append(("variations", _("A kit cannot have variations.")))
    children: list[dict] = []
    if variations is not None and not problems:
        children, child_problems = _plan_variants(data, variations, variants or [])
        problems += child_problems
    with transaction.atomic():
        resolved = []
        if components:
            resolved, kit_problems = _resolve_components(company_id, components, kit=None)
            problems += kit_problems
        problems += _check_unique(company_id, [("", data)] + [(f"variants.{i}.", c) for i, c in enumerate(children)])
        if problems:
            _fail(DuplicateSku if all(f.endswith("sku") for f, _m in problems) else InvalidProduct, problems)
        product = Product(company_id=company_id)
        _assign(product, data)
        if variations is not None:
            product.is_variant_parent = True
            product.attributes = {name: list(values) for name, values in variations.items()}
        product.save()
        audit.record_created(actor, product)
        for child_data in children:
            _create_child(product, child_data, actor)
        for component, quantity in resolved:
            KitComponent.objects.create(kit=product, component=component, quantity=quantity)
        if resolved:
            audit.record(actor, product, "components_set", {"components": [None, _components_repr(product)]})
    return product


def _slug(value: str) -> str:
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return re.sub(r"[^A-Z0-9]+", "", text)[:12] or "X"


def _plan_variants(parent: dict, variations: dict, overrides: list[dict]) -> tuple[list[dict], list]:
    problems = []
    if not isinstance(variations, dict) or not variations:
        return [], [("variations", _("Give at least one attribute with its values, such as Tamanho: P, M, G."))]
    clean: dict[str, list[str]] = {}
    for name, values in variations.items():
        label = str(name).strip()
        if not label or len(label) > 30:
            problems.append(("variations", _("Each attribute needs a name of up to 30 characters.")))
            continue
        values = [str(v).strip() for v in (values or []) if str(v).strip()]
        if not values:
            problems.append((f"variations.{label}", _("Attribute %(name)s has no values.") % {"name": label}))
        if len({v.casefold() for v in values}) != len(values):
            problems.append((f"variations.{label}", _("Attribute %(name)s repeats a value.") % {"name": label}))
        if any(len(v) > 30 for v in values):
            problems.append((f"variations.{label}", _("Values have at most 30 characters.")))
        clean[label] = values
    combos = list(itertools.product(*clean.values())) if clean else []
    if len(combos) > MAX_COMBINATIONS:
        problems.append(("variations", _("At most %(n)d combinations.") % {"n": MAX_COMBINATIONS}))
    if problems:
        return [], problems
    variations.clear()
    variations.update(clean)
    by_combo = {}
    for i, override in enumerate(overrides):
        attrs = override.get("attributes") or {}
        key = tuple(str(attrs.get(name, "")).strip() for name in clean)
        if key not in combos:
            problems.append((f"variants.{i}.attributes", _("This combination is not among the variations.")))
        by_combo[key] = (i, override)
    children = []
    for combo in combos:
        index, override = by_combo.get(combo, (None, {}))
        child = {k: parent[k] for k in INHERITED if k in parent}
        child.update(
            {
                "product_type": ProductType.GOODS,
                "sku": f"{parent['sku']}-{'-'.join(_slug(v) for v in combo)}"[:60],
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
            problems += [(f"variants.{index}.{k}", _("This field cannot be set here.")) for k in sorted(wrong)]
        child.update(validation.normalize({k: v for k, v in extra.items() if k in VARIANT_OWN}))
        prefix = f"variants.{index if index is not None else len(children)}."
        problems += [(prefix + f, m) for f, m in validation.product_problems(child, validation.References())]
        children.append(child)
    return children, problems


def _create_child(parent: Product, data: dict, actor: Actor) -> Product:
    child = Product(company_id=parent.company_id, parent=parent)
    attributes = data.pop("attributes")
    _assign(child, data)
    child.attributes = attributes
    child.save()
    audit.record_created(actor, child)
    return child


def update_product(product_id: int, *, actor: Actor, version: int | None, **changes) -> Product:
    """Change the given fields. A variation parent's fiscal data and units flow down to its children."""
    problems = _unknown(changes, EDITABLE)
    data = validation.normalize(dict(changes))
    with transaction.atomic():
        product = lock_for_edit(_scoped(actor), product_id, version)
        merged = {**_as_data(product), **data}
        problems += validation.product_problems(
            {k: merged[k] for k in {*data, "ncm", "cest"} if k in merged}, validation.References()
        )
        if product.parent_id and "is_active" in data and data["is_active"] and not product.parent.is_active:
            problems.append(("is_active", _("Activate the parent product first.")))
        problems += _check_unique(product.company_id, [("", data)], exclude=[product.pk])
        if problems:
            _fail(InvalidProduct, problems)
        before = audit.snapshot(product)
        _assign(product, data)
        product.version += 1
        product.save()
        audit.record_changed(actor, product, before)
        if product.is_variant_parent:
            follow = {k: data[k] for k in INHERITED if k in data}
            if "is_active" in data and not data["is_active"]:
                follow["is_active"] = False
            for child in product.variants.select_for_update().order_by("id"):
                child_before = audit.snapshot(child)
                _assign(child, follow)
                if audit.diff(child_before, audit.snapshot(child)):
                    child.version += 1
                    child.save()
                    audit.record_changed(actor, child, child_before)
    return product


def _as_data(product: Product) -> dict:
    data = {k: getattr(product, k) for k in PRODUCT_FIELDS if k not in ("ncm", "cest")}
    data["ncm"] = product.ncm_id
    data["cest"] = product.cest_id
    return data


def _scoped(actor: Actor):
    qs = Product.objects.all()
    return qs.filter(company_id=actor.company_id) if actor.company_id else qs


def deactivate_product(product_id: int, *, actor: Actor, version: int | None = None) -> Product:
    """Inactive products leave the lists and new documents; a parent takes its variations along."""
    return update_product(product_id, actor=actor, version=version, is_active=False)


def activate_product(product_id: int, *, actor: Actor, version: int | None = None) -> Product:
    return update_product(product_id, actor=actor, version=version, is_active=True)


# --- variations ---------------------------------------------------------------------------------------


def add_variant(parent_id: int, *, actor: Actor, attributes: dict[str, str], **own) -> Product:
    """One more child of a variation parent: `attributes` names a value for each of its attributes."""
    with transaction.atomic():
        parent = lock_for_edit(_scoped(actor), parent_id, None)
        if not parent.is_variant_parent:
            _fail(InvalidVariation, [("parent", _("This product has no variations."))])
        names = list(parent.attributes)
        given = {str(k).strip(): str(v).strip() for k, v in (attributes or {}).items()}
        problems = []
        if set(given) != set(names) or not all(given.values()):
            problems.append(
                ("attributes", _("Give one value for each attribute: %(names)s.") % {"names": ", ".join(names)})
            )
        else:
            combo = tuple(given[n] for n in names)
            existing = {tuple(v.attributes.get(n) for n in names) for v in parent.variants.all()}
            if combo in existing:
                problems.append(("attributes", _("This combination already exists.")))
        if problems:
            _fail(InvalidVariation, problems)
        children, plan_problems = _plan_variants(
            {**_as_data(parent)}, {n: [given[n]] for n in names}, [{"attributes": given, **own}]
        )
        problems = plan_problems + _check_unique(parent.company_id, [("", c) for c in children])
        if problems:
            _fail(InvalidVariation, [(f.removeprefix("variants.0."), m) for f, m in problems])
        before = audit.snapshot(parent, ["attributes"])
        for name in names:
            if given[name] not in parent.attributes[name]:
                parent.attributes[name] = [*parent.attributes[name], given[name]]
        parent.version += 1
        parent.save()
        audit.record_changed(actor, parent, before)
        return _create_child(parent, children[0], actor)


def remove_variant(variant_id: int, *, actor: Actor) -> str:
    """Delete a variation nothing refers to yet, or deactivate it; answers "deleted" or "deactivated"."""
    with transaction.atomic():
        child = lock_for_edit(_scoped(actor).filter(parent__isnull=False), variant_id, None)
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


# --- kits ---------------------------------------------------------------------------------------------


def _resolve_components(company_id: int, components: list[dict], kit: Product | None):
    problems = []
    wanted = []
    for i, entry in enumerate(components):
        ref = entry.get("product_id") or entry.get("component_id") or (entry.get("sku") or "").strip()
        if isinstance(ref, str) and ref.isdigit() and not entry.get("sku"):
            ref = int(ref)
        quantity = entry.get("quantity")
        try:
            quantity = Decimal(str(quantity).replace(",", "."))
        except ArithmeticError:
            quantity = None
        if quantity is None or not quantity.is_finite() or quantity <= 0:
            problems.append((f"components.{i}.quantity", _("The quantity must be greater than zero.")))
        elif quantity != quantity.quantize(Decimal("0.0001")):
            problems.append((f"components.{i}.quantity", _("At most %(places)d decimal places.") % {"places": 4}))
        if ref in (None, ""):
            problems.append((f"components.{i}.product_id", _("Required field.")))
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
            problems.append((field, _("Product %(ref)s not found.") % {"ref": ref}))
            continue
        if kit is not None and product.pk == kit.pk:
            problems.append((field, _("A kit cannot contain itself.")))
        elif product.product_type == ProductType.KIT:
            problems.append(
                (field, _("%(product)s is a kit; a kit cannot contain another kit.") % {"product": product})
            )
        elif product.is_variant_parent:
            problems.append(
                (field, _("%(product)s has variations; choose one of its variations.") % {"product": product})
            )
        elif not product.is_active:
            problems.append((field, _("%(product)s is inactive.") % {"product": product}))
        if product.pk in seen:
            problems.append((field, _("%(product)s appears twice.") % {"product": product}))
        seen.add(product.pk)
        resolved.append((product, quantity))
    return resolved, problems


def _components_repr(kit: Product) -> list[str]:
    return [f"{c.component.sku} x {c.quantity}" for c in kit.components.select_related("component").order_by("id")]


def set_kit_components(kit_id: int, components: list[dict], *, actor: Actor, version: int | None) -> Product:
    """Replace the composition of a kit (every component at once)."""
    with transaction.atomic():
        kit = lock_for_edit(_scoped(actor), kit_id, version)
        problems = []
        if kit.product_type != ProductType.KIT:
            problems.append(("components", _("Only kits have components.")))
        if not components:
            problems.append(("components", _("A kit needs at least one component.")))
        resolved, more = _resolve_components(kit.company_id, components or [], kit)
        problems += more
        if problems:
            _fail(InvalidKit, problems)
        before = _components_repr(kit)
        kit.components.all().delete()
        KitComponent.objects.bulk_create(
            [KitComponent(kit=kit, component=component, quantity=quantity) for component, quantity in resolved]
        )
        kit.version += 1
        kit.save(update_fields=["version", "updated_at"])
        after = _components_repr(kit)
        if before != after:
            audit.record(actor, kit, "components_set", {"components": [before, after]})
    return kit


# --- spreadsheet import (many products at once) -------------------------------------------------------


def save_imported_products(
    new: list[dict], changed: list[tuple[Product, dict]], *, actor: Actor, company_id: int
) -> int:
    """Write products already checked by the importer, in bulk, with one audit record each.

    `new` holds dicts of product fields (plus `parent_sku`, `attributes`, `components` as
    [(sku, quantity)]); `changed` pairs an existing product with the fields to change. Parents come
    before their variations and components before their kits; the caller orders them so.
    """
    with transaction.atomic():
        records = []
        now = timezone.now()
        for product, data in changed:
            before = audit.snapshot(product)
            extra = {k: data.pop(k) for k in ("parent_sku", "components") if k in data}
            _assign(product, data)
            after = audit.snapshot(product, list(before))
            changes = audit.diff(before, after)
            if changes:
                # One UPDATE of the changed columns per product: on SQLite this beats bulk_update's CASE.
                product.version += 1
                product.updated_at = now
                columns = {name: getattr(product, name) for name in changes}
                Product.objects.filter(pk=product.pk).update(**columns, version=product.version, updated_at=now)
                records.append(_audit_row(actor, product, "updated", changes))
            if extra.get("components") is not None and product.product_type == ProductType.KIT:
                before_parts = _components_repr(product)
                _replace_components_bulk(product, extra["components"], actor)
                after_parts = _components_repr(product)
                if before_parts != after_parts:
                    records.append(
                        _audit_row(actor, product, "components_set", {"components": [before_parts, after_parts]})
                    )
        refs = {d["parent_sku"] for d in new if d.get("parent_sku")} | {
            sku for d in new for sku, _q in d.get("components") or []
        }
        by_sku = {p.sku: p for p in Product.objects.filter(company_id=company_id, sku__in=refs)} if refs else {}
        created: list[Product] = []
        pending_kits = []
        for stage in ("plain", "children"):
            objs = []
            for data in new:
                is_child = bool(data.get("parent_sku"))
                if (stage == "children") != is_child:
                    continue
                fields = {k: v for k, v in data.items() if k not in ("parent_sku", "components", "attributes")}
                product = Product(company_id=company_id)
                _assign(product, fields)
                product.attributes = data.get("attributes") or {}
                if is_child:
                    product.parent = by_sku[data["parent_sku"]]
                if data.get("components"):
                    pending_kits.append((product, data["components"]))
                objs.append(product)
            if objs:
                Product.objects.bulk_create(objs, batch_size=500)
                created += objs
                by_sku.update({p.sku: p for p in objs})
            if stage == "plain":
                parents = {d["parent_sku"] for d in new if d.get("parent_sku")}
                _mark_parents([by_sku[s] for s in parents if s in by_sku], new)
        records += [
            _audit_row(actor, p, "created", {k: [None, v] for k, v in audit.snapshot(p).items() if v not in (None, "")})
            for p in created
        ]
        KitComponent.objects.bulk_create(
            [
                KitComponent(kit=kit, component=by_sku[sku], quantity=quantity)
                for kit, parts in pending_kits
                for sku, quantity in parts
            ],
            batch_size=500,
        )
        AuditRecord.objects.bulk_create(records, batch_size=500)
    return len(created) + len(changed)


def _mark_parents(parents: list[Product], new: list[dict]) -> None:
    """A product named as `parent_sku` becomes a variation parent holding its children's values."""
    for parent in parents:
        values: dict[str, list[str]] = {k: list(v) for k, v in (parent.attributes or {}).items()}
        if not parent.is_variant_parent or not isinstance(next(iter(values.values()), []), list):
            values = {}
        for data in new:
            if data.get("parent_sku") == parent.sku:
                for name, value in (data.get("attributes") or {}).items():
                    values.setdefault(name, [])
                    if value not in values[name]:
                        values[name].append(value)
        parent.is_variant_parent = True
        parent.attributes = values
        parent.save(update_fields=["is_variant_parent", "attributes", "updated_at"])


def _replace_components_bulk(kit: Product, parts: list[tuple[str, Decimal]], actor: Actor) -> None:
    skus = [s for s, _q in parts]
    by_sku = {p.sku: p for p in Product.objects.filter(company_id=kit.company_id, sku__in=skus)}
    kit.components.all().delete()
    KitComponent.objects.bulk_create([KitComponent(kit=kit, component=by_sku[s], quantity=q) for s, q in parts])


def _audit_row(actor: Actor, obj: Product, action: str, changes: dict) -> AuditRecord:
    return AuditRecord(
        company_id=obj.company_id,
        user=actor.user,
        actor_label=actor.label,
        origin=actor.origin,
        ip=actor.ip,
        action=action,
        object_type=audit.object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=audit._plain(changes),
    )


# --- price lists --------------------------------------------------------------------------------------

PRICE_LIST_FIELDS = ["name", "channel", "customer_group", "valid_from", "valid_until", "is_active", "notes"]


def _price_list_problems(price_list: PriceList) -> list[tuple[str, str]]:
    problems = []
    if not (price_list.name or "").strip():
        problems.append(("name", _("Required field.")))
    elif len(price_list.name) > 80:
        problems.append(("name", _("At most %(limit)d characters.") % {"limit": 80}))
    for key in ("channel", "customer_group"):
        if len(getattr(price_list, key) or "") > 60:
            problems.append((key, _("At most %(limit)d characters.") % {"limit": 60}))
    if price_list.valid_from and price_list.valid_until and price_list.valid_from > price_list.valid_until:
        problems.append(("valid_until", _("The end date comes before the start date.")))
    duplicate = PriceList.objects.filter(company_id=price_list.company_id, name=(price_list.name or "").strip())
    if price_list.pk:
        duplicate = duplicate.exclude(pk=price_list.pk)
    if price_list.name and duplicate.exists():
        problems.append(("name", _("Another price list already has this name.")))
    return problems


def _resolve_items(company_id: int, items: list[dict]) -> tuple[list[PriceListItem], list]:
    problems = []
    refs = [i.get("product_id") or i.get("sku") for i in items]
    products = Product.objects.filter(company_id=company_id)
    found = {p.pk: p for p in products.filter(pk__in=[r for r in refs if isinstance(r, int)])}
    found_sku = {p.sku: p for p in products.filter(sku__in=[r for r in refs if isinstance(r, str)])}
    result, seen = [], set()
    for i, (item, ref) in enumerate(zip(items, refs, strict=True)):
        prefix = f"items.{i}."
        product = found.get(ref) if isinstance(ref, int) else found_sku.get(ref)
        if product is None:
            problems.append((prefix + "product_id", _("Product %(ref)s not found.") % {"ref": ref}))
        elif product.pk in seen:
            problems.append((prefix + "product_id", _("%(product)s appears twice.") % {"product": product}))
        fixed, percentage = item.get("fixed_price"), item.get("percentage")
        fixed = None if fixed in (None, "") else Decimal(str(fixed))
        percentage = None if percentage in (None, "") else Decimal(str(percentage))
        if (fixed is None) == (percentage is None):
            problems.append((prefix + "fixed_price", _("Give either a fixed price or a percentage, not both.")))
        elif fixed is not None and (fixed < 0 or fixed >= Decimal(10) ** 12):
            problems.append((prefix + "fixed_price", _("Cannot be negative.") if fixed < 0 else _("Value too large.")))
        elif percentage is not None and not (Decimal(-100) < percentage < Decimal(10000)):
            problems.append((prefix + "percentage", _("The percentage must be above -100 and below 10000.")))
        if product is not None:
            seen.add(product.pk)
            result.append(PriceListItem(product=product, fixed_price=fixed, percentage=percentage))
    return result, problems


def _items_repr(price_list: PriceList) -> list[str]:
    return [
        f"{i.product.sku}: {'R$ ' + str(i.fixed_price) if i.fixed_price is not None else str(i.percentage) + '%'}"
        for i in price_list.items.select_related("product").order_by("id")
    ]


def create_price_list(*, actor: Actor, items: list[dict] | None = None, **fields) -> PriceList:
    company_id = _company_id(actor)
    problems = _unknown(fields, PRICE_LIST_FIELDS)
    with transaction.atomic():
        price_list = PriceList(company_id=company_id, **{k: v for k, v in fields.items() if k in PRICE_LIST_FIELDS})
        price_list.name = (price_list.name or "").strip()
        problems += _price_list_problems(price_list)
        resolved, item_problems = _resolve_items(company_id, items or [])
        problems += item_problems
        if problems:
            _fail(InvalidPriceList, problems)
        price_list.save()
        for item in resolved:
            item.price_list = price_list
        PriceListItem.objects.bulk_create(resolved)
        changes = {k: [None, v] for k, v in audit.snapshot(price_list).items() if v not in (None, "")}
        if resolved:
            changes["items"] = [None, _items_repr(price_list)]
        audit.record(actor, price_list, "created", changes)
    return price_list


def update_price_list(
    price_list_id: int, *, actor: Actor, version: int | None, items: list[dict] | None = None, **changes
) -> PriceList:
    """Change the list's fields; `items`, when given, replaces every item."""
    problems = _unknown(changes, PRICE_LIST_FIELDS)
    with transaction.atomic():
        qs = PriceList.objects.filter(company_id=actor.company_id) if actor.company_id else PriceList.objects.all()
        price_list = lock_for_edit(qs, price_list_id, version)
        before = audit.snapshot(price_list)
        for key, value in changes.items():
            if key in PRICE_LIST_FIELDS:
                setattr(price_list, key, value.strip() if isinstance(value, str) else value)
        problems += _price_list_problems(price_list)
        resolved = []
        if items is not None:
            resolved, item_problems = _resolve_items(price_list.company_id, items)
            problems += item_problems
        if problems:
            _fail(InvalidPriceList, problems)
        price_list.version += 1
        price_list.save()
        change_set = audit.diff(before, audit.snapshot(price_list, list(before)))
        change_set.pop("version", None)
        if items is not None:
            old_items = _items_repr(price_list)
            price_list.items.all().delete()
            for item in resolved:
                item.price_list = price_list
            PriceListItem.objects.bulk_create(resolved)
            new_items = _items_repr(price_list)
            if old_items != new_items:
                change_set["items"] = [old_items, new_items]
        if change_set:
            audit.record(actor, price_list, "updated", change_set)
    return price_list


def deactivate_price_list(price_list_id: int, *, actor: Actor, version: int | None = None) -> PriceList:
    return update_price_list(price_list_id, actor=actor, version=version, is_active=False)
