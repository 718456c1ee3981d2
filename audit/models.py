"""Append-only audit log. Each row carries an HMAC of itself and of the row before (a keyed
chain: the key is not in the database), and signed checkpoints pin the chain's length and head
outside the database, so an edited, removed, rewritten or truncated log is detectable."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One state change or sensitive read: who, when, what, from which state to which."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    from_state = models.CharField(_("from state"), max_length=32, blank=True)
    to_state = models.CharField(_("to state"), max_length=32, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # HMAC-SHA256 (AUDIT_HMAC_KEY) of the previous event and of this one (audit.services).
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]

    def __str__(self):
        return f"{self.at:%d.%m.%Y %H:%M} {self.action} {self.object_type}#{self.object_id}"


class AuditChainHead(models.Model):
    """Single row locked while appending, so concurrent writers extend the chain in turn."""

    last_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_head_singleton")
        ]

    def __str__(self):
        return self.last_hash


class AuditCheckpoint(models.Model):
    """The chain as it stood at a moment: how many events, which one was last and its MAC.

    Numbered without gaps and chained by MAC (each names the MAC of the one before), sealed with
    AUDIT_HMAC_KEY, printed as a registered PDF signed by Docket's key, and the latest one is
    also written to a file outside the database. `verify_audit` checks the chain against them.
    """

    number = models.PositiveIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("time"))
    event_count = models.PositiveBigIntegerField(_("events"))
    head_id = models.PositiveBigIntegerField(_("last event"))
    head_mac = models.CharField(_("MAC of the last event"), max_length=64)
    prev_mac = models.CharField(_("MAC of the previous checkpoint"), max_length=64)
    # The last event of the checkpoint's own paperwork: the next run skips when nothing followed.
    paper_until_id = models.PositiveBigIntegerField(default=0)
    # The signed PDF (documents.Document, by plain id: audit imports no other app).
    document_id = models.PositiveBigIntegerField(_("document"), null=True, blank=True)
    document_sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self):
        return f"№ {self.number}: {self.event_count} @ {self.at:%d.%m.%Y %H:%M}"
