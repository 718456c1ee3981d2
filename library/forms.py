"""The practice's fields, for the page and for every caller of the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.limits import LINE

from .models import Level, Practice

TEXT = 20000


class PracticeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Practice.Kind.choices, initial="practice", required=False
    )
    title = forms.CharField(label=_("Title"), max_length=LINE)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the practice is, for whom, and what it gives."),
    )
    subject = forms.CharField(
        label=_("Subject"), max_length=LINE, help_text=_("E.g. mathematics, reading, mentoring.")
    )
    level = forms.ChoiceField(
        label=_("Level of education"), choices=[("", "---------"), *Level.choices]
    )
    age_group = forms.CharField(
        label=_("Age group"), max_length=LINE, required=False, help_text=_("E.g. 7–10 years.")
    )
    authors = forms.CharField(
        label=_("Co-authors"),
        max_length=LINE,
        required=False,
        help_text=_("As they are to be published, if any; you are named as the author."),
    )

    def clean_kind(self):
        return self.cleaned_data.get("kind") or Practice.Kind.PRACTICE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked as a single file is."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class FilesForm(forms.Form):
    files = MultipleFileField(
        label=_("Materials"),
        required=False,
        help_text=_("PDF, DOCX, XLSX, ODT, DOC, PNG or JPEG; up to 10 files."),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve and publish")),
            ("recommend", _("Approve and recommend for dissemination")),
            ("return", _("Return for revision")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *Practice.Kind.choices]
    )
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    level = forms.ChoiceField(
        label=_("Level of education"), required=False, choices=[("", "—"), *Level.choices]
    )
