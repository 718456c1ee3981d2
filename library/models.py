"""The bank of best practice of a programme's members (Klin 4.4, 4.5, 6.2): a member submits a
practice with its materials; her consent to publication is a signed document of its own; the
programme's secretary, on the council's behalf, approves it (or marks it recommended for
dissemination) or returns it with comments; approved practices form an open catalogue.

Each version is immutable (a returned practice is resubmitted as a new version); withdrawal by
the author takes it out of the catalogue and keeps its history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import limits
from core.limits import LineField
from core.models import TimeStamped


class Level(models.TextChoices):
    PRESCHOOL = "preschool", _("Pre-school education")
    PRIMARY = "primary", _("Primary general education")
    BASIC = "basic", _("Basic general education")
    SECONDARY = "secondary", _("Secondary general education")
    ADDITIONAL = "additional", _("Additional education")
    TEACHERS = "teachers", _("Professional development of teachers")


class Practice(TimeStamped):
    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Best practice")
        RECOMMENDATION = "recommendation", _("Methodical recommendations, designs, manuals")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Under review")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn by the author")

    program = models.ForeignKey(
        "programmes.Program",
        on_delete=models.PROTECT,
        related_name="practices",
        verbose_name=_("programme"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="practices",
        verbose_name=_("author"),
    )
    # Klin 3.4, 5.4: the methodical recommendations, designs and manuals are a library beside
    # the members' practices, approved and published the same way.
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PRACTICE)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    recommended = models.BooleanField(_("recommended for dissemination"), default=False)
    # The author's signed consent to publication (documents.Document, kind "consent").
    consent = models.OneToOneField(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consent to publication"),
    )
    # The version in the catalogue (the last one approved), none before the first approval.
    published = models.ForeignKey(
        "library.PracticeVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published version"),
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="approved") | models.Q(published__isnull=False),
                name="practice_approved_is_published",
            )
        ]

    def __str__(self):
        latest = self.versions.order_by("-number").first()
        return latest.title if latest else f"#{self.pk}"


class PracticeVersion(models.Model):
    """What was submitted, once: never changed afterwards."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    title = LineField(_("title"), max_length=limits.LINE)
    summary = models.TextField(_("summary"))
    subject = LineField(_("subject"), max_length=limits.LINE)
    level = models.CharField(_("level of education"), max_length=16, choices=Level.choices)
    age_group = LineField(_("age group"), max_length=limits.LINE, blank=True)
    authors = LineField(_("authors"), max_length=limits.LINE, blank=True)
    files = models.ManyToManyField(
        "documents.Document", related_name="+", verbose_name=_("materials")
    )
    # The catalogue's search, case-folded once (SQLite's LIKE folds Latin letters only): the
    # title, summary, subject and authors, and the subject alone.
    search_text = models.TextField(editable=False, default="")
    subject_key = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("submitted"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("version of a practice")
        verbose_name_plural = _("versions of practices")
        ordering = ["practice", "number"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "number"], name="practice_version_unique")
        ]

    def __str__(self):
        return f"{self.title} (v{self.number})"

    def save(self, *args, **kwargs):
        parts = (self.title, self.summary, self.subject, self.authors)
        self.search_text = " ".join(p for p in parts if p).casefold()
        self.subject_key = self.subject.casefold()
        super().save(*args, **kwargs)
