"""Alias so the documented spelling `retaguarda check-ledgers` works as well as `check_ledgers`."""

from retaguarda.inventory.management.commands.check_ledgers import Command  # noqa: F401
