"""Communities are read here; they change through their pages (audited services)."""

from django.contrib import admin

from audit.admin_base import PersonalDataAdmin, ReadOnlyAdmin

from .models import Community, PlanItem


@admin.register(Community)
class CommunityAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    personal_list_fields = ("curator",)
    list_display = ("name", "kind", "program", "curator", "is_active")
    list_filter = ("kind", "program")


@admin.register(PlanItem)
class PlanItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "community", "academic_year", "due", "done_on")
