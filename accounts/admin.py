# Other packages register their admins on import; imported first, so they are replaced below.
import axes.admin
import rest_framework.authtoken.admin  # noqa: F401
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from audit.context import acting
from core.admin import AuditedAdmin, PersonalDataAdmin, log_list_reads

from .models import User


@admin.register(User)
class DocketUserAdmin(PersonalDataAdmin, AuditedAdmin, UserAdmin):
    """People and their roles (groups): every change audited, every opening logged."""

    personal_fields = ("first_name", "last_name", "middle_name", "email", "position")
    personal_list_fields = ("username", "email", "first_name", "last_name")

    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Position"), {"fields": ("middle_name", "position")}),
    )


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(PersonalDataAdmin, axes.admin.AccessAttemptAdmin):
    """Axes' failed logins. Deleting a row lifts that lockout; the deletion is audited by the
    receiver in accounts.lockout, which learns here who did it. The list names people and
    addresses: its reads are logged."""

    personal_list_fields = ("username", "ip_address")

    def delete_model(self, request, obj):
        with acting(request.user, channel="admin"):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with acting(request.user, channel="admin"):
            super().delete_queryset(request, queryset)


# Lists of other packages' admins that show people (user names, addresses, owners of tokens).
log_list_reads(AccessLog, fields=("username", "ip_address"))
log_list_reads(AccessFailureLog, fields=("username", "ip_address"))
log_list_reads(TokenProxy, fields=("user",))
