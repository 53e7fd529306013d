from django import forms
from django.utils.translation import gettext_lazy as _

from retaguarda.access.departments import DEPARTMENTS
from retaguarda.access.models import ApiToken, User
from retaguarda.core.text_limits import model_text_field


class LoginForm(forms.Form):
    username = model_text_field(
        User,
        "username",
        label=_("Username"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    # Never stored: bounded like a password a user can be given (the hash's column).
    password = model_text_field(
        User, "password", label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TokenForm(forms.Form):
    name = model_text_field(ApiToken, "name", label=_("Token name"), help_text=_("What or where it will be used for."))


class UserCreateForm(forms.Form):
    username = model_text_field(User, "username", label=_("Username"))
    first_name = model_text_field(User, "first_name", label=_("Name"), required=False)
    email = forms.EmailField(label=_("Email"), required=False, max_length=User._meta.get_field("email").max_length)
    password = model_text_field(User, "password", label=_("Initial password"), widget=forms.PasswordInput, min_length=8)
    departments = forms.MultipleChoiceField(
        label=_("Departments"), choices=list(DEPARTMENTS.items()), widget=forms.CheckboxSelectMultiple
    )


class UserEditForm(forms.Form):
    """A user as seen from the current company: their name, e-mail, departments here, and whether they may sign in."""

    first_name = model_text_field(User, "first_name", label=_("Name"), required=False)
    last_name = model_text_field(User, "last_name", label=_("Last name"), required=False)
    email = forms.EmailField(label=_("Email"), required=False, max_length=User._meta.get_field("email").max_length)
    departments = forms.MultipleChoiceField(
        label=_("Departments in this company"),
        choices=list(DEPARTMENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unchecked to remove the user from this company."),
    )
    is_active = forms.BooleanField(label=_("May sign in"), required=False)
