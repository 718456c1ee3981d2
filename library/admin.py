"""Practices are read here; they change only through the services (versions never)."""

from django.contrib import admin

from audit.admin_base import PersonalDataAdmin, ReadOnlyAdmin

from .models import Practice, PracticeVersion


@admin.register(Practice)
class PracticeAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    personal_list_fields = ("author",)
    list_display = ("__str__", "program", "author", "state", "recommended", "reviewed_at")
    list_filter = ("state", "recommended", "program")


@admin.register(PracticeVersion)
class PracticeVersionAdmin(ReadOnlyAdmin):
    list_display = ("title", "practice", "number", "level", "created_at")
    list_filter = ("level",)
    search_fields = ("title", "subject", "authors")
