"""Applications filed under a programme, their council decisions and the orders that approve them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from viewflow.workflow.models import Process

from core import limits
from core.limits import LineField
from core.models import TimeStamped
from programmes.models import MAX_STATUS_TERM_YEARS, Organisation, Program


class Direction(models.TextChoices):
    """Activity directions of the Tomsk regulation, section I.4."""

    CREATIVE = "creative", _("Creative environment supporting young teachers")
    COMPETENCE = "competence", _("Professional competence of young teachers")


class Application(TimeStamped):
    """Заявка (Приложение 1). Editable only as a draft or when returned for revision."""

    class Kind(models.TextChoices):
        NEW = "new", _("New status")
        RENEWAL = "renewal", _("Renewal of a status")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AT_METHODIST = "at_methodist", _("Being checked by a methodist")
        RETURNED = "returned", _("Returned for revision")
        AT_COUNCIL = "at_council", _("Awaiting the council's decision")
        AT_DEPARTMENT = "at_department", _("Awaiting approval by the department")
        GRANTED = "granted", _("Status granted")
        REFUSED = "refused", _("Refused")

    EDITABLE_STATES = (State.DRAFT, State.RETURNED)
    # Submitted and not yet decided: at most one such case per school and programme
    # (decisions.md 37), so the department never approves two statuses for one school.
    REVIEW_STATES = (State.AT_METHODIST, State.RETURNED, State.AT_COUNCIL, State.AT_DEPARTMENT)

    program = models.ForeignKey(Program, on_delete=models.PROTECT, verbose_name=_("programme"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        verbose_name=_("organisation"),
        related_name="applications",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.NEW)
    # A renewal application names the status it would extend (Kind.RENEWAL only).
    renews = models.ForeignKey(
        "statuses.Status",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal_applications",
        verbose_name=_("renews status"),
    )
    state = models.CharField(
        _("state"), max_length=32, choices=State.choices, default=State.DRAFT, db_index=True
    )
    topic = LineField(_("topic of the platform"), max_length=limits.LINE, blank=True)
    direction = models.CharField(
        _("direction"), max_length=32, choices=Direction.choices, blank=True
    )
    goals = models.TextField(_("goals"), blank=True)
    tasks = models.TextField(_("tasks"), blank=True)
    expected_results = models.TextField(_("expected results"), blank=True)
    responsible_name = LineField(_("responsible person"), max_length=limits.LINE, blank=True)
    responsible_position = LineField(_("position"), max_length=limits.LINE, blank=True)
    responsible_phone = models.CharField(_("phone"), max_length=64, blank=True)
    responsible_email = models.EmailField(_("e-mail"), blank=True)
    partners = models.TextField(
        _("partners"), blank=True, help_text=_("External partners, one per line.")
    )
    # The version of the programme's form it was filed with, and the answers to it. A field the
    # form keeps in a column (its `column`) is read from the column; the rest live here.
    form_version = models.ForeignKey(
        "programmes.FormVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("form version"),
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    attachments = models.ManyToManyField(
        "documents.Document",
        blank=True,
        related_name="+",
        through="ApplicationAttachment",
        verbose_name=_("attachments"),
    )
    reg_number = models.CharField(_("registration number"), max_length=64, blank=True)
    reg_date = models.DateField(_("registration date"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    order = models.ForeignKey(
        "Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("approved by order"),
    )
    process = models.OneToOneField(
        Process, null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        permissions = [
            ("view_all_applications", _("Can see every application")),
            ("check_application", _("Can check an application for completeness")),
            ("decide_application", _("Can record the council's decision")),
            ("approve_application", _("Can approve a decision by order")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "reg_number"],
                condition=~models.Q(reg_number=""),
                name="application_reg_number_unique",
            ),
            models.UniqueConstraint(
                fields=["program", "organisation"],
                condition=models.Q(
                    state__in=["at_methodist", "returned", "at_council", "at_department"]
                ),
                name="one_application_under_review_per_program",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="renewal") & models.Q(renews__isnull=False))
                | (~models.Q(kind="renewal") & models.Q(renews__isnull=True)),
                name="application_renewal_names_status",
            ),
        ]

    def __str__(self):
        return self.reg_number or _("Draft application #%(id)s") % {"id": self.pk}

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES


class ApplicationAttachment(models.Model):
    """A file the application carries, with the kind its form asks for ("" for any other
    file): what a required kind is checked against at submission."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE)
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=64, blank=True, default="")

    class Meta:
        db_table = "workflows_application_attachments"
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        unique_together = [("application", "document")]

    def __str__(self):
        return f"{self.application} — {self.document}"


class PlannedEvent(TimeStamped):
    """A network event the platform promises for one academic year of its status. A draft may
    hold a half-filled row; a submitted application has every row complete (completeness)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="planned_events"
    )
    year_index = models.PositiveSmallIntegerField(_("academic year of the status"))
    title = LineField(_("event"), max_length=limits.LINE, blank=True)
    timing = LineField(
        _("when"),
        max_length=limits.LINE,
        blank=True,
        help_text=_("e.g. “October” or “15.03.2027”"),
    )
    audience = LineField(_("participants"), max_length=limits.LINE, blank=True)

    class Meta:
        verbose_name = _("planned event")
        verbose_name_plural = _("planned events")
        ordering = ["year_index", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_index__gte=1, year_index__lte=MAX_STATUS_TERM_YEARS),
                name="planned_event_year_range",
            )
        ]

    def __str__(self):
        return self.title


class ApplicationSubmission(models.Model):
    """One submission of an application (the first, and each after a return): what was sent,
    frozen as data, and the rendering of the version of the registered print form made from
    it. Never changed afterwards; consecutive snapshots give what changed between them."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="submissions"
    )
    number = models.PositiveSmallIntegerField(_("submission number"))
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    comment = models.TextField(_("what was corrected"), blank=True)
    # selectors.application_snapshot: {"fields": {...}, "events": [...], "attachments": [...]}
    data = models.JSONField(_("data submitted"))
    render = models.ForeignKey(
        "documents.RenderRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rendering of its version"),
    )

    class Meta:
        verbose_name = _("submission of an application")
        verbose_name_plural = _("submissions of applications")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="application_submission_unique"
            )
        ]

    def __str__(self):
        return f"{self.application} #{self.number}"


class CouncilDecision(TimeStamped):
    """What the council decided on an application at one meeting."""

    class Outcome(models.TextChoices):
        GRANTED = "granted", pgettext_lazy("council decision", "Grant the status")
        REFUSED = "refused", pgettext_lazy("council decision", "Refuse to grant")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="council_decisions"
    )
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices)
    reasons = models.TextField(_("reasons"))
    meeting_date = models.DateField(_("meeting date"))
    # The signed protocol the decision took effect by: a status a council's decision settles
    # (no order) names it as its grounds. Empty for decisions recorded before it was kept.
    protocol = models.ForeignKey(
        "councils.Protocol",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("protocol"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("council decision")
        verbose_name_plural = _("council decisions")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_outcome_display()} ({self.meeting_date:%d.%m.%Y})"

    @property
    def grounds(self) -> str:
        """What a status granted by this decision rests on, as printed: «решение совета,
        протокол № 3 от 12.03.2027»."""
        number = self.protocol.content.get("number", "") if self.protocol_id else ""
        if number:
            return _("council decision, protocol No. %(number)s of %(date)s") % {
                "number": number,
                "date": self.meeting_date.strftime("%d.%m.%Y"),
            }
        return _("council decision of %(date)s") % {"date": self.meeting_date.strftime("%d.%m.%Y")}


class Order(TimeStamped):
    """Распоряжение of the approving authority; one order may approve several decisions."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT)
    number = models.CharField(_("order number"), max_length=64)
    date = models.DateField(_("order date"))
    year = models.PositiveSmallIntegerField(editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The order drafted, registered and signed in Docket; empty for an order issued on paper
    # and entered by its number.
    document = models.OneToOneField(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("document"),
    )
    # The cases the drafted order's text lists (one order may grant several schools). Signing
    # approves exactly these, so a case that left the order meanwhile stops the signature.
    listed_applications = models.ManyToManyField(
        "Application",
        blank=True,
        related_name="listed_in_orders",
        verbose_name=_("applications listed"),
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "year", "number"], name="order_number_unique_per_year"
            )
        ]

    def __str__(self):
        return _("Order No. %(number)s of %(date)s") % {
            "number": self.number,
            "date": self.date.strftime("%d.%m.%Y"),
        }


class ApplicationProcess(Process):
    """Proxy so the review flow's process rows are told apart from other flows'."""

    class Meta:
        proxy = True
        verbose_name = _("application review")
        verbose_name_plural = _("application reviews")
