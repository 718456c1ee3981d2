"""Admin: the production calendar and the reporting calendars are reference data edited here;
terms, duties and submissions change only through the audited services."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy

from audit.admin_base import AuditedAdmin, PersonalDataAdmin, ReadOnlyAdmin

from . import services
from .models import (
    Agreement,
    AgreementParty,
    AgreementSettings,
    CalendarDay,
    Duty,
    DutySchedule,
    NetworkReport,
    ProblemNotice,
    ProgrammeDocument,
    Status,
    StatusTerm,
    Submission,
    SweepFailure,
    TerminationCase,
)


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ("date", "kind", "note")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("note",)


@admin.register(DutySchedule)
class DutyScheduleAdmin(AuditedAdmin):
    list_display = (
        "program",
        "asks_plan",
        "plan_due_day",
        "plan_due_month",
        "report_due_day",
        "report_due_month",
        "reminder_working_days",
        "grace_working_days",
        "renewal_invite_months",
    )


@admin.register(StatusTerm)
class StatusTermAdmin(ReadOnlyAdmin):
    list_display = ("status", "number", "valid_from", "valid_until", "order")


@admin.register(Duty)
class DutyAdmin(ReadOnlyAdmin):
    list_display = ("status", "kind", "academic_year", "due_date", "state")
    list_filter = ("kind", "state")


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("duty", "number", "state", "submitted_at")
    list_filter = ("state",)


@admin.register(TerminationCase)
class TerminationCaseAdmin(ReadOnlyAdmin):
    list_display = ("status", "grounds", "state", "created_at", "order")
    list_filter = ("state", "grounds")


@admin.register(ProblemNotice)
class ProblemNoticeAdmin(ReadOnlyAdmin):
    list_display = ("status", "state", "created_at", "council_meeting_date")
    list_filter = ("state",)


@admin.register(NetworkReport)
class NetworkReportAdmin(ReadOnlyAdmin):
    list_display = ("program", "academic_year", "state", "compiled_at")


@admin.register(AgreementSettings)
class AgreementSettingsAdmin(PersonalDataAdmin, AuditedAdmin):
    """The methodical office as a party of the programme's cooperation agreements."""

    personal_list_fields = ("office_signer", "office_signer_position")

    list_display = ("program", "office_name", "office_signer", "office_signer_position")


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0
    can_delete = False
    fields = ("role", "name", "signer", "signer_name", "signer_position", "paper_signed_on")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ("status", "number", "state", "document", "registered_at")
    list_filter = ("state",)
    inlines = [AgreementPartyInline]


@admin.register(SweepFailure)
class SweepFailureAdmin(ReadOnlyAdmin):
    """Read-only: a row is sent round again from the monitoring page (audited)."""

    list_display = ("sweep", "model", "object_id", "attempts", "given_up_at", "updated_at")
    list_filter = ("sweep", "model")


@admin.register(Status)
class StatusAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "program", "valid_from", "valid_until", "state", "order")
    list_filter = ("state", "program")


class ProgrammeDocumentForm(forms.ModelForm):
    upload = forms.FileField(label=gettext_lazy("File"), required=False)

    class Meta:
        model = ProgrammeDocument
        fields = ("role",)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and self.has_changed() and not cleaned.get("upload"):
            self.add_error("upload", gettext_lazy("Attach the document's file."))
        return cleaned


class ProgrammeDocumentInline(admin.TabularInline):
    """The programme's own documents (the creating order, the Положение): stored and registered
    in a journal by the service when uploaded, never changed afterwards."""

    model = ProgrammeDocument
    form = ProgrammeDocumentForm
    extra = 1
    can_delete = False
    fields = ("role", "upload", "registered")
    readonly_fields = ("registered",)

    @admin.display(description=gettext_lazy("Registered"))
    def registered(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        if not obj or not obj.pk:
            return ""
        d = obj.document
        return format_html(
            '<a href="{}">{} № {}</a>',
            reverse("document-detail", args=[d.pk]),
            d.title,
            d.reg_number,
        )


def _with_programme_documents():
    """The programme's admin (programmes/admin.py) gains the documents inline; the upload goes
    through statuses.services, which the lower programmes package may not import."""
    from programmes.models import Program

    current = type(admin.site._registry[Program])

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProgrammeDocument:
            return current.save_formset(self, request, form, formset, change)
        added = []
        for inline in formset.forms:
            data = inline.cleaned_data or {}
            if data.get("upload") and not inline.instance.pk:
                added.append(
                    services.programme_document_add(
                        user=request.user,
                        program_id=form.instance.pk,
                        role=data["role"],
                        uploaded=data["upload"],
                    )
                )
        # What the admin's change message reads of a saved formset.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = added, [], []
        return None

    admin.site.unregister(Program)
    admin.site.register(
        Program,
        type(
            current.__name__,
            (current,),
            {
                "inlines": [*current.inlines, ProgrammeDocumentInline],
                "save_formset": save_formset,
                "__module__": __name__,
            },
        ),
    )


_with_programme_documents()
