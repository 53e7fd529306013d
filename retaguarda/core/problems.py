"""One way to collect validation problems: note every one, then raise them together.

A service checks everything it was given before it refuses, so the user fixes the whole form at
once. Each problem is `{"field": name, "message": text}`; the field is the name the caller sent
(`"cnpj"`, `"addresses[0].postal_code"`), or None for the record as a whole.

    problems = Problems()
    if not name:
        problems.add("name", _("Enter the name."))
    address = problems.within("addresses[0].")   # same list, names prefixed
    address.add("postal_code", _("Enter the CEP."))
    problems.raise_if_any()                       # ValidationFailed (422) listing both

An id that names no row of the company is noted with `problems.missing(field, message)`: a refusal made
only of those is a 404, as a foreign id in the path (`core.errors.missing_row`).

Screens put each problem beside its field with `put_on_form(exc, form)`.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from retaguarda.core.errors import DomainError, MissingRow, ValidationFailed, missing_row


class Problems:
    """The problems of one request; `within(prefix)` gives a view that writes to the same list."""

    def __init__(self, prefix: str = "", *, items: list[dict[str, Any]] | None = None):
        self.prefix = prefix
        self.items: list[dict[str, Any]] = [] if items is None else items

    def add(self, field: str | None, message: Any) -> None:
        """Note one problem; `field=None` is about the record (or, within a prefix, that sub-record)."""
        name = f"{self.prefix}{field}" if field else (self.prefix.rstrip(".") or None)
        self.items.append({"field": name, "message": str(message)})

    def missing(self, field: str, message: Any) -> None:
        """Note an id that names no row of the company (`core.errors.missing_row`): when every problem is
        one, the refusal is a 404 naming them."""
        self.items.append(missing_row(f"{self.prefix}{field}", message))

    def within(self, prefix: str) -> "Problems":
        """Problems of a part (an address, a line): names get `prefix`, the list is shared."""
        return Problems(self.prefix + prefix, items=self.items)

    def extend(self, problems: Iterable) -> None:
        """Add problems found elsewhere: another collector, `{"field", "message"}` dicts or pairs."""
        for problem in problems.items if isinstance(problems, Problems) else problems:
            field, message = (problem["field"], problem["message"]) if isinstance(problem, dict) else problem
            kind = type(problem) if isinstance(problem, MissingRow) else dict
            self.items.append(kind(field=f"{self.prefix}{field}" if field else field, message=str(message)))

    def check(self, field: str, validator: Callable[[Any], Any], value: Any) -> bool:
        """Run a Django validator; its first message is the problem. True when the value passed."""
        try:
            validator(value)
        except ValidationError as exc:
            self.add(field, exc.messages[0])
            return False
        return True

    def has(self, field: str) -> bool:
        """A problem was already noted for `field` (in this prefix): say each thing once."""
        return any(item["field"] == f"{self.prefix}{field}" for item in self.items)

    def fields(self) -> set[str]:
        """The fields of this prefix that have a problem, without the prefix."""
        cut = len(self.prefix)
        return {i["field"][cut:] for i in self.items if i["field"] and i["field"].startswith(self.prefix)}

    def model_checks(self, obj, *, exclude: Iterable[str] = ()) -> None:
        """The model's own field checks (lengths, choices), each message led by the field's label.

        Fields already reported, and those in `exclude` (checked by the service), are left out."""
        try:
            obj.full_clean(exclude=[*exclude, *self.fields()], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                label = str(obj._meta.get_field(field).verbose_name) if field != "__all__" else ""
                for message in messages:
                    self.add(field, f"{label[:1].upper()}{label[1:]}: {message}" if label else message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def error(self, error_class: type[DomainError] = ValidationFailed) -> DomainError:
        """The exception listing every problem: one problem is also its message, several are counted."""
        if len(self.items) == 1:
            return error_class(self.items[0]["message"], details=list(self.items))
        message = ngettext(
            "%(count)d problem found: fix the fields listed.",
            "%(count)d problems found: fix the fields listed.",
            len(self.items),
        ) % {"count": len(self.items)}
        return error_class(message, details=list(self.items))

    def raise_if_any(self, error_class: type[DomainError] = ValidationFailed) -> None:
        if self.items:
            raise self.error(error_class)


def put_on_form(
    exc: DomainError,
    form,
    *,
    prefix: str = "",
    aliases: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """Put each problem of `exc` beside the form field it names, or above the form (non-field error).

    `prefix`: only problems under it go to this form, named without it (`"addresses[0]."`);
    `aliases`: service names that a form shows under another field (`{"roles": "is_customer"}`);
    `labels`: for a problem above the form, words put before it by the first part of its name
    (`{"variants": "Variação: "}` for `variants.1.price`)."""
    put_on_forms(exc, {prefix: form}, aliases=aliases, labels=labels)


def put_on_forms(
    exc: DomainError,
    forms_by_prefix: dict,
    *,
    aliases: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """`put_on_form` for a page of several forms (`{"": party_form, "addresses[0].": address_form}`): each
    problem goes to the form of the longest prefix its name starts with, once; one under no prefix is left
    out (a `""` form takes every other)."""
    aliases, labels = aliases or {}, labels or {}
    longest_first = sorted(forms_by_prefix.items(), key=lambda item: -len(item[0]))
    for detail in exc.details or [{"field": None, "message": exc.message}]:
        name = detail.get("field") or ""
        message = detail.get("message") or exc.message
        for prefix, form in longest_first:
            if not name.startswith(prefix):
                continue
            field = aliases.get(name[len(prefix) :], name[len(prefix) :])
            if field in form.fields:
                form.add_error(field, message)
            else:
                form.add_error(None, f"{labels.get(field.split('.')[0], '')}{message}")
            break
