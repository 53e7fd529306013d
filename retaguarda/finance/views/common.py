"""What the finance pages share: permissions, form values, error messages, the table partial for htmx."""

from datetime import date, datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from retaguarda.core.decimals import typed_decimal
from retaguarda.core.errors import DomainError

VIEW = "finance.view"
CHANGE = "finance.change"
POST = "finance.post"


def require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def show_error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for detail in exc.details:
        if isinstance(detail, dict) and detail.get("message") and detail["message"] != exc.message:
            messages.error(request, detail["message"])


def money(text: str | None) -> Decimal | None:
    """A typed amount (`1.234,56`, `R$ 10`); None when empty or not a number (the service then names
    the field)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return typed_decimal(text)
    except ValueError:
        return Decimal("NaN")  # refused by the service with the field's own message


def day(text: str | None, default: date | None = None) -> date | None:
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return default


def integer(text) -> int | None:
    return int(text) if text and str(text).isdigit() else None


def page(request, template: str, context: dict):
    """The full page, or only its `table` partial for htmx."""
    return render(request, f"{template}#table" if request.htmx else template, context)
