"""What a posting or a reservation needs from the catalog: kits expanded, stocked products checked."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.catalog.models import KitComponent, Product, ProductType
from retaguarda.core.errors import ValidationFailed

MAX_KIT_DEPTH = 5


def expand_kits(items: Sequence, products: dict[int, Product], make) -> list:
    """Replace kit lines by their components (recursively); `make(item, product_id, factor)` builds one."""
    kit_ids = {i.product_id for i in items if products[i.product_id].product_type == ProductType.KIT}
    if not kit_ids:
        return list(items)
    components: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    depth = 0
    pending = set(kit_ids)
    while pending:
        depth += 1
        if depth > MAX_KIT_DEPTH:
            raise ValidationFailed(_("Kit nested too deep."))
        rows = list(KitComponent.objects.filter(kit_id__in=pending).values_list("kit_id", "component_id", "quantity"))
        new_ids = {c for _k, c, _q in rows} - set(products)
        if new_ids:
            products.update(Product.objects.in_bulk(new_ids))
        for kit_id, component_id, qty in rows:
            components[kit_id].append((component_id, qty))
        pending = {c for _k, c, _q in rows if products[c].product_type == ProductType.KIT} - set(components)
    out = []

    def expand(item, product_id, factor, level):
        if products[product_id].product_type != ProductType.KIT:
            out.append(make(item, product_id, factor))
            return
        if not components.get(product_id):
            raise ValidationFailed(
                _("Kit %(sku)s has no components.") % {"sku": products[product_id].sku},
            )
        for component_id, qty in components[product_id]:
            expand(item, component_id, factor * qty, level + 1)

    for item in items:
        expand(item, item.product_id, Decimal(1), 0)
    return out


def check_stocked(products: dict[int, Product], ids: Iterable[int], company_id: int | None) -> None:
    """Every product exists (in the company, when given) and holds stock; every problem reported."""
    details = []
    for pid in sorted(set(ids)):
        product = products.get(pid)
        if product is None or (company_id is not None and product.company_id != company_id):
            details.append({"field": "product_id", "message": _("Product %(id)s not found.") % {"id": pid}})
        elif not product.is_stocked:
            details.append(
                {"field": "product_id", "message": _("Product %(sku)s does not hold stock.") % {"sku": product.sku}}
            )
    if details:
        raise ValidationFailed(details=details)
