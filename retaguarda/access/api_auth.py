"""Moved to `retaguarda.core.api_auth` (so every layer can use it); this alias goes once nothing imports it."""

from retaguarda.core.api_auth import UserAuth, require  # noqa: F401
