"""Forms of the status pages; the services validate again (they are also called by commands)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.limits import LINE, ORGANISATION_NAME

from .models import Submission, SubmissionEvent


class SubmissionForm(forms.ModelForm):
    """The summary of a plan or report; a report's own fields come from its programme's report
    form (statuses.reportform)."""

    class Meta:
        model = Submission
        fields = ("summary",)
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class SubmissionEventForm(forms.ModelForm):
    class Meta:
        model = SubmissionEvent
        fields = ("title", "planned", "held_on", "participants", "result", "deviation", "reason")
        widgets = {
            "held_on": DateInput,
            "result": forms.Textarea(attrs={"rows": 2}),
            "deviation": forms.Textarea(attrs={"rows": 2}),
            "reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, planned_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # A programme that asks no yearly plan has no planned date to compare with.
        self.fields["planned"].required = planned_required

    def clean_held_on(self):
        from django.utils import timezone

        held_on = self.cleaned_data.get("held_on")
        if held_on and held_on > timezone.localdate():
            raise forms.ValidationError(
                _(
                    "An event cannot have been held after today; leave the date empty if it is still to come."
                )
            )
        return held_on


SubmissionEventFormSet = forms.formset_factory(SubmissionEventForm, extra=3, can_delete=True)


class FileForm(forms.Form):
    file = forms.FileField(label=_("Attachment"), required=False)


class CheckForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept for the council")), ("return", _("Return for revision"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea)


class RegistryFilterForm(forms.Form):
    program = forms.ChoiceField(label=_("Programme"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("All programmes")), *programs]


class ProblemForm(forms.Form):
    description = forms.CharField(
        label=_("What may disrupt the platform"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ProposalForm(forms.Form):
    description = forms.CharField(
        label=_("Your proposal to improve the methodical work"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TerminationRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the status should end early"), widget=forms.Textarea(attrs={"rows": 3})
    )


class TerminationRaiseForm(forms.Form):
    """A methodist brings the early termination of a status before the council, on one of
    the programme's grounds."""

    grounds = forms.ChoiceField(label=_("Grounds"))
    reason = forms.CharField(
        label=_("What the grounds rest on"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, program, **kwargs):
        from .models import grounds_choices

        super().__init__(*args, **kwargs)
        self.fields["grounds"].choices = grounds_choices(program)


class TerminationDepartmentForm(forms.Form):
    case = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve by order")), ("reject", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    order_number = forms.CharField(label=_("Order number"), required=False, max_length=64)
    order_date = forms.DateField(label=_("Order date"), required=False, widget=DateInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea)


class NetworkReportCompileForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Programme"), queryset=None)
    academic_year = forms.IntegerField(
        label=_("Academic year (first calendar year)"), min_value=2000, max_value=2100
    )

    def __init__(self, *args, user, **kwargs):
        from programmes import access
        from programmes.models import Program

        super().__init__(*args, **kwargs)
        # Only the programmes whose reports this methodist checks.
        self.fields["program"].queryset = access.scoped(
            Program.objects.order_by("title"), user, field="pk", perm=access.CHECK
        )


class PartnerAddForm(forms.Form):
    """A partner joins the network: an organisation in Docket (its coordinator signs in
    Docket) or an outside organisation (its signer signs on paper)."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation in Docket"), queryset=None, required=False
    )
    name = forms.CharField(
        label=_("or an outside organisation"), max_length=ORGANISATION_NAME, required=False
    )
    signer_name = forms.CharField(
        label=_("Who signs for it on paper"), max_length=LINE, required=False
    )
    signer_position = forms.CharField(label=_("Position"), max_length=LINE, required=False)

    def __init__(self, *args, **kwargs):
        from programmes.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("short_name")


class PaperSignatureForm(forms.Form):
    party = forms.IntegerField(widget=forms.HiddenInput)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)
