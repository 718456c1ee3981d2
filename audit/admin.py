from django.contrib import admin

from audit.admin_base import PersonalDataAdmin, ReadOnlyAdmin

from .models import AuditCheckpoint, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    """Read-only: the log is append-only by design. Its list names the actors: reads logged."""

    personal_list_fields = ("actor",)

    list_display = ("at", "actor", "action", "object_type", "object_id", "from_state", "to_state")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "comment")


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    """Read-only: checkpoints are made by the hourly task and sealed with the audit key."""

    list_display = ("number", "at", "event_count", "head_id", "document_id")
