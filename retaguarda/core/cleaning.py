"""Cleaning what people type into master data: plain text, phone numbers, e-mail addresses.

Each cleaner returns the value as stored and notes a problem (in Portuguese, naming the field) on
the collector instead of raising, so a form reports every mistake at once.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from retaguarda.core.problems import Problems
from retaguarda.core.validators import only_digits


def text(value: Any) -> str:
    """The value as text without surrounding blanks; None is empty."""
    return "" if value is None else str(value).strip()


def one_line(value: Any) -> str:
    """Text with every run of blanks (line breaks included) made one space: names, streets."""
    return " ".join(text(value).split())


def clean_phone(value: Any, problems: Problems, field: str = "phone") -> str:
    """Digits only; a Brazilian number with its area code has 10 or 11 (12-13 with the country code)."""
    digits = only_digits(text(value))
    if digits and not 10 <= len(digits) <= 13:
        problems.add(field, _("Phone: use the area code and the number, 10 or 11 digits, e.g. (11) 3333-4444."))
    return digits


def clean_email(value: Any, problems: Problems, field: str = "email") -> str:
    """Lower case, checked by Django's validator."""
    email = text(value).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add(field, _("Email: “%(value)s” is not a valid address.") % {"value": email})
    return email
