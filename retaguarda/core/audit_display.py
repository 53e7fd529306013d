"""Audit records as a person reads them: field labels and values in Portuguese.

A record stores field names and plain JSON values (`is_customer: true`, `municipality_id: 3550308`,
`kind: "company"`). Shown as recorded they leak the schema, so each change is put in words here:
the label is the model field's verbose name, a choice shows its label, a foreign key the related
object's name, money as R$, quantities and prices without meaningless zeros, dates as dd/mm/aaaa,
booleans as Sim/Não and lists as lists. Related names are fetched in one query per related model for
a whole page of records, so a page costs the same at 10 rows and at 50.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from retaguarda.core.actor import Origin
from retaguarda.core.audit import action_label
from retaguarda.core.formats import grouped
from retaguarda.core.money import MoneyField, PriceField
from retaguarda.core.number_fields import plain_number
from retaguarda.core.validators import format_cep, format_document

# Fields a reader never needs: bookkeeping and the company the record already belongs to.
HIDDEN_FIELDS = {"id", "version", "company", "company_id", "created_at", "updated_at", "search_text", "fingerprint"}

# Keys services record that are not model fields (counts, protocols, reasons...), and model fields whose
# verbose name is only their English name (`created_by`): no English in the history.
EXTRA_LABELS = {
    "account": gettext_lazy("account"),
    "adjusted_lines": gettext_lazy("adjusted lines"),
    "allow_negative": gettext_lazy("negative stock allowed"),
    "amount": gettext_lazy("amount"),
    "billed": gettext_lazy("billed"),
    "body": gettext_lazy("message body"),
    "cash_account": gettext_lazy("cash account"),
    "category": gettext_lazy("category"),
    "closed_by": gettext_lazy("closed by"),
    "comment": gettext_lazy("comment"),
    "components": gettext_lazy("kit components"),
    "cost": gettext_lazy("cost"),
    "cost_center": gettext_lazy("cost center"),
    "count": gettext_lazy("stock count"),
    "created_by": gettext_lazy("created by"),
    "credited": gettext_lazy("credited"),
    "cStat": gettext_lazy("SEFAZ status code"),
    "decided_by": gettext_lazy("decided by"),
    "default_return_operation": gettext_lazy("default return operation"),
    "default_sale_operation": gettext_lazy("default sale operation"),
    "department": gettext_lazy("department"),
    "document": gettext_lazy("document"),
    "done_by": gettext_lazy("done by"),
    "email": gettext_lazy("e-mail"),
    "emitter_data": gettext_lazy("issuer's data"),
    "entries": gettext_lazy("entries"),
    "entry": gettext_lazy("entry"),
    "event_id": gettext_lazy("event"),
    "figures": gettext_lazy("figures"),
    "file_sha256": gettext_lazy("file fingerprint"),
    "firing": gettext_lazy("still firing"),
    "first": gettext_lazy("first number"),
    "ids_in_order": gettext_lazy("moves in order"),
    "installment": gettext_lazy("installment"),
    "installments": gettext_lazy("installments"),
    "issued_month": gettext_lazy("month of issue"),
    "key": gettext_lazy("access key"),
    "kind": gettext_lazy("kind"),
    "kit": gettext_lazy("kit"),
    "last": gettext_lazy("last number"),
    "last_move_id": gettext_lazy("last move"),
    "last_run_at": gettext_lazy("last run"),
    "last_summary": gettext_lazy("last summary"),
    "lease_until": gettext_lazy("reserved until"),
    "line": gettext_lazy("line"),
    "lines": gettext_lazy("lines"),
    "location": gettext_lazy("location"),
    "lot": gettext_lazy("lot"),
    "lot_key": gettext_lazy("lot"),
    "milliseconds": gettext_lazy("milliseconds"),
    "name": gettext_lazy("name"),
    "notes": gettext_lazy("notes"),
    "number": gettext_lazy("number"),
    "occurrence": gettext_lazy("occurrence"),
    "order": gettext_lazy("order"),
    "order_line": gettext_lazy("order line"),
    "origin": gettext_lazy("origin"),
    "params": gettext_lazy("parameters"),
    "party": gettext_lazy("party"),
    "payments": gettext_lazy("payments"),
    "period_end": gettext_lazy("period end"),
    "price": gettext_lazy("price"),
    "principal": gettext_lazy("principal"),
    "product": gettext_lazy("product"),
    "protocol": gettext_lazy("protocol"),
    "qr_code": gettext_lazy("QR code"),
    "quantity": gettext_lazy("quantity"),
    "random_code": gettext_lazy("random code"),
    "rank": gettext_lazy("order of severity"),
    "rate": gettext_lazy("rate"),
    "reason": gettext_lazy("reason"),
    "receipt": gettext_lazy("receipt"),
    "recipient_data": gettext_lazy("recipient's data"),
    "recipients": gettext_lazy("recipients"),
    "recurrence_date": gettext_lazy("recurrence date"),
    "recurring_bill": gettext_lazy("recurring bill"),
    "regime": gettext_lazy("tax regime"),
    "request": gettext_lazy("request"),
    "request_line": gettext_lazy("request line"),
    "response": gettext_lazy("response"),
    "reverses": gettext_lazy("reverses"),
    "routine": gettext_lazy("routine"),
    "sales_return": gettext_lazy("return"),
    "sent_at": gettext_lazy("sent at"),
    "sequence": gettext_lazy("sequence"),
    "settlement": gettext_lazy("settlement"),
    "sha256": gettext_lazy("fingerprint"),
    "size": gettext_lazy("size"),
    "sku": gettext_lazy("SKU"),
    "source": gettext_lazy("source"),
    "source_id": gettext_lazy("source document number"),
    "source_line": gettext_lazy("source line"),
    "source_type": gettext_lazy("source document type"),
    "statement": gettext_lazy("bank statement"),
    "step": gettext_lazy("step"),
    "subject": gettext_lazy("subject"),
    "subject_id": gettext_lazy("object"),
    "subject_type": gettext_lazy("kind of object"),
    "subject_url": gettext_lazy("link"),
    "supplier": gettext_lazy("supplier"),
    "target": gettext_lazy("target"),
    "tax_totals": gettext_lazy("tax totals"),
    "taxes": gettext_lazy("taxes"),
    "template": gettext_lazy("template"),
    "title": gettext_lazy("bill"),
    "total": gettext_lazy("total"),
    "transfer": gettext_lazy("transfer"),
    "user": gettext_lazy("user"),
    "warehouse": gettext_lazy("warehouse"),
    "xml": gettext_lazy("XML"),
    "xMotivo": gettext_lazy("SEFAZ reason"),
}

ORIGIN_LABELS = {
    Origin.WEB: pgettext_lazy("audit origin", "screen"),
    Origin.API: pgettext_lazy("audit origin", "API"),
    Origin.CLI: pgettext_lazy("audit origin", "command line"),
    Origin.TASK: pgettext_lazy("audit origin", "automatic task"),
}

# Values stored unmasked, shown as people write them, by the field's name.
MASKS = {"document": format_document, "postal_code": format_cep, "cnpj": format_document, "cpf": format_document}

# Shown in the summary line before "and N more".
SUMMARY_FIELDS = 4
EMPTY = "—"
_DECIMAL_TEXT = re.compile(r"-?\d+\.\d+")  # how a Decimal is stored in the log: "1.00"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class ReadableRecord:
    record: Any
    action: str
    object_label: str
    origin: str
    changes: list[Change] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line: the labels of what changed (the values are in the details)."""
        labels = [c.label for c in self.changes[:SUMMARY_FIELDS]]
        more = len(self.changes) - len(labels)
        text = ", ".join(labels)
        if more > 0:
            text = _("%(fields)s and %(count)s more") % {"fields": text, "count": more}
        return text


def model_of(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_label(object_type: str) -> str:
    """`parties.party` -> "Parceiro" (the model's verbose name), or the type as stored."""
    model = model_of(object_type)
    return capfirst(str(model._meta.verbose_name)) if model else object_type


def origin_label(origin: str) -> str:
    return str(ORIGIN_LABELS.get(origin, origin))


def _field(model, key: str) -> models.Field | None:
    if model is None:
        return None
    for f in model._meta.concrete_fields:
        if key in (f.name, f.attname):
            return f
    return None


def _child(model, key: str) -> tuple[type[models.Model] | None, str, str]:
    """`address#12.street` on a party -> (PartyAddress, "12", "street"): a child recorded on its parent."""
    kind, _sep, rest = key.partition("#")
    pk, _dot, name = rest.partition(".")
    for rel in model._meta.related_objects if model else ():
        if rel.one_to_many and rel.related_model._meta.model_name.endswith(kind.lower()):
            return rel.related_model, pk, name
    return None, pk, name


def _resolve(model, key: str, numbered: bool = True) -> tuple[str, models.Field | None]:
    """The label of a recorded key and the model field that gives its values their meaning. A child's
    number (`Endereço 12 · CEP`) is shown only when `numbered`: when the record touches several of its kind."""
    if "#" in key:
        child, pk, name = _child(model, key)
        f = _field(child, name)
        kind = capfirst(str(child._meta.verbose_name)) if child else key.partition("#")[0]
        return f"{kind} {pk} · {_label_of(f, name)}" if numbered else f"{kind} · {_label_of(f, name)}", f
    f = _field(model, key)
    return capfirst(_label_of(f, key)), f


def _label_of(f: models.Field | None, key: str) -> str:
    if f is not None and (f.name not in EXTRA_LABELS or str(f.verbose_name) != f.name.replace("_", " ")):
        return str(f.verbose_name)
    if f is not None:
        return str(EXTRA_LABELS[f.name])
    if key in EXTRA_LABELS:
        return str(EXTRA_LABELS[key])
    return key.removesuffix("_id").replace("_", " ")


def _is_hidden(key: str) -> bool:
    return key.rpartition(".")[2] in HIDDEN_FIELDS


def _pairs(changes) -> list[tuple[str, Any, Any]]:
    rows = []
    for key, pair in (changes or {}).items():
        old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        rows.append((key, old, new))
    return rows


class _Names:
    """Names of the objects foreign keys point at, one query per related model for all records."""

    def __init__(self):
        self.wanted: dict[type[models.Model], set] = {}
        self.names: dict[tuple[type[models.Model], str], str] = {}

    def want(self, f: models.Field | None, *values) -> None:
        if f is not None and f.is_relation and f.many_to_one:
            target = f.related_model
            ids = {v for v in values if v not in (None, "") and not isinstance(v, list | dict)}
            self.wanted.setdefault(target, set()).update(ids)

    def fetch(self) -> None:
        for model, ids in self.wanted.items():
            if not ids:
                continue
            pk_field = model._meta.pk
            keys = []
            for value in ids:
                try:
                    keys.append(pk_field.to_python(value))
                except Exception:
                    continue
            for obj in model._base_manager.filter(pk__in=keys):
                self.names[(model, str(obj.pk))] = str(obj)

    def name(self, model, value) -> str | None:
        return self.names.get((model, str(value)))


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _date(value: str) -> str:
    try:
        if "T" in value or " " in value:
            moment = datetime.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%d/%m/%Y %H:%M")
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def _plain_value(value) -> str:
    """A value with no field to explain it: booleans, lists and mappings in words."""
    if value is None or value == "":
        return EMPTY
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, list):
        return ", ".join(_plain_value(v) for v in value) if value else EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{_label_of(None, str(k))}: {_plain_value(v)}" for k, v in value.items()) or EMPTY
    if isinstance(value, str) and value.startswith("[secret "):
        return _("(secret value)")
    if isinstance(value, float | Decimal) or (isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value)):
        return plain_number(value)
    return str(value)


def _value(f: models.Field | None, value, names: _Names) -> str:
    if f is None or value is None or value == "" or isinstance(value, list | dict):
        return _plain_value(value)
    if isinstance(value, str) and value.startswith("[secret "):
        return _plain_value(value)
    if f.is_relation and f.many_to_one:
        return names.name(f.related_model, value) or str(value)
    if f.choices:
        labels = {str(k): v for k, v in f.flatchoices}
        return str(labels.get(str(value), value))
    if isinstance(f, models.BooleanField):
        return _plain_value(bool(value))
    if f.name in MASKS and isinstance(value, str):
        return MASKS[f.name](value)
    if isinstance(f, models.DateField | models.DateTimeField) and isinstance(value, str):
        return _date(value)
    if isinstance(f, models.DecimalField):
        number = _decimal(value)
        if number is None:
            return str(value)
        if isinstance(f, MoneyField):
            sign = "-" if number < 0 else ""
            return f"{sign}R$\u00a0{grouped(abs(number), 2)}"
        return plain_number(number, 2 if isinstance(f, PriceField) else 0)
    return str(value)


def readable(records) -> list[ReadableRecord]:
    """The records in words, in the order given."""
    names = _Names()
    resolved = []
    for record in records:
        model = model_of(record.object_type)
        rows = []
        pairs = _pairs(record.changes)
        children = {}  # kind -> the numbers of the children of that kind this record touches
        for key, _old, _new in pairs:
            kind, sep, rest = key.partition("#")
            if sep:
                children.setdefault(kind, set()).add(rest.partition(".")[0])
        for key, old, new in pairs:
            if _is_hidden(key):
                continue
            label, f = _resolve(model, key, numbered=len(children.get(key.partition("#")[0], ())) > 1)
            names.want(f, old, new)
            rows.append((label, f, old, new))
        resolved.append((record, model, rows))
    names.fetch()
    out = []
    for record, model, rows in resolved:
        out.append(
            ReadableRecord(
                record=record,
                action=action_label(record.action),
                object_label=capfirst(str(model._meta.verbose_name)) if model else record.object_type,
                origin=origin_label(record.origin),
                changes=[Change(label, _value(f, old, names), _value(f, new, names)) for label, f, old, new in rows],
            )
        )
    return out
