"""Forms shared by the HTML pages and the API, so both validate input the same way."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.limits import LINE

from .models import Application, PlannedEvent


class DateInput(forms.DateInput):
    """Dates typed as дд.мм.гггг whatever the browser's locale (a native picker would follow it)."""

    def __init__(self, attrs=None):
        attrs = {"placeholder": "дд.мм.гггг", "inputmode": "numeric", "size": 10, **(attrs or {})}
        super().__init__(attrs=attrs, format="%d.%m.%Y")


class ApplicationForm(forms.ModelForm):
    """Приложение 1. Every field may stay empty in a draft; completeness is checked on submit."""

    class Meta:
        model = Application
        fields = (
            "topic",
            "direction",
            "goals",
            "tasks",
            "expected_results",
            "responsible_name",
            "responsible_position",
            "responsible_phone",
            "responsible_email",
            "partners",
        )
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 3}),
            "tasks": forms.Textarea(attrs={"rows": 3}),
            "expected_results": forms.Textarea(attrs={"rows": 3}),
            "partners": forms.Textarea(attrs={"rows": 3}),
        }

    PLATFORM = ("topic", "direction", "goals", "tasks", "expected_results", "partners")
    RESPONSIBLE = (
        "responsible_name",
        "responsible_position",
        "responsible_phone",
        "responsible_email",
    )

    def platform_fields(self):
        return [self[name] for name in self.PLATFORM]

    def responsible_fields(self):
        return [self[name] for name in self.RESPONSIBLE]


class PlannedEventForm(forms.ModelForm):
    year_index = forms.TypedChoiceField(
        label=_("Year of the status"),
        choices=[(1, _("1st year")), (2, _("2nd year")), (3, _("3rd year"))],
        coerce=int,
    )

    class Meta:
        model = PlannedEvent
        # A tuple: inlineformset_factory appends its foreign key to a form's Meta.fields list,
        # which would leak "application" into every later use of this form (the API's).
        fields = ("year_index", "title", "timing", "audience")


PlannedEventFormSet = forms.inlineformset_factory(
    Application, PlannedEvent, form=PlannedEventForm, extra=3, can_delete=True
)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), max_length=LINE, required=False)


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
