"""Inventory errors, each with a stable code the API and the pages show."""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from retaguarda.core.api_numbers import measure_text
from retaguarda.core.errors import DomainError
from retaguarda.core.number_fields import plain_number


@dataclass(frozen=True)
class Shortfall:
    product_id: int
    sku: str
    name: str
    location_id: int
    warehouse_id: int | None
    requested: Decimal
    available: Decimal

    def as_detail(self) -> dict:
        data = asdict(self)
        data["requested"] = measure_text(self.requested)
        data["available"] = measure_text(self.available)
        return data


class InsufficientStock(DomainError):
    """Not enough available stock; `shortfalls` lists every product short, not only the first."""

    code = "inventory.insufficient_stock"
    status = 409
    default_message = _("Insufficient stock.")

    def __init__(self, shortfalls: list[Shortfall]):
        self.shortfalls = shortfalls
        names = ", ".join(f"{s.sku} ({plain_number(s.available)} / {plain_number(s.requested)})" for s in shortfalls)
        message = _("Insufficient stock (available / requested): %(products)s") % {"products": names}
        super().__init__(message, details=[s.as_detail() for s in shortfalls])


class AlreadyReserved(DomainError):
    code = "inventory.already_reserved"
    status = 409
    default_message = _("This document line already holds a reservation.")


class AlreadyPosted(DomainError):
    code = "inventory.already_posted"
    status = 409
    default_message = _("These moves were already posted for this document line.")


class NegativeStockExists(DomainError):
    code = "inventory.negative_stock_exists"
    status = 409
    default_message = _("The warehouse has negative balances: correct them before forbidding negative stock.")


class PeriodAlreadyClosed(DomainError):
    code = "inventory.period_already_closed"
    status = 409
    default_message = _("This stock period is already closed.")


class PeriodOutOfOrder(DomainError):
    code = "inventory.period_out_of_order"
    status = 409
    default_message = _("Close the earlier stock periods first: periods close in order.")


class PeriodNotFinished(DomainError):
    code = "inventory.period_not_finished"
    status = 409
    default_message = _("This stock period has not ended yet.")


class ReservationOwned(DomainError):
    """The reservation belongs to another app's document: release or consume it through that document."""

    code = "inventory.reservation_owned"
    status = 409

    def __init__(self, source_type: str, app_label: str):
        from django.apps import apps

        try:
            app_name = str(apps.get_app_config(app_label).verbose_name)
        except LookupError:
            app_name = app_label
        message = _("The stock held for %(source)s belongs to %(app)s: release or issue it through that document.") % {
            "source": source_type,
            "app": app_name,
        }
        super().__init__(message, details=[{"field": "source_type", "message": message}])
