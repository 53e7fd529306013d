"""Forms of the shared pages (import)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("what to import"))
    file = forms.FileField(label=_("file (.csv or .xlsx)"))
    skip_invalid = forms.BooleanField(
        label=_("save the valid rows and skip the ones with errors"), required=False, initial=False
    )

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
