import axes.admin  # axes registers its admin on import; imported first so it is replaced below
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from audit.context import acting
from core.admin import AuditedAdmin, PersonalDataAdmin

from .models import User


@admin.register(User)
class DocketUserAdmin(PersonalDataAdmin, AuditedAdmin, UserAdmin):
    """People and their roles (groups): every change audited, every opening logged."""

    personal_fields = ("first_name", "last_name", "middle_name", "email", "position")

    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Position"), {"fields": ("middle_name", "position")}),
    )


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(axes.admin.AccessAttemptAdmin):
    """Axes' failed logins. Deleting a row lifts that lockout; the deletion is audited by the
    receiver in accounts.lockout, which learns here who did it."""

    def delete_model(self, request, obj):
        with acting(request.user, channel="admin"):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with acting(request.user, channel="admin"):
            super().delete_queryset(request, queryset)
