"""Catalog writes: products, variations, kits and price lists; this package re-exports them."""

from retaguarda.catalog.services.products import *  # noqa: F403
from retaguarda.catalog.services.products import _slug  # noqa: F401  (the variations editor previews SKUs)
