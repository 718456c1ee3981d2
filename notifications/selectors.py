"""Reads: a person's notifications and preferences, and who holds a permission."""

from django.conf import settings
from django.db.models import QuerySet

from .models import Kind, Notification, NotificationPreference

Channel = Notification.Channel


def notifications_inbox_qs(user) -> QuerySet[Notification]:
    """The bell's list: only the user's own in-app rows, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Channel.INAPP).order_by(
        "-created_at", "-id"
    )


def notifications_unread_qs(user) -> QuerySet[Notification]:
    return notifications_inbox_qs(user).filter(read_at__isnull=True)


def notifications_unread_count(user) -> int:
    """One COUNT on the (recipient, channel, read_at) index: cheap enough for every page."""
    return notifications_unread_qs(user).count()


def notification_of(*, user, notification_id: int) -> Notification | None:
    """The user's own notification, else None: others' notifications look missing."""
    return notifications_inbox_qs(user).filter(pk=notification_id).first()


def notification_local_url(notification: Notification) -> str:
    """Links are stored absolute (they go out by e-mail); inside the site follow them on the
    host the user is on, which may differ from SITE_URL (e.g. `make run PORT=8001`)."""
    site = settings.SITE_URL.rstrip("/")
    url = notification.url
    if url == site or url.startswith(site + "/"):
        return url[len(site) :] or "/"
    return url


def notification_email_preferences(user) -> dict[str, bool]:
    """Kind → whether the user also gets an e-mail (yes unless they turned it off)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, True) for kind in Kind.values}
