"""The company form only parses; `companies.services` validates and answers in Portuguese."""

from django import forms
from django.utils.translation import gettext_lazy as _

from retaguarda.br_tables.widgets import MunicipalityWidget
from retaguarda.companies.models import TaxRegime
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.problems import put_on_form


def _text(label, max_length, required=False, **attrs):
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=forms.TextInput(attrs=attrs or None)
    )


class CompanyForm(forms.Form):
    legal_name = _text(_("Legal name"), 120, True)
    trade_name = _text(_("Trade name"), 120)
    cnpj = _text(_("CNPJ"), 18, True, **{"data-mask": "document", "autocomplete": "off"})
    state_registration = _text(_("State registration (IE)"), 20, True, placeholder=_("digits, or ISENTO"))
    municipal_registration = _text(_("Municipal registration (IM)"), 20)
    cnae = _text(_("Main CNAE"), 10, placeholder="4759-8/99")
    tax_regime = forms.TypedChoiceField(label=_("Tax regime (CRT)"), choices=TaxRegime.choices, coerce=int)
    postal_code = _text(_("CEP"), 9, True, **{"data-mask": "cep", "inputmode": "numeric"})
    street = _text(_("Street"), 60, True)
    number = _text(_("Number"), 60, True)
    complement = _text(_("Complement"), 60)
    district = _text(_("District"), 60, True)
    municipality_id = forms.CharField(label=_("Municipality"), required=False, widget=MunicipalityWidget())
    phone = _text(_("Phone"), 20, type="tel")
    email = _text(_("E-mail"), 254, type="email")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["cnpj"]  # the CNPJ is the company: a new CNPJ is a new company

    def apply(self, exc: ValidationFailed) -> None:
        put_on_form(exc, self)
