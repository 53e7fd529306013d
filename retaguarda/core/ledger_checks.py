"""The checks `retaguarda check-ledgers` runs: each app with a ledger registers one from its
`AppConfig.ready`, so the command (in core) imports no app above it.

A check is `fn(company_id | None) -> list[str]`: one line per drift found, empty when every projection
matches its ledger."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LedgerCheck:
    label: str  # "Stock ledger", "Financial ledger and journal"
    run: Callable[[int | None], list[str]]


REGISTRY: dict[str, LedgerCheck] = {}


def register(name: str, label: str, run: Callable[[int | None], list[str]]) -> None:
    REGISTRY[name] = LedgerCheck(label, run)
