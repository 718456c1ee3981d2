from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.limits import LINE

from .models import Community


class CommunityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Community.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=LINE)
    curator = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ParticipantsForm(forms.Form):
    participants = forms.CharField(
        label=_("Participants, one per line"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class PlanItemForm(forms.Form):
    academic_year = forms.IntegerField(
        label=_("Academic year (its first year)"), min_value=2000, max_value=2100
    )
    title = forms.CharField(label=_("Event"), max_length=LINE)
    due = forms.DateField(label=_("Due"), widget=DateInput)
    responsible = forms.CharField(label=_("Responsible"), max_length=LINE)


class PlanItemDoneForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("Done on"), widget=DateInput)
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 2}))
