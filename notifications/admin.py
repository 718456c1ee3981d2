"""The outbox for administrators: every row read-only; FAILED ones can be sent again."""

from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.admin_base import PersonalDataAdmin, ReadOnlyAdmin

from . import services
from .models import FailedNotification, Notification


@admin.register(Notification)
class NotificationAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    personal_list_fields = ("recipient",)
    list_display = (
        "created_at",
        "recipient",
        "kind",
        "channel",
        "state",
        "attempts",
        "reason",
        "sent_at",
    )
    list_filter = ("state", "kind", "channel")
    list_select_related = ("recipient",)
    search_fields = ("recipient__username", "recipient__email", "subject", "dedup_key")
    actions = ["retry"]

    @admin.display(description=_("last error"))
    def reason(self, obj):
        return Truncator(obj.last_error).chars(120)

    @admin.action(
        description=_("Send the selected failed notifications again"), permissions=["retry"]
    )
    def retry(self, request, queryset):
        failed = queryset.filter(state=Notification.State.FAILED).values_list("pk", flat=True)
        count = sum(
            services.notification_retry(notification_id=pk, actor=request.user) for pk in failed
        )
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext(
                "%(count)d notification is queued for sending again.",
                "%(count)d notifications are queued for sending again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected notification was not failed and is left as it is.",
                    "%(count)d selected notifications were not failed and are left as they are.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_notification")


@admin.register(FailedNotification)
class FailedNotificationAdmin(NotificationAdmin):
    """Letters that could not be delivered, with the reason: the operator's to-do list."""

    list_filter = ("kind",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=Notification.State.FAILED)
