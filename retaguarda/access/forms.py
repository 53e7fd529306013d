from django import forms
from django.utils.translation import gettext_lazy as _

from retaguarda.access.departments import DEPARTMENTS


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100, help_text=_("What or where it will be used for."))


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, min_length=8)
    departments = forms.MultipleChoiceField(
        label=_("Departments"), choices=list(DEPARTMENTS.items()), widget=forms.CheckboxSelectMultiple
    )


class UserEditForm(forms.Form):
    """A user as seen from the current company: their name, e-mail, departments here, and whether they may sign in."""

    first_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    departments = forms.MultipleChoiceField(
        label=_("Departments in this company"),
        choices=list(DEPARTMENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unchecked to remove the user from this company."),
    )
    is_active = forms.BooleanField(label=_("May sign in"), required=False)
