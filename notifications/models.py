"""The outbox: one row per recipient and channel, written in the transaction of the event.

E-mail rows move READY → SENDING → SENT, or FAILED with the reason. In-app rows are delivered
the moment they commit (the bell reads them), so they are created SENT and only get `read_at`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.limits import LineField
from core.models import TimeStamped


class Kind(models.TextChoices):
    """What happened. Users choose per kind whether they also want an e-mail."""

    TASK_ASSIGNED = "task_assigned", _("A step is waiting for me or my role")
    APPLICATION_RETURNED = "application_returned", _("Application returned for revision")
    DECISION_TAKEN = "decision_taken", _("Council decision")
    ORDER_SIGNED = "order_signed", _("Order signed")
    STATUS_GRANTED = "status_granted", _("Status granted")
    MEETING_SCHEDULED = "meeting_scheduled", _("Council meeting scheduled")
    DEADLINE_APPROACHING = "deadline_approaching", _("Deadline approaching")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed")
    STATUS_EXPIRING = "status_expiring", _("Status expiring")
    STATUS_CHANGED = "status_changed", _("Status renewed, suspended or ended")
    DUTY_REVIEWED = "duty_reviewed", _("Yearly plan or report reviewed")
    JOB_FAILED = "job_failed", _("A background step failed (administrators)")


# Sent to staff only (administrators, about /monitoring/): not offered to anyone else.
STAFF_ONLY_KINDS = frozenset({Kind.JOB_FAILED})


class Notification(TimeStamped):
    """One message to one person through one channel."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        INAPP = "inapp", _("In Docket")

    class State(models.TextChoices):
        READY = "ready", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Delivered")
        FAILED = "failed", pgettext_lazy("notification", "Failed")

    Kind = Kind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # Composed from names and titles (an agreement, a school, a meeting): never cut.
    subject = LineField(_("subject"))
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    # Built from ids by the caller ("application:7:returned:42"): the same event never makes
    # two rows for one person and channel, however often the step that raises it is retried.
    dedup_key = models.CharField(_("deduplication key"), max_length=200)
    state = models.CharField(_("state"), max_length=8, choices=State.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Not before this moment: the retry backoff of a transient failure. The sweep also uses it
    # to tell a row the broker lost (READY long past it) from one waiting for its retry.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    # The Celery task id that holds the row while sending; a redelivered message has the same
    # id and may take its own claim back, any other message may not.
    claim_token = models.CharField(_("claimed by task"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key", "recipient", "channel"], name="notification_dedup_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(channel="email") | models.Q(state="sent"),
                name="notification_inapp_delivered",
            ),
        ]
        indexes = [
            # The sweep: READY rows past their next attempt, SENDING rows claimed long ago.
            models.Index(fields=["state", "next_attempt_at"], name="notification_sweep_idx"),
            models.Index(fields=["state", "created_at"], name="notification_state_created_idx"),
            # The bell: unread in-app rows of one person.
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_bell_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"


class FailedNotification(Notification):
    """The same rows, as the admin's list of letters that could not be delivered."""

    class Meta:
        proxy = True
        verbose_name = _("failed notification")
        verbose_name_plural = _("failed notifications")


class NotificationPreference(TimeStamped):
    """Whether a person also wants an e-mail for one kind; no row means yes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    email = models.BooleanField(_("also by e-mail"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()} ({'e-mail' if self.email else 'in-app'})"
