from django import forms

from .models import STAFF_ONLY_KINDS, Kind


class EmailPreferencesForm(forms.Form):
    """One checkbox per kind: also send an e-mail. In-app notifications cannot be turned off.
    Kinds only staff receive (a background step failed) are offered to staff only."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        staff = bool(user is not None and user.is_staff)
        for kind, label in Kind.choices:
            if kind in STAFF_ONLY_KINDS and not staff:
                continue
            self.fields[kind] = forms.BooleanField(label=label, required=False)
