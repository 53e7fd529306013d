"""The company form only parses; `companies.services` validates and answers in Portuguese."""

from django import forms
from django.utils.translation import gettext_lazy as _

from retaguarda.br_tables.widgets import municipality_field
from retaguarda.companies.models import Company, TaxRegime
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.problems import put_on_form
from retaguarda.core.text_limits import model_text_field


def _text(name, label, required=False, typed=False, **attrs):
    return model_text_field(
        Company, name, typed=typed, label=label, required=required, widget=forms.TextInput(attrs=attrs or None)
    )


class CompanyForm(forms.Form):
    legal_name = _text("legal_name", _("Legal name"), True)
    trade_name = _text("trade_name", _("Trade name"))
    cnpj = _text("cnpj", _("CNPJ"), True, True, **{"data-mask": "document", "autocomplete": "off"})
    state_registration = _text(
        "state_registration", _("State registration (IE)"), True, True, placeholder=_("digits, or ISENTO")
    )
    municipal_registration = _text("municipal_registration", _("Municipal registration (IM)"))
    cnae = _text("cnae", _("Main CNAE"), typed=True, placeholder="4759-8/99")
    tax_regime = forms.TypedChoiceField(label=_("Tax regime (CRT)"), choices=TaxRegime.choices, coerce=int)
    postal_code = _text("postal_code", _("CEP"), True, True, **{"data-mask": "cep", "inputmode": "numeric"})
    street = _text("street", _("Street"), True)
    number = _text("number", _("Number"), True)
    complement = _text("complement", _("Complement"))
    district = _text("district", _("District"), True)
    municipality_id = municipality_field()
    phone = _text("phone", _("Phone"), typed=True, type="tel")
    email = _text("email", _("E-mail"), type="email")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["cnpj"]  # the CNPJ is the company: a new CNPJ is a new company

    def apply(self, exc: ValidationFailed) -> None:
        put_on_form(exc, self)
