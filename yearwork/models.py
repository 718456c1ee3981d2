"""The programme's own year of work (Klin 3.2, 3.5, 4.4(3), 5.2): its yearly plan, drafted by
the council's secretary from the curated communities' plans and approved at a meeting, with
each member's part in the year's methodical work; and the assignments the approving body gives
the programme, followed up to completion."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import limits
from core.limits import LineField
from core.models import TimeStamped


class WorkPlan(TimeStamped):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AT_COUNCIL = "at_council", _("Before the council")
        APPROVED = "approved", _("Approved")

    program = models.ForeignKey(
        "programmes.Program",
        on_delete=models.PROTECT,
        related_name="work_plans",
        verbose_name=_("programme"),
    )
    academic_year = models.PositiveSmallIntegerField(_("academic year (its first year)"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="draft")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="drafted_work_plans",
        verbose_name=_("drafted by"),
    )
    # The council's last word on it: the approval, or why it came back.
    council_decision = models.TextField(_("council's decision"), blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan of work")
        verbose_name_plural = _("plans of work")
        ordering = ["program", "-academic_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "academic_year"], name="work_plan_one_per_year"
            ),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(approved_on__isnull=False),
                name="work_plan_approved_has_date",
            ),
        ]

    def __str__(self):
        return _("Plan of work for %(y1)s/%(y2)s") % {
            "y1": self.academic_year,
            "y2": self.academic_year + 1,
        }


class WorkPlanItem(TimeStamped):
    """What, by when, who answers for it. An item gathered from a community's plan is that
    item: its execution is marked once, by the community, and read here."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="items")
    title = LineField(_("event"), max_length=limits.LINE)
    due = models.DateField(_("due"))
    responsible = LineField(_("responsible"), max_length=limits.LINE)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_plan_items",
        verbose_name=_("responsible member"),
    )
    source = models.ForeignKey(
        "communities.PlanItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_plan_items",
        verbose_name=_("community's plan item"),
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("item of the plan of work")
        verbose_name_plural = _("items of the plan of work")
        ordering = ["plan", "due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "source"],
                condition=Q(source__isnull=False),
                name="work_plan_item_source_once",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def community(self):
        return self.source.community if self.source_id else None

    @property
    def held_on(self):
        return self.source.done_on if self.source_id else self.done_on

    @property
    def outcome(self) -> str:
        return self.source.result if self.source_id else self.result


class Participation(TimeStamped):
    """The council's proposal of a member's part in the year's methodical work (Klin 4.4(3)),
    approved with the plan."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("member"),
    )
    part = models.TextField(_("part in the methodical work"))

    class Meta:
        verbose_name = _("member's part")
        verbose_name_plural = _("members' parts")
        ordering = ["plan", "member__last_name", "member__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "member"], name="participation_once"),
        ]

    def __str__(self):
        return self.member.get_full_name()


class Assignment(TimeStamped):
    """A task the approving body gives the programme (Klin 3.5: «задания и поручения
    руководства»): due by a date, carried out by a person of the programme, reported, and
    accepted by the one who gave it or returned for more."""

    class State(models.TextChoices):
        OPEN = "open", _("In progress")
        REPORTED = "reported", _("Reported, awaiting acceptance")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATES = (State.OPEN, State.REPORTED)

    program = models.ForeignKey(
        "programmes.Program",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("programme"),
    )
    title = LineField(_("assignment"), max_length=limits.LINE)
    description = models.TextField(_("what is to be done"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments_issued",
        verbose_name=_("given by"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("carried out by"),
    )
    due = models.DateField(_("due"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="open")
    report = models.TextField(_("report on execution"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    comment = models.TextField(_("comment of the one who gave it"), blank=True)
    # The sweep's marks: each letter is sent once.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_told_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due", "id"]
        indexes = [
            models.Index(
                fields=["due"],
                condition=Q(state__in=["open", "reported"]),
                name="assignment_open_due",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES
