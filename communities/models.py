"""Curated communities of a programme (Klin 3.1: the problem groups, the Young teacher's school,
the Pedagogical class): each is curated by one of the programme's members, lists its
participants and keeps its plan, whose items are marked done with their result."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import limits
from core.limits import LineField
from core.models import TimeStamped


class Community(TimeStamped):
    class Kind(models.TextChoices):
        PROBLEM_GROUP = "problem_group", _("Problem group")
        YOUNG_TEACHERS = "young_teachers", _("Young teacher's school")
        PEDAGOGICAL_CLASS = "pedagogical_class", _("Pedagogical class")
        OTHER = "other", _("Other community")

    program = models.ForeignKey(
        "programmes.Program",
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name=_("programme"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name = LineField(_("name"), max_length=limits.LINE)
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="curated_communities",
        verbose_name=_("curator"),
    )
    # People taking part, one per line: young teachers and pupils often have no account.
    participants = models.TextField(_("participants"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["program", "kind", "name"]

    def __str__(self):
        return self.name

    @property
    def participant_list(self) -> list[str]:
        return [line.strip() for line in self.participants.splitlines() if line.strip()]


class PlanItem(TimeStamped):
    """An item of the community's plan for an academic year: what, by when, who answers for
    it; marked done with its result."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="plan_items")
    academic_year = models.PositiveSmallIntegerField(_("academic year (its first year)"))
    title = LineField(_("event"), max_length=limits.LINE)
    due = models.DateField(_("due"))
    responsible = LineField(_("responsible"), max_length=limits.LINE)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["community", "academic_year", "due", "id"]

    def __str__(self):
        return self.title
