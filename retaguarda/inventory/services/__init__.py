"""Every write of the inventory app, one module per kind of document; this package re-exports them."""

from retaguarda.inventory.services.posting import *  # noqa: F403
