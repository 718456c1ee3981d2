from django import forms

from .models import Kind


class EmailPreferencesForm(forms.Form):
    """One checkbox per kind: also send an e-mail. In-app notifications cannot be turned off."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[kind] = forms.BooleanField(label=label, required=False)
