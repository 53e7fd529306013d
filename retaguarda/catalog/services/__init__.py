"""Catalog writes, the only writers of catalog rows; this package re-exports the public API.

- `products`: create, change, activate and deactivate products, on `product_data` (the fields a
  product has and the checks every product write shares).
- `variations` and `kits`: variation parents and their children; kit compositions.
- `price_lists`: price lists and their items.
- `spreadsheet`: many products at once, from the importer.
"""

from retaguarda.catalog.services.kits import set_kit_components
from retaguarda.catalog.services.price_lists import (
    PRICE_LIST_FIELDS,
    create_price_list,
    deactivate_price_list,
    update_price_list,
)
from retaguarda.catalog.services.product_data import EDITABLE, INHERITED, PRODUCT_FIELDS, VARIANT_OWN
from retaguarda.catalog.services.products import activate_product, create_product, deactivate_product, update_product
from retaguarda.catalog.services.spreadsheet import save_imported_products
from retaguarda.catalog.services.variations import MAX_COMBINATIONS, add_variant, remove_variant, variant_code

__all__ = [
    "EDITABLE",
    "INHERITED",
    "MAX_COMBINATIONS",
    "PRICE_LIST_FIELDS",
    "PRODUCT_FIELDS",
    "VARIANT_OWN",
    "activate_product",
    "add_variant",
    "create_price_list",
    "create_product",
    "deactivate_price_list",
    "deactivate_product",
    "remove_variant",
    "save_imported_products",
    "set_kit_components",
    "update_price_list",
    "update_product",
    "variant_code",
]
