"""Forms only parse what the browser sends; the services validate and answer in Portuguese."""

import json

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from retaguarda.br_tables.widgets import municipality_field
from retaguarda.core.lookups import lookups
from retaguarda.core.number_fields import NumberField
from retaguarda.core.text_limits import model_text_field
from retaguarda.parties.models import IeIndicator, Party, PartyAddress, PartyContact, PartyKind


def _text(model, name, label, required=False, typed=False, **attrs):
    return model_text_field(
        model, name, typed=typed, label=label, required=required, widget=forms.TextInput(attrs=attrs or None)
    )


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Person type"), choices=PartyKind.choices, widget=forms.RadioSelect)
    document = _text(
        Party,
        "document",
        _("CPF/CNPJ"),
        True,
        True,
        **{"data-mask": "document", "inputmode": "text", "autocomplete": "off"},
    )
    legal_name = _text(Party, "legal_name", _("Name / legal name"), True)
    trade_name = _text(Party, "trade_name", _("Trade name"))
    is_customer = forms.BooleanField(label=_("Customer"), required=False)
    is_supplier = forms.BooleanField(label=_("Supplier"), required=False)
    is_carrier = forms.BooleanField(label=_("Carrier"), required=False)
    ie_indicator = forms.TypedChoiceField(
        label=_("State registration indicator"),
        choices=IeIndicator.choices,
        coerce=int,
        initial=IeIndicator.NON_TAXPAYER,
    )
    state_registration = _text(Party, "state_registration", _("State registration (IE)"), typed=True)
    municipal_registration = _text(Party, "municipal_registration", _("Municipal registration (IM)"))
    email = _text(Party, "email", _("E-mail"), type="email")
    phone = _text(Party, "phone", _("Phone"), typed=True, type="tel")
    # Numbers as people type them (1.500,00); what cannot be read goes to the service as typed, which
    # says what is wrong together with every other problem.
    credit_limit = NumberField(label=_("Credit limit (R$)"), required=False, min_places=2)
    payment_terms = _text(Party, "payment_terms", _("Payment terms (days)"), placeholder="30/60/90")
    # A whole number of days, typed as text and read by the service.
    lead_time_days = forms.CharField(
        label=_("Lead time (days)"), required=False, max_length=6, widget=forms.TextInput({"inputmode": "numeric"})
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    ROLE_FIELDS = ("is_customer", "is_supplier", "is_carrier")

    def clean_credit_limit(self):
        return self.cleaned_data["credit_limit"] or 0

    def clean_lead_time_days(self):
        return self.cleaned_data["lead_time_days"] or 0

    def service_fields(self) -> dict:
        """What was read, for the service; after a form error only the fields that were read."""
        return dict(self.cleaned_data)


class AddressForm(forms.Form):
    postal_code = _text(
        PartyAddress,
        "postal_code",
        _("CEP"),
        typed=True,
        **{"data-mask": "cep", "inputmode": "numeric", "placeholder": "00000-000"},
    )
    street = _text(PartyAddress, "street", _("Street"))
    number = _text(PartyAddress, "number", _("Number"), placeholder=_("S/N when none"))
    complement = _text(PartyAddress, "complement", _("Complement"))
    district = _text(PartyAddress, "district", _("District"))
    municipality_id = municipality_field()
    is_billing = forms.BooleanField(label=_("Billing address"), required=False)
    is_delivery = forms.BooleanField(label=_("Delivery address"), required=False)

    def is_blank(self) -> bool:
        """Nothing typed: the address part of the registration form was left empty on purpose."""
        keys = ("postal_code", "street", "number", "complement", "district", "municipality_id")
        return not any((self.cleaned_data.get(k) or "").strip() for k in keys) and not self.errors


class ContactForm(forms.Form):
    name = _text(PartyContact, "name", _("Name"))
    role = _text(PartyContact, "role", _("Role"), placeholder=_("Purchasing, accounts payable..."))
    email = _text(PartyContact, "email", _("E-mail"), type="email")
    phone = _text(PartyContact, "phone", _("Phone"), typed=True, type="tel")


def problems_beyond_the_form(forms_by_prefix: dict[str, forms.Form], check) -> list[dict]:
    """When a form refused some fields, the service's problems with the rest, so the user sees every
    problem in one round. `check` takes the fields read and the address fields read (or None)."""
    party_form, address_form = forms_by_prefix[""], forms_by_prefix.get("addresses[0].")
    addresses = []
    if address_form is not None and not address_form.is_blank():
        addresses = [address_form.cleaned_data]
    details = check(party_form.service_fields(), addresses)
    refused = {f"{prefix}{name}" for prefix, form in forms_by_prefix.items() for name in form.errors}
    refused |= {"roles"} if "is_customer" in party_form.errors else set()
    return [d for d in details if (d.get("field") or "") not in refused and d.get("field")]


def offer_lookups(party_form: forms.Form | None = None, address_form: forms.Form | None = None) -> None:
    """When the install looks CEPs and CNPJs up (settings; core.lookups), the CNPJ and CEP fields ask as they
    are typed (htmx) and a note beside them says what was found; the page fills only the fields still empty.
    Nothing is stored until the user saves, and a lookup that fails only says so."""
    service = lookups()
    if service is None:
        return
    address_prefix = f"{address_form.prefix}-" if address_form is not None and address_form.prefix else ""
    if party_form is not None and service.cnpj_url:
        _ask_while_typing(party_form, "document", "parties:lookup_cnpj", {"address_prefix": address_prefix})
    if address_form is not None and service.cep_url:
        _ask_while_typing(address_form, "postal_code", "parties:lookup_cep", {"prefix": address_prefix})


def _ask_while_typing(form: forms.Form, name: str, url_name: str, vals: dict) -> None:
    field = form.fields[name]  # the form's own copy: another request's form is untouched
    note = f"{form[name].auto_id}-lookup"
    field.widget.attrs.update(
        {
            "hx-get": reverse(url_name),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": f"#{note}",
            "hx-sync": "this:replace",
            "hx-vals": json.dumps(vals),
        }
    )
    field.lookup_note = note
