"""Forms shared by the HTML pages and the API, so both validate input the same way."""

import functools
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.limits import LINE
from programmes import formdef
from programmes.models import MAX_STATUS_TERM_YEARS, FormVersion

from . import regulations
from .models import Application, PlannedEvent


@functools.cache
def _form_of(definition_json: str) -> type[forms.Form]:
    return formdef.form_class(json.loads(definition_json), name="ApplicationForm")


def application_form_class(version: FormVersion | None = None) -> type[forms.Form]:
    """The form of a programme's form version (Приложение 1 for Tomsk), built from its
    definition once per process. Every field may stay empty in a draft; completeness is
    checked on submit (selectors.application_completeness_errors)."""
    definition = version.definition if version is not None else regulations.TOMSK_FORM
    return _form_of(json.dumps(definition, sort_keys=True, ensure_ascii=False))


# The Tomsk form: what the API's schema documents as the fields of an application.
ApplicationForm = application_form_class()


def year_choices(term_years: int) -> list[tuple[int, str]]:
    """The years of a status of `term_years` academic years: 1..term."""
    return [(year, _("Year %(number)s") % {"number": year}) for year in range(1, term_years + 1)]


class PlannedEventForm(forms.ModelForm):
    """A row of the plan of network events. The year select always shows a year, so Django
    would take every untouched row as changed: a row counts only by its text (`is_blank`).
    In a draft a row may be half filled; completeness is checked when the case is submitted."""

    CONTENT = ("title", "timing", "audience")

    year_index = forms.TypedChoiceField(
        label=_("Year of the status"),
        choices=year_choices(MAX_STATUS_TERM_YEARS),
        coerce=int,
        help_text=_("From 1 to the programme's term of the status."),
    )

    class Meta:
        model = PlannedEvent
        # A tuple: inlineformset_factory appends its foreign key to a form's Meta.fields list,
        # which would leak "application" into every later use of this form (the API's).
        fields = ("year_index", "title", "timing", "audience")

    def __init__(self, *args, term_years: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if term_years:
            field = self.fields["year_index"]
            field.choices = year_choices(term_years)
            field.error_messages["invalid_choice"] = _(
                "Choose a year of the status from 1 to %(last)s."
            ) % {"last": term_years}

    def is_blank(self) -> bool:
        """No text typed in the row (whatever its year): the row is no event and is ignored."""
        if not self.is_bound:
            return True
        return not any(str(self[name].value() or "").strip() for name in self.CONTENT)

    def has_changed(self):
        # An extra row is skipped by the formset when unchanged (empty_permitted).
        return super().has_changed() and not self.is_blank()

    def event(self) -> dict | None:
        """The cleaned event, or None for a blank or deleted row."""
        if self.is_blank() or not self.cleaned_data or self.cleaned_data.get("DELETE"):
            return None
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class BasePlannedEventFormSet(forms.BaseInlineFormSet):
    """The plan on the page: the saved events, then one empty row for each year of the status
    (a fixed number: saving does not add rows, and empty rows are never saved)."""

    def __init__(self, *args, term_years: int, **kwargs):
        self.term_years = term_years
        self.extra = term_years
        kwargs.setdefault("initial", [{"year_index": y} for y in range(1, term_years + 1)])
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "term_years": self.term_years}

    def events(self) -> list[dict]:
        return [event for form in self.forms if (event := form.event()) is not None]


PlannedEventFormSet = forms.inlineformset_factory(
    Application,
    PlannedEvent,
    form=PlannedEventForm,
    formset=BasePlannedEventFormSet,
    can_delete=True,
)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), max_length=LINE, required=False)
    kind = forms.ChoiceField(label=_("What the file is"), required=False)

    def __init__(self, *args, kinds: list[dict] | None = None, **kwargs):
        """`kinds`: the kinds of files the application's form asks for (formdef)."""
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Another document"))] + [
            (k["kind"], k["label"]) for k in kinds or []
        ]


# --- Step decisions -------------------------------------------------------------------


class CheckForm(forms.Form):
    """Methodist: is the application complete?"""

    ACCEPT, RETURN = "accept", "return"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ACCEPT, _("Complete: pass to the council")), (RETURN, _("Return for revision"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not data.get("comment", "").strip():
            self.add_error("comment", _("Say what the applicant must correct."))
        return data


class ReviseForm(forms.Form):
    """Applicant: the corrected application goes back to the methodist."""

    comment = forms.CharField(
        label=_("What was corrected"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ApproveForm(forms.Form):
    """Department official: approve by order, or return to the council with remarks."""

    APPROVE, RETURN = "approve", "return"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve by order")), (RETURN, _("Return to the council"))],
        widget=forms.RadioSelect,
    )
    order_number = forms.CharField(label=_("Order number"), max_length=64, required=False)
    order_date = forms.DateField(label=_("Order date"), required=False, widget=DateInput)
    comment = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.APPROVE:
            if not data.get("order_number", "").strip():
                self.add_error("order_number", _("Enter the number of the order."))
            if not data.get("order_date"):
                self.add_error("order_date", _("Enter the date of the order."))
            elif data["order_date"] > timezone.localdate():
                self.add_error("order_date", _("The order date cannot be in the future."))
        elif data.get("decision") == self.RETURN and not data.get("comment", "").strip():
            self.add_error("comment", _("Say why the decision goes back to the council."))
        return data


# The decision form of each human step of ApplicationFlow, by node name: pages and API share it.
STEP_FORMS = {
    "check": CheckForm,
    "revise": ReviseForm,
    "approve": ApproveForm,
}
