"""Councils, their members and rules, meetings with agendas, attendance, votes and protocols."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import limits
from core.limits import LineField
from core.models import TimeStamped


class QuorumRule(models.TextChoices):
    MORE_THAN_HALF = "more_than_half", _("More than half of the members")
    AT_LEAST_HALF = "at_least_half", _("At least half of the members")
    TWO_THIRDS = "two_thirds", _("At least two thirds of the members")


class DecisionRule(models.TextChoices):
    MAJORITY_OF_PRESENT = "majority_of_present", _("Simple majority of the members present")
    MAJORITY_OF_VOTES_CAST = "majority_of_cast", _("More votes for than against")


class TieRule(models.TextChoices):
    CHAIR_DECIDES = "chair_decides", _("The chair's vote decides")
    NOT_ADOPTED = "not_adopted", _("A tie means not adopted")


class Council(TimeStamped):
    """The council of a programme: who sits on it and the rules by which it decides."""

    program = models.OneToOneField(
        "programmes.Program",
        on_delete=models.PROTECT,
        related_name="council",
        verbose_name=_("programme"),
    )
    name = LineField(_("name"), max_length=limits.LINE)
    quorum_rule = models.CharField(
        _("quorum"), max_length=32, choices=QuorumRule.choices, default=QuorumRule.MORE_THAN_HALF
    )
    decision_rule = models.CharField(
        _("decision rule"),
        max_length=32,
        choices=DecisionRule.choices,
        default=DecisionRule.MAJORITY_OF_PRESENT,
    )
    tie_rule = models.CharField(
        _("tie rule"), max_length=32, choices=TieRule.choices, default=TieRule.CHAIR_DECIDES
    )
    min_meetings_per_year = models.PositiveSmallIntegerField(
        _("minimum meetings per year"),
        default=0,
        help_text=_("0: no minimum. The Klin workshop requires at least 3."),
    )
    default_place = LineField(_("usual place of meetings"), max_length=limits.LINE, blank=True)

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CouncilMemberQuerySet(models.QuerySet):
    def on(self, day):
        """Seats whose term covers `day` (open-ended seats have no `valid_until`)."""
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day)
        )


class CouncilMember(TimeStamped):
    """A seat on the council for a term; every role votes."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        DEPUTY_CHAIR = "deputy_chair", _("Deputy chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="council_seats",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    valid_from = models.DateField(_("member from"))
    valid_until = models.DateField(_("member until"), null=True, blank=True)

    objects = CouncilMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["council", "role", "user__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="council_member_term_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user.get_full_name()} ({self.get_role_display().lower()})"


class Meeting(TimeStamped):
    """Заседание: numbered within its calendar year; planned → open → closed, or planned →
    cancelled. A cancelled meeting keeps its number and its agenda as history (see
    `services.meeting_cancel`)."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        REMOTE = "remote", _("Remote")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="meetings")
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    number = models.PositiveIntegerField(_("number"))
    date = models.DateField(_("date"))
    place = LineField(_("place"), max_length=limits.LINE, blank=True)
    format = models.CharField(
        _("format"), max_length=16, choices=Format.choices, default=Format.IN_PERSON
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    notified_count = models.PositiveSmallIntegerField(default=0, editable=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for the cancellation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "year", "number"], name="meeting_number_unique_per_year"
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="meeting_number_pos"),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled")
                | (models.Q(cancelled_at__isnull=False) & ~models.Q(cancel_reason="")),
                name="meeting_cancelled_has_time_and_reason",
            ),
        ]

    def __str__(self):
        return _("Meeting No. %(number)s of %(date)s") % {
            "number": self.number,
            "date": self.date.strftime("%d.%m.%Y"),
        }


class Attendance(TimeStamped):
    """Who was there: a council member (counts for quorum) or an invited guest (does not)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        CouncilMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guest_name = LineField(_("invited guest"), max_length=limits.LINE, blank=True)
    guest_position = LineField(_("position"), max_length=limits.LINE, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=models.Q(member__isnull=False),
                name="attendance_member_once",
            ),
            models.CheckConstraint(
                condition=(models.Q(member__isnull=False) & models.Q(guest_name=""))
                | (models.Q(member__isnull=True) & ~models.Q(guest_name="")),
                name="attendance_member_or_guest",
            ),
        ]

    def __str__(self):
        return self.member.user.get_full_name() if self.member_id else self.guest_name


class AgendaItem(TimeStamped):
    """One question of the agenda: a waiting case (any kind, by generic subject) or a free item.

    Later kinds (reports, renewals, terminations, problem notices) put their case here as the
    subject; what "adopted" means for the case is decided by whoever releases it.
    """

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application for a status")
        REPORT = "report", _("Yearly report")
        RENEWAL = "renewal", _("Renewal")
        TERMINATION = "termination", _("Termination")
        PROBLEM = "problem", _("Problem notice")
        PLAN = "plan", _("Plan of work")
        ANNUAL_REPORT = "annual_report", _("Annual report of the programme")
        SURVEY = "survey", _("Questionnaire results")
        FREE = "free", _("Other question")

    class Status(models.TextChoices):
        PENDING = "pending", _("Not yet considered")
        VOTING = "voting", _("Voting")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", pgettext_lazy("council item", "Adopted")
        NOT_ADOPTED = "not_adopted", pgettext_lazy("council item", "Not adopted")
        POSTPONED = "postponed", pgettext_lazy("council item", "Postponed to the next meeting")

    class Tally(models.TextChoices):
        ELECTRONIC = "electronic", _("Members' votes in Docket")
        PAPER = "paper", _("Paper vote recorded by the secretary")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # A free question as the secretary typed it, or a case's title composed by its subject
    # (the school's name, the topic...): no limit here, the forms limit what is typed.
    title = LineField(_("question"))
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    tally = models.CharField(max_length=16, choices=Tally.choices, default=Tally.ELECTRONIC)
    paper_for = models.PositiveSmallIntegerField(null=True, blank=True)
    paper_against = models.PositiveSmallIntegerField(null=True, blank=True)
    paper_abstained = models.PositiveSmallIntegerField(null=True, blank=True)
    paper_chair_vote = models.CharField(max_length=16, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    heard = models.TextField(_("heard"), blank=True)
    spoke = models.TextField(_("spoke"), blank=True)
    decided = models.TextField(_("decided"), blank=True)
    votes_for = models.PositiveSmallIntegerField(_("for"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("against"), default=0)
    abstained = models.PositiveSmallIntegerField(_("abstained"), default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the signed protocol passed the case on."
    )
    decision = models.OneToOneField(
        "workflows.CouncilDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_item",
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="agenda_item_number_unique"),
            models.CheckConstraint(
                condition=models.Q(kind="free")
                | (models.Q(subject_type__isnull=False) & models.Q(subject_id__isnull=False)),
                name="agenda_item_case_has_subject",
            ),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Vote(TimeStamped):
    """One member's vote on one item; changeable until the item is closed."""

    class Choice(models.TextChoices):
        FOR = "for", pgettext_lazy("vote", "For")
        AGAINST = "against", pgettext_lazy("vote", "Against")
        ABSTAIN = "abstain", pgettext_lazy("vote", "Abstain")

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("vote"), max_length=16, choices=Choice.choices)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="vote_once_per_member"),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_choice_display()}"


class Recusal(TimeStamped):
    """A member with a conflict of interest on an item does not vote on it."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="recusals")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="+")
    # Typed by the secretary, or composed with the applicant's name for an automatic one.
    reason = LineField(_("reason"))

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="recusal_once_per_member"),
        ]


class Protocol(TimeStamped):
    """Протокол: a snapshot of the closed meeting (`content`), immutable once signed by the
    chair and the secretary. A correction is a new protocol that points at the one it corrects."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Awaiting signatures")
        SIGNED = "signed", _("Signed")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="protocols")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    content = models.JSONField(_("content"))
    corrects = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correction",
        verbose_name=_("corrects"),
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    document = models.OneToOneField(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("document"),
        help_text="The registered PDF that the chair and the secretary sign (PAdES).",
    )

    class Meta:
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return _("Protocol No. %(number)s of %(date)s") % {
            "number": self.content.get("number", ""),
            "date": self.meeting.date.strftime("%d.%m.%Y"),
        }


class ProtocolSignoff(TimeStamped):
    """The chair's or the secretary's sign-off; both make the protocol signed."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="signoffs")
    role = models.CharField(_("as"), max_length=16, choices=Role.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("protocol sign-off")
        verbose_name_plural = _("protocol sign-offs")
        constraints = [
            models.UniqueConstraint(fields=["protocol", "role"], name="protocol_signoff_once"),
        ]


class Extract(TimeStamped):
    """Выписка из протокола for one item: what the item's case receives."""

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="extracts")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="extracts")
    content = models.JSONField(_("content"))
    document = models.OneToOneField(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("document"),
        help_text="The registered extract, linked to the item's case.",
    )

    class Meta:
        verbose_name = _("extract from the protocol")
        verbose_name_plural = _("extracts from protocols")
        constraints = [
            models.UniqueConstraint(fields=["protocol", "item"], name="extract_once_per_item"),
        ]

    def __str__(self):
        return _("Extract from protocol No. %(number)s, item %(item)s") % {
            "number": self.content.get("number", ""),
            "item": self.item.number,
        }
