"""Admin: reference data is edited here; cases are read-only because their changes must go
through the services (audited, routed by the flow)."""

from django.contrib import admin
from viewflow.workflow.models import Process, Task

from audit.admin_base import PersonalDataAdmin, ReadOnlyAdmin, log_list_reads

from .models import Application, Order
from .selectors import PERSONAL_FIELDS


@admin.register(Application)
class ApplicationAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    personal_fields = tuple(PERSONAL_FIELDS)

    list_display = ("reg_number", "organisation", "program", "state", "reg_date")
    list_filter = ("state", "program")
    search_fields = ("reg_number", "organisation__short_name", "topic")

    def get_queryset(self, request):
        """Unsent drafts are their school's alone, administrators included (decision 43)."""
        return super().get_queryset(request).exclude(state=Application.State.DRAFT)


@admin.register(Order)
class OrderAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    personal_list_fields = ("signed_by",)
    list_display = ("number", "date", "program", "signed_by")


# viewflow's process and task lists name the people who hold the steps.
log_list_reads(Process, fields=("participants",))
log_list_reads(Task, fields=("owner",))
