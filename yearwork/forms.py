from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.limits import LINE


class WorkPlanForm(forms.Form):
    academic_year = forms.IntegerField(
        label=_("Academic year (its first year)"), min_value=2000, max_value=2100
    )


class WorkPlanItemForm(forms.Form):
    title = forms.CharField(label=_("Event"), max_length=LINE)
    due = forms.DateField(label=_("Due"), widget=DateInput)
    responsible = forms.CharField(label=_("Responsible"), max_length=LINE)
    responsible_user_id = forms.IntegerField(
        label=_("Responsible member (marks its execution)"), required=False
    )


class ParticipationForm(forms.Form):
    member_id = forms.IntegerField(label=_("Member"))
    part = forms.CharField(
        label=_("Part in the methodical work of the year"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty to take the member off the plan."),
    )


class ItemDoneForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("Done on"), widget=DateInput)
    result = forms.CharField(
        label=_("Result"), max_length=20000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignmentForm(forms.Form):
    title = forms.CharField(label=_("Assignment"), max_length=LINE)
    description = forms.CharField(
        label=_("What is to be done"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due = forms.DateField(label=_("Due"), widget=DateInput)
    assignee_id = forms.IntegerField(label=_("Carried out by"))


class AssignmentReportForm(forms.Form):
    report = forms.CharField(
        label=_("What was done"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AssignmentCloseForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept as done")), ("return", _("Return: not done yet"))],
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignmentCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000)
