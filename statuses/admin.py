"""Admin: the production calendar and the reporting calendars are reference data edited here;
terms, duties and submissions change only through the audited services."""

from django.contrib import admin

from audit.admin_base import AuditedAdmin, PersonalDataAdmin, ReadOnlyAdmin

from .models import (
    Agreement,
    AgreementParty,
    AgreementSettings,
    CalendarDay,
    Duty,
    DutySchedule,
    NetworkReport,
    ProblemNotice,
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
