"""Form widgets for the reference tables: a text box that searches as you type (htmx) and a hidden
input holding the code that is actually submitted.

Use them in any app's form::

    municipality_id = forms.CharField(label=_("municipality"), widget=MunicipalityWidget())
    ncm_id = forms.CharField(label=_("NCM"), widget=NcmWidget())

The visible text box gets the field's id, so `<label for>` and screen readers point at it; the
hidden input is `<id>_code`. Typing asks `search_url` for matches; picking one asks `pick_url`
for the widget again with the code filled in. No inline script: it is all htmx attributes.
"""

import json
import re

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from retaguarda.br_tables.models import Municipality, Ncm
from retaguarda.br_tables.selectors import search_municipalities
from retaguarda.core.text import fold

_SAFE_ID = re.compile(r"[^A-Za-z0-9_\-]")


def safe_id(value: str) -> str:
    return _SAFE_ID.sub("", value or "")[:80]


NCM_LABEL_LENGTH = 120  # "8471.30.12 - Máquinas automáticas..." cut where a form's line ends


class LookupWidget(forms.Widget):
    template_name = "br_tables/widgets/lookup.html"
    search_url_name = ""
    pick_url_name = ""
    placeholder = ""
    search_length = 0  # the `maxlength` of the typed text: the longest label a pick can show
    typed = ""  # the text sent without a code (set by `value_from_datadict`, on this form's own copy)

    def label_for(self, value) -> str:
        raise NotImplementedError

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget_id = safe_id(widget["attrs"].get("id") or f"id_{name}")
        widget["attrs"]["id"] = widget_id
        widget.update(
            {
                "id": widget_id,
                "code": value or "",
                # What the user typed stays when it named no code: the error beside it says why.
                "label": self.label_for(value) if value else self.typed,
                "search_url": reverse(self.search_url_name),
                "pick_url": reverse(self.pick_url_name),
                "vals": json.dumps({"field": name, "id": widget_id}),
                "placeholder": self.placeholder,
                "search_length": self.search_length,
            }
        )
        return context

    def value_from_datadict(self, data, files, name):
        """The picked code; without one, the code the typed text names unambiguously ("Campinas/SP"),
        so a form sent before the pick's answer came back (or without script) still saves."""
        code = (data.get(name) or "").strip()
        if code:
            return code
        text = (data.get(f"{name}_search") or "").strip()
        found = (self.code_for(text) or "") if text else ""
        self.typed = "" if found else text
        return found

    def code_for(self, text: str) -> str | None:
        """The one code `text` names, or None when it names none or several."""
        return None

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class MunicipalityWidget(LookupWidget):
    search_url_name = "br_tables:municipality_search"
    pick_url_name = "br_tables:municipality_pick"
    placeholder = _("Type the city, e.g. Campinas/SP")
    search_length = Municipality._meta.get_field("name").max_length + len("/SP")

    def label_for(self, value) -> str:
        municipality = Municipality.objects.filter(code=str(value)).first()
        return str(municipality) if municipality else ""

    def code_for(self, text: str) -> str | None:
        found = list(search_municipalities(text)[:2])
        if len(found) == 1:
            return found[0].code
        exact = [m for m in found if fold(str(m)) == fold(text)]
        return exact[0].code if exact else None


class NcmWidget(LookupWidget):
    search_url_name = "br_tables:ncm_search"
    pick_url_name = "br_tables:ncm_pick"
    placeholder = _("Type the code or the description")
    search_length = NCM_LABEL_LENGTH

    def label_for(self, value) -> str:
        ncm = Ncm.objects.filter(code=str(value).replace(".", "")).first()
        return f"{ncm} - {ncm.description}"[:NCM_LABEL_LENGTH] if ncm else ""

    def code_for(self, text: str) -> str | None:
        digits = text.split(" - ")[0].replace(".", "").strip()
        if len(digits) == 8 and digits.isdigit() and Ncm.objects.filter(code=digits, is_active=True).exists():
            return digits
        return None


class LookupField(forms.CharField):
    """The code a `LookupWidget` sends. Text typed that names no code (or several) is an error beside the
    field, with the text kept, never a silent blank (a municipality left out of an address)."""

    def clean(self, value):
        typed = getattr(self.widget, "typed", "")
        if not value and typed:
            raise forms.ValidationError(
                _("“%(text)s” is not in the list: type part of it and pick one of the suggestions.") % {"text": typed}
            )
        return super().clean(value)


def municipality_field() -> LookupField:
    """An address form's municipality: found by its name, kept as its IBGE code."""
    from retaguarda.core.text_limits import model_text_field

    return model_text_field(
        None,  # typed: the limit is the code's, not a column's
        "municipality_id",
        typed=True,
        label=_("Municipality"),
        required=False,
        widget=MunicipalityWidget(),
        field_class=LookupField,
    )
