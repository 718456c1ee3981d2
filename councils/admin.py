"""Admin: councils, their seats and rules are reference data (every edit audited); meetings
and protocols are read-only here because they change only through the audited services."""

from django.contrib import admin

from audit.admin_base import AuditedAdmin, ReadOnlyAdmin

from .models import Council, CouncilMember, Meeting, Protocol


class MemberInline(admin.TabularInline):
    model = CouncilMember
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Council)
class CouncilAdmin(AuditedAdmin):
    list_display = ("name", "program", "quorum_rule", "tie_rule", "min_meetings_per_year")
    inlines = [MemberInline]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("council", "number", "year", "date", "status")
    list_filter = ("council", "status")


@admin.register(Protocol)
class ProtocolAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "state", "signed_at", "corrects")
