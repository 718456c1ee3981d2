# Other packages register their admins on import; imported first, so they are replaced below.
import axes.admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from audit.admin_base import AuditedAdmin, PersonalDataAdmin, log_list_reads
from audit.context import acting

from .models import User
from .services import api_tokens_revoke, user_password_change_record


@admin.register(User)
class DocketUserAdmin(PersonalDataAdmin, AuditedAdmin, UserAdmin):
    """People and their roles (groups): every change audited, every opening logged."""

    personal_fields = ("first_name", "last_name", "middle_name", "email", "position")
    personal_list_fields = ("username", "email", "first_name", "last_name")

    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Position"), {"fields": ("middle_name", "position")}),
    )

    def user_change_password(self, request, id, form_url=""):
        """An administrator setting someone's password is audited like the person's own change
        (the change form never carries the password, so AuditedAdmin does not see it)."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user_password_change_record(
                    user=self.get_object(request, unquote(id)), actor=request.user, channel="admin"
                )
        return response


admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(PersonalDataAdmin, admin.ModelAdmin):
    """API tokens as knox stores them: a digest and the first characters, never the token.
    Admins see who holds which and until when, and revoke (delete); tokens are issued only to
    their holder (POST /api/auth/login/), so nobody else ever sees one."""

    personal_list_fields = ("user",)
    list_display = ("token_key", "user", "created", "expiry")
    list_select_related = ("user",)
    search_fields = ("token_key", "user__username")
    fields = ("token_key", "user", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        api_tokens_revoke(
            user=obj.user,
            actor=request.user,
            reason="admin",
            tokens=AuthToken.objects.filter(digest=obj.digest),
        )

    def delete_queryset(self, request, queryset):
        for user in User.objects.filter(auth_token_set__in=queryset).distinct():
            api_tokens_revoke(
                user=user,
                actor=request.user,
                reason="admin",
                tokens=queryset.filter(user=user),
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
