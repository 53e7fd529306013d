from django import forms
from django.utils.translation import gettext_lazy as _

from retaguarda.access.departments import DEPARTMENTS


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Usuário"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(label=_("Senha"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Nome do token"), max_length=100, help_text=_("Para que ou onde ele será usado."))


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Usuário"), max_length=150)
    first_name = forms.CharField(label=_("Nome"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(label=_("Senha inicial"), widget=forms.PasswordInput, min_length=8)
    departments = forms.MultipleChoiceField(
        label=_("Departamentos"), choices=list(DEPARTMENTS.items()), widget=forms.CheckboxSelectMultiple
    )
