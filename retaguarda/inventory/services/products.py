"""What a posting or a reservation needs from the catalog: kits expanded, stocked products checked."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.catalog.models import KitComponent, Product, ProductType
from retaguarda.core.money import quantity
from retaguarda.core.problems import Problems


def expand_kits(items: Sequence, products: dict[int, Product], make) -> list:
    """Replace kit lines by their components; `make(item, product_id, quantity)` builds one line.

    A component's quantity is the kit quantity times the component's, rounded half up to the
    4 places of a stock quantity, once, here: the move, the reservation and the balance all take that
    rounded figure, so the ledger never drifts (1.5 kits x 0.3333 = 0.49995 moves 0.5000). A
    component that rounds to nothing is refused. Catalog allows no kit inside a kit, so the
    expansion is one level; a kit found inside one (data older than that rule) is refused too.
    """
    kit_ids = {i.product_id for i in items if products[i.product_id].product_type == ProductType.KIT}
    if not kit_ids:
        return list(items)
    components: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    rows = list(KitComponent.objects.filter(kit_id__in=kit_ids).values_list("kit_id", "component_id", "quantity"))
    new_ids = {c for _k, c, _q in rows} - set(products)
    if new_ids:
        products.update(Product.objects.in_bulk(new_ids))
    for kit_id, component_id, qty in rows:
        components[kit_id].append((component_id, qty))
    problems = Problems()
    out = []
    for item in items:
        kit = products[item.product_id]
        if kit.product_type != ProductType.KIT:
            out.append(item)
            continue
        if not components.get(kit.pk):
            problems.add("product_id", _("Kit %(sku)s has no components.") % {"sku": kit.sku})
        for component_id, per_kit in components.get(kit.pk, ()):
            component = products[component_id]
            needed = quantity(item.quantity * per_kit)
            if component.product_type == ProductType.KIT:
                problems.add(
                    "product_id",
                    _("Kit %(kit)s contains another kit, %(sku)s; a kit holds only simple products.")
                    % {"kit": kit.sku, "sku": component.sku},
                )
            elif needed <= 0:
                problems.add(
                    "quantity",
                    _("%(quantity)s of kit %(kit)s needs less than 0.0001 of %(sku)s: use a larger quantity.")
                    % {"quantity": item.quantity, "kit": kit.sku, "sku": component.sku},
                )
            else:
                out.append(make(item, component_id, needed))
    problems.raise_if_any()
    return out


def check_stocked(products: dict[int, Product], ids: Iterable[int], company_id: int | None) -> None:
    """Every product exists (in the company, when given) and holds stock; every problem reported."""
    problems = Problems()
    for pid in sorted(set(ids)):
        product = products.get(pid)
        if product is None or (company_id is not None and product.company_id != company_id):
            problems.missing("product_id", _("Product %(id)s not found.") % {"id": pid})
        elif not product.is_stocked:
            problems.add("product_id", _("Product %(sku)s does not hold stock.") % {"sku": product.sku})
    problems.raise_if_any()
