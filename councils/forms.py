"""Forms shared by the council's pages and its API, so both validate input the same way."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.ids import ID_MAX, SMALL_COUNT_MAX
from core.limits import LINE

from .models import Meeting, Vote


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=LINE, required=False)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=Meeting.Format.choices,
        initial=Meeting.Format.IN_PERSON,
        required=False,
    )


class RescheduleForm(forms.Form):
    """A planned meeting's new date; an empty place or format keeps the current one."""

    date = forms.DateField(label=_("New date"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=LINE, required=False)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("unchanged")), *Meeting.Format.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason for the rescheduling"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FreeItemForm(forms.Form):
    title = forms.CharField(
        label=_("Question"), max_length=LINE, widget=forms.Textarea(attrs={"rows": 2})
    )


class CaseItemForm(forms.Form):
    """A waiting case: its type (`subject`, e.g. "statuses.submission"; an application when
    empty) and its id."""

    subject = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    case = forms.IntegerField(label=_("Case"), min_value=1, max_value=ID_MAX, required=False)
    application = forms.IntegerField(
        label=_("Application"), min_value=1, max_value=ID_MAX, required=False
    )

    def clean(self):
        data = super().clean()
        case = data.get("case") or data.get("application")
        if case is None:
            raise forms.ValidationError(_("Choose a waiting case."))
        return {"subject": data.get("subject") or "workflows.application", "subject_id": case}


class AttendanceForm(forms.Form):
    """Members present (ids of their seats) and invited guests, one per line: name, position."""

    members = forms.TypedMultipleChoiceField(
        label=_("Members present"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guests = forms.CharField(
        label=_("Invited guests"),
        required=False,
        help_text=_("One per line: name, position."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, seats=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [
            (s.pk, f"{s.user.get_full_name()} ({s.get_role_display().lower()})") for s in seats
        ]

    @staticmethod
    def _lines(text: str) -> list[dict]:
        guests = []
        for line in text.splitlines():
            if line.strip():
                name, _sep, position = line.partition(",")
                guests.append({"name": name.strip(), "position": position.strip()})
        return guests

    def clean_guests(self) -> str:
        text = self.cleaned_data.get("guests", "")
        limit = MaxLengthValidator(LINE)
        for guest in self._lines(text):
            limit(guest["name"])
            limit(guest["position"])
        return text

    def cleaned_guests(self) -> list[dict]:
        return self._lines(self.cleaned_data.get("guests", ""))


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Vote"), choices=Vote.Choice.choices)


class PaperTallyForm(forms.Form):
    votes_for = forms.IntegerField(label=_("For"), min_value=0, max_value=SMALL_COUNT_MAX)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, max_value=SMALL_COUNT_MAX)
    abstained = forms.IntegerField(label=_("Abstained"), min_value=0, max_value=SMALL_COUNT_MAX)
    chair_vote = forms.ChoiceField(
        label=_("The chair voted"),
        choices=[("", _("not recorded")), *Vote.Choice.choices],
        required=False,
    )


class RecusalForm(forms.Form):
    member = forms.IntegerField(label=_("Member"), min_value=1, max_value=ID_MAX)
    reason = forms.CharField(label=_("Reason"), max_length=LINE)


class ItemCloseForm(forms.Form):
    heard = forms.CharField(label=_("Heard"), widget=forms.Textarea(attrs={"rows": 3}))
    spoke = forms.CharField(
        label=_("Spoke"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decided = forms.CharField(label=_("Decided"), widget=forms.Textarea(attrs={"rows": 3}))
    postpone = forms.BooleanField(
        label=_("Postpone the question to the next meeting (no decision now)"), required=False
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("What the correction fixes"), widget=forms.Textarea(attrs={"rows": 2})
    )
    item = forms.IntegerField(
        label=_("Question No."), min_value=1, max_value=ID_MAX, required=False
    )
    decided = forms.CharField(
        label=_("Corrected decision text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
