"""The life of a granted status: its terms, the production calendar, its yearly duties.

`workflows.Status` stays the registry row (one per grant, renewals extend it); this app keeps
what happens to it over the years.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Order
from core import limits
from core.limits import LineField
from core.models import TimeStamped
from programmes.formdef import text as definition_text
from programmes.models import Organisation, Program

from . import reportform


class Status(TimeStamped):
    """The granted status. `state` moves only through `statuses.machine`; its terms
    (the first grant and every renewal) are `statuses.StatusTerm` rows, and `valid_from` /
    `valid_until` span them all (first day of the first term, last day of the last one)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        RENEWAL = "renewal", _("Renewal under review")
        SUSPENDED = "suspended", _("Suspended")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    # States in which the organisation holds the status (at most one per programme).
    LIVE_STATES = (State.ACTIVE, State.RENEWAL, State.SUSPENDED)
    FINAL_STATES = (State.EXPIRED, State.TERMINATED)

    program = models.ForeignKey(Program, on_delete=models.PROTECT, verbose_name=_("programme"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="statuses",
        verbose_name=_("organisation"),
    )
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="status")
    # Empty for a programme whose council's decision settles the grant (no order follows it);
    # the first term's application then names the decision (statuses.selectors.grant_grounds).
    order = models.ForeignKey(
        Order,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statuses",
        verbose_name=_("order"),
    )
    # The application's topic, copied when the status is granted.
    topic = LineField(_("topic"), max_length=limits.LINE)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason it ended"), blank=True)

    class Meta:
        db_table = "workflows_status"
        verbose_name = _("status")
        verbose_name_plural = _("statuses")
        ordering = ["organisation__short_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")), name="status_term_valid"
            ),
            models.UniqueConstraint(
                fields=["program", "organisation"],
                condition=models.Q(state__in=["active", "renewal", "suspended"]),
                name="one_live_status_per_program",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["expired", "terminated"], ended_on__isnull=False)
                | (
                    models.Q(state__in=["active", "renewal", "suspended"])
                    & models.Q(ended_on__isnull=True)
                ),
                name="status_ended_iff_final",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} — {self.program.status_name}"

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES

    @property
    def grounds(self) -> str:
        """What the first grant rests on, as shown: the order, or the council's decision."""
        return _grounds_text(self.order, self.application)


def _grounds_text(order, application) -> str:
    """The order as shown, or the council's decision where the programme needs no order."""
    if order is not None:
        return str(order)
    if "council_decisions" in getattr(application, "_prefetched_objects_cache", {}):
        # A list (the register) prefetched the decisions: no query per row.
        granted = [d for d in application.council_decisions.all() if d.outcome == "granted"]
        decision = granted[0] if granted else None
    else:
        decision = (
            application.council_decisions.filter(outcome="granted")
            .select_related("protocol")
            .first()
        )
    return decision.grounds if decision else ""


class CalendarDay(TimeStamped):
    """An exception to "Monday to Friday work": a public holiday, a day off moved by a
    government decree, or a Saturday made a working day. Admins keep it up to date each year."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        DAY_OFF = "day_off", _("Day off (moved by decree)")
        WORKING = "working", _("Working day (moved by decree)")
        SHORT = "short", _("Shortened working day before a holiday")

    NON_WORKING = (Kind.HOLIDAY, Kind.DAY_OFF)

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    note = LineField(_("note"), max_length=limits.LINE, blank=True)

    class Meta:
        verbose_name = _("production calendar day")
        verbose_name_plural = _("production calendar")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d.%m.%Y} {self.get_kind_display()}"

    @property
    def is_working(self) -> bool:
        return self.kind not in self.NON_WORKING


def _validate_offsets(value: str) -> None:
    try:
        offsets = [int(part) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise ValidationError(_("List whole numbers of working days, e.g. “14, 3”.")) from exc
    if any(n < 1 or n > 60 for n in offsets):
        raise ValidationError(_("Each reminder must be 1 to 60 working days before."))


def _validate_report_form(value) -> None:
    errors = reportform.definition_errors(value)
    if errors:
        raise ValidationError(errors)


class DutySchedule(TimeStamped):
    """A programme's reporting calendar: when the yearly plan and report are due, when to
    remind, how long to wait before the council hears of a missed one, when to invite renewal.
    A programme without a row uses the defaults (the Tomsk regulation's)."""

    program = models.OneToOneField(
        "programmes.Program",
        on_delete=models.CASCADE,
        related_name="duty_schedule",
        verbose_name=_("programme"),
    )
    asks_plan = models.BooleanField(
        _("a yearly work plan is due"),
        default=True,
        help_text=_("Off: the holder owes only the yearly report."),
    )
    plan_due_month = models.PositiveSmallIntegerField(
        _("work plan due: month"),
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    plan_due_day = models.PositiveSmallIntegerField(
        _("work plan due: day"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    first_plan_working_days = models.PositiveSmallIntegerField(
        _("first plan due, working days after the grant"),
        default=10,
        help_text=_("For a year whose plan date has passed when the status is granted."),
    )
    report_due_month = models.PositiveSmallIntegerField(
        _("report due: month"), default=6, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    report_due_day = models.PositiveSmallIntegerField(
        _("report due: day"), default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    reminder_working_days = models.CharField(
        _("reminders, working days before the deadline"),
        max_length=64,
        default="14,3",
        validators=[_validate_offsets],
        help_text=_("Comma-separated, e.g. “14, 3”."),
    )
    grace_working_days = models.PositiveSmallIntegerField(
        _("grace period before the council is told, working days"), default=5
    )
    renewal_invite_months = models.PositiveSmallIntegerField(
        _("invite to renew, months before expiry"), default=6
    )
    plan_name = LineField(
        _("name of the yearly plan"),
        max_length=limits.LINE,
        blank=True,
        help_text=_("As the regulation calls it, e.g. “План работы”; empty: the engine's."),
    )
    report_name = LineField(
        _("name of the yearly report"),
        max_length=limits.LINE,
        blank=True,
        help_text=_("As the regulation calls it, e.g. “Самоанализ”; empty: the engine's."),
    )
    report_form = models.JSONField(
        _("the report's indicators"),
        default=dict,
        blank=True,
        validators=[_validate_report_form],
        help_text=_(
            "The fields of the yearly report as a form definition (docs/programmes.md); "
            "empty: the engine's four counts and four texts."
        ),
    )

    class Meta:
        verbose_name = _("reporting calendar")
        verbose_name_plural = _("reporting calendars")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan_due_month__gte=1, plan_due_month__lte=12)
                & models.Q(report_due_month__gte=1, report_due_month__lte=12)
                & models.Q(plan_due_day__gte=1, plan_due_day__lte=31)
                & models.Q(report_due_day__gte=1, report_due_day__lte=31),
                name="duty_schedule_dates_valid",
            )
        ]

    def __str__(self):
        return str(self.program)

    @property
    def reminder_offsets(self) -> list[int]:
        """Largest first: 14 working days before, then 3."""
        return sorted(
            {int(p) for p in self.reminder_working_days.split(",") if p.strip()}, reverse=True
        )


class StatusTerm(TimeStamped):
    """One term of a status: the first grant, then each renewal. Terms are a chain (each
    names the one it continues), so two terms of one status can never both be "the first" or
    continue the same term; the service starts a renewal term the day after the previous one
    ends, so the terms neither overlap nor leave a gap."""

    status = models.ForeignKey(
        "statuses.Status", on_delete=models.CASCADE, related_name="terms", verbose_name=_("status")
    )
    number = models.PositiveSmallIntegerField(_("term No."))
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_term",
        verbose_name=_("continues term"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    application = models.OneToOneField(
        "workflows.Application",
        on_delete=models.PROTECT,
        related_name="status_term",
        verbose_name=_("application"),
    )
    # Empty when the council's decision settled the term (see Status.order).
    order = models.ForeignKey(
        "workflows.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("order"),
    )

    class Meta:
        verbose_name = _("status term")
        verbose_name_plural = _("status terms")
        ordering = ["status", "number"]
        constraints = [
            models.UniqueConstraint(fields=["status", "number"], name="status_term_number_unique"),
            models.UniqueConstraint(
                fields=["status", "valid_from"], name="status_term_start_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="status_term_dates_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(number=1, previous__isnull=True)
                | models.Q(number__gt=1, previous__isnull=False),
                name="status_term_chain",
            ),
        ]

    @property
    def grounds(self) -> str:
        """What this term rests on: its order, or the council's decision (see Status.grounds)."""
        return _grounds_text(self.order, self.application)

    def __str__(self):
        return _("Term %(number)s: %(start)s–%(end)s") % {
            "number": self.number,
            "start": self.valid_from.strftime("%d.%m.%Y"),
            "end": self.valid_until.strftime("%d.%m.%Y"),
        }


class Duty(TimeStamped):
    """One yearly obligation of a status: the work plan or the analytical report of one
    academic year. Created when a term starts; its state follows its latest submission."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("Work plan")
        REPORT = "report", _("Analytical report (Appendix 2)")

    class State(models.TextChoices):
        PENDING = "pending", _("Not submitted")
        AT_METHODIST = "at_methodist", _("Being checked by a methodist")
        RETURNED = "returned", _("Returned for revision")
        AT_COUNCIL = "at_council", _("Awaiting the council")
        ACCEPTED = "accepted", _("Accepted")
        CANCELLED = "cancelled", _("Cancelled (the status ended)")

    # The holder still owes something: reminders and missed-deadline notices apply.
    OWED_STATES = (State.PENDING, State.RETURNED)
    OPEN_STATES = (State.PENDING, State.RETURNED, State.AT_METHODIST, State.AT_COUNCIL)

    status = models.ForeignKey(
        "statuses.Status",
        on_delete=models.CASCADE,
        related_name="duties",
        verbose_name=_("status"),
    )
    term = models.ForeignKey(
        StatusTerm, on_delete=models.CASCADE, related_name="duties", verbose_name=_("term")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The programme's name for it at the time it was set (DutySchedule.plan_name/report_name);
    # empty: the kind's.
    title = LineField(_("title"), max_length=limits.LINE, blank=True)
    academic_year = models.PositiveSmallIntegerField(_("academic year (first calendar year)"))
    year_index = models.PositiveSmallIntegerField(_("year of the term"))
    due_date = models.DateField(_("due"), db_index=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    # Which reminders went out (working days before), so each is sent once.
    reminders_sent = models.JSONField(_("reminders sent"), default=list, blank=True)
    missed_at = models.DateTimeField(_("missed notice sent"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("council told"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("yearly duty")
        verbose_name_plural = _("yearly duties")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status", "academic_year", "kind"], name="duty_unique_per_year"
            ),
        ]

    def __str__(self):
        from applications.rules import academic_year_label

        return f"{self.title or self.get_kind_display()} {academic_year_label(self.academic_year)}"


class Submission(TimeStamped):
    """One submission of a duty: the holder fills the form and sends it; a methodist checks
    it; the council accepts or returns it. A returned submission stays as it was; the holder
    sends a new one. An agenda item of a council meeting can point at this row (content type
    `statuses.submission` and its id): `services.submission_council_decide` records the
    council's word on it."""

    class State(models.TextChoices):
        AT_METHODIST = "at_methodist", _("Being checked by a methodist")
        AT_COUNCIL = "at_council", _("Awaiting the council")
        RETURNED = "returned", _("Returned for revision")
        ACCEPTED = "accepted", _("Accepted")

    OPEN_STATES = (State.AT_METHODIST, State.AT_COUNCIL)

    duty = models.ForeignKey(
        Duty, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("duty")
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.AT_METHODIST
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    summary = models.TextField(_("summary"))
    # Counts of the analytical report (Appendix 2); empty on a work plan.
    events_held = models.PositiveIntegerField(_("events held"), null=True, blank=True)
    young_teachers = models.PositiveIntegerField(
        _("young teachers taking part"), null=True, blank=True
    )
    schools = models.PositiveIntegerField(_("schools taking part"), null=True, blank=True)
    mentors = models.PositiveIntegerField(_("mentors"), null=True, blank=True)
    outputs = models.TextField(_("outputs and publications"), blank=True)
    dissemination = models.TextField(_("dissemination of experience"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    # The report's answers by field name, and the report form they answer (the reporting
    # calendar's at the time): a later change of the form does not rewrite what was sent.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    form = models.JSONField(_("report form"), default=dict, blank=True)
    attachments = models.ManyToManyField(
        "documents.Document", blank=True, related_name="+", verbose_name=_("attachments")
    )
    methodist_comment = models.TextField(_("methodist's comment"), blank=True)
    council_comment = models.TextField(_("council's decision"), blank=True)
    council_meeting_date = models.DateField(_("meeting date"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["duty", "number"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "number"], name="submission_number_unique"),
            models.UniqueConstraint(
                fields=["duty"],
                condition=models.Q(state__in=["at_methodist", "at_council"]),
                name="one_open_submission_per_duty",
            ),
        ]

    def __str__(self):
        return f"{self.duty} #{self.number}"


class SubmissionEvent(models.Model):
    """A row of the plan (what, when, for whom) or of the report (plan vs actual)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    title = LineField(_("event"), max_length=limits.LINE)
    planned = LineField(_("planned for"), max_length=limits.LINE)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    deviation = models.TextField(_("deviation from the plan"), blank=True)
    reason = models.TextField(_("reason for the deviation"), blank=True)

    class Meta:
        verbose_name = _("event of a plan or report")
        verbose_name_plural = _("events of a plan or report")
        ordering = ["id"]

    def __str__(self):
        return self.title


class TerminationCase(TimeStamped):
    """Early termination (Tomsk regulation): asked for by the holder, or decided by the council
    on grounds; either way it takes effect only by a department order. The council's step and
    the department's are recorded here, so an agenda item can point at this row."""

    class Grounds(models.TextChoices):
        REQUEST = "request", _("At the holder's request")
        REPORTS = "reports", _("Reports missed or rejected")
        PLAN = "plan", _("The work plan is not fulfilled")
        REORGANISATION = "reorganisation", _("Reorganisation of the organisation")

    class State(models.TextChoices):
        AT_COUNCIL = "at_council", _("Awaiting the council")
        AT_DEPARTMENT = "at_department", _("Awaiting approval by the department")
        APPROVED = "approved", _("Approved: the status is terminated")
        REJECTED = "rejected", _("Rejected")

    OPEN_STATES = (State.AT_COUNCIL, State.AT_DEPARTMENT)

    status = models.ForeignKey(
        "statuses.Status",
        on_delete=models.CASCADE,
        related_name="termination_cases",
        verbose_name=_("status"),
    )
    # A code: the engine's (Grounds) or one of the programme's own (Program.termination_grounds).
    grounds = models.CharField(_("grounds"), max_length=32)
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    council_comment = models.TextField(_("council's decision"), blank=True)
    council_meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    department_comment = models.TextField(_("department's comment"), blank=True)
    order = models.ForeignKey(
        "workflows.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("order"),
    )

    class Meta:
        verbose_name = _("early termination")
        verbose_name_plural = _("early terminations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(state__in=["at_council", "at_department"]),
                name="one_open_termination_per_status",
            ),
            # Approved by an order, or (a programme whose council settles its cases) by the
            # decision of a council meeting.
            models.CheckConstraint(
                condition=~models.Q(state="approved")
                | models.Q(order__isnull=False)
                | models.Q(council_meeting_date__isnull=False),
                name="termination_approved_by_order_or_council",
            ),
        ]

    def __str__(self):
        return f"{self.status}: {self.grounds_label}"

    @property
    def grounds_label(self) -> str:
        return grounds_label(self.status.program, self.grounds)


def grounds_label(program, code: str) -> str:
    """The grounds as people read them: the programme's label, else the engine's."""
    for item in program.termination_grounds or []:
        if item.get("code") == code:
            return definition_text(item.get("label"))
    try:
        return str(TerminationCase.Grounds(code).label)
    except ValueError:
        return code


def grounds_choices(program) -> list[tuple[str, str]]:
    """The grounds on which staff may bring a termination before the council: the
    programme's, else the engine's; never the holder's request (the holder asks himself)."""
    own = program.termination_grounds or [{"code": code} for code in TerminationCase.Grounds.values]
    return [
        (item["code"], grounds_label(program, item["code"]))
        for item in own
        if item["code"] != TerminationCase.Grounds.REQUEST
    ]


class ProblemNotice(TimeStamped):
    """The holder tells the council of a problem that may disrupt the platform; the council's
    decision on it is recorded (by its secretary, or later by the meeting's agenda item)."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("Problem")
        # Klin 3.5, 4.4 (4): a member's proposal to improve the methodical work, which the
        # council considers and puts before the authority.
        PROPOSAL = "proposal", _("Proposal")

    class State(models.TextChoices):
        AT_COUNCIL = "at_council", _("Awaiting the council")
        CONSIDERED = "considered", _("Considered by the council")

    status = models.ForeignKey(
        "statuses.Status",
        on_delete=models.CASCADE,
        related_name="problem_notices",
        verbose_name=_("status"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PROBLEM)
    description = models.TextField(_("problem"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.AT_COUNCIL
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    council_decision = models.TextField(_("council's decision"), blank=True)
    council_meeting_date = models.DateField(_("meeting date"), null=True, blank=True)

    class Meta:
        verbose_name = _("problem notice")
        verbose_name_plural = _("problem notices")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="at_council")
                | (~models.Q(council_decision="") & models.Q(council_meeting_date__isnull=False)),
                name="problem_considered_has_decision",
            )
        ]

    def __str__(self):
        return self.description[:80]


class NetworkReport(TimeStamped):
    """The network's yearly analytical report (Tomsk II.3в): compiled from every platform
    report the council accepted for one academic year, kept as a snapshot so what the council
    reviews does not change under it. An agenda item can point at this row."""

    class State(models.TextChoices):
        AT_COUNCIL = "at_council", _("Awaiting the council")
        ACCEPTED = "accepted", _("Accepted by the council")

    program = models.ForeignKey(
        "programmes.Program", on_delete=models.PROTECT, verbose_name=_("programme")
    )
    academic_year = models.PositiveSmallIntegerField(_("academic year (first calendar year)"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.AT_COUNCIL
    )
    data = models.JSONField(_("compiled data"), default=dict)
    compiled_at = models.DateTimeField(_("compiled"))
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    council_comment = models.TextField(_("council's decision"), blank=True)
    council_meeting_date = models.DateField(_("meeting date"), null=True, blank=True)

    class Meta:
        verbose_name = _("network yearly report")
        verbose_name_plural = _("network yearly reports")
        ordering = ["-academic_year", "program"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "academic_year"], name="network_report_unique_per_year"
            )
        ]

    def __str__(self):
        from applications.rules import academic_year_label

        return _("Network report %(year)s") % {"year": academic_year_label(self.academic_year)}


class AgreementSettings(TimeStamped):
    """Who signs cooperation agreements for the methodical office (МАУ ИМЦ in Tomsk) in a
    programme. Without a row (or a signer) the office's signer is the first active methodist."""

    program = models.OneToOneField(
        "programmes.Program",
        on_delete=models.CASCADE,
        related_name="agreement_settings",
        verbose_name=_("programme"),
    )
    office_name = LineField(
        _("methodical office"),
        max_length=limits.ORGANISATION_NAME,
        help_text=_("The party of the agreement, e.g. “МАУ ИМЦ г. Томска”."),
    )
    office_signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signs for the office"),
        help_text=_("A methodist with a signing certificate."),
    )
    office_signer_position = LineField(
        _("position of the office's signer"), max_length=limits.LINE, blank=True
    )

    class Meta:
        verbose_name = _("cooperation agreement settings")
        verbose_name_plural = _("cooperation agreement settings")

    def __str__(self):
        return self.office_name


class Agreement(TimeStamped):
    """The cooperation agreement of a status (Tomsk III.3), or a supplementary agreement that
    adds partners to it. Its document is the print form the parties sign; it is registered in
    the agreement journal when the last party has signed."""

    class State(models.TextChoices):
        SIGNING = "signing", _("Being signed")
        REGISTERED = "registered", _("Signed by all parties and registered")

    status = models.ForeignKey(
        "statuses.Status",
        on_delete=models.CASCADE,
        related_name="agreements",
        verbose_name=_("status"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplements",
        verbose_name=_("supplements the agreement"),
    )
    number = models.PositiveSmallIntegerField(
        _("supplement No."), default=0, help_text=_("0 for the agreement itself.")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SIGNING
    )
    document = models.OneToOneField(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("document"),
    )
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["status", "number"]
        constraints = [
            models.UniqueConstraint(fields=["status", "number"], name="agreement_number_unique"),
            models.CheckConstraint(
                condition=models.Q(number=0, parent__isnull=True)
                | models.Q(number__gt=0, parent__isnull=False),
                name="agreement_supplement_has_parent",
            ),
        ]

    def __str__(self):
        if self.number:
            return _("Supplementary agreement No. %(number)s") % {"number": self.number}
        return str(_("Cooperation agreement"))

    @property
    def is_supplement(self) -> bool:
        return self.parent_id is not None


class AgreementParty(models.Model):
    """A party of an agreement and who signs for it: a user (electronic signature in Docket)
    or, for an outside partner not in Docket, a paper signature a methodist records."""

    class Role(models.TextChoices):
        SCHOOL = "school", _("Status holder")
        OFFICE = "office", _("Methodical office")
        PARTNER = "partner", _("Partner")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    # Copied from the organisation, the office's settings, a partner line of the application
    # or the methodist's form: any of them may be long, and a grant job writes it.
    name = LineField(_("organisation"))
    organisation = models.ForeignKey(
        "programmes.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation in Docket"),
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signs in Docket"),
    )
    signer_name = LineField(_("signer"), blank=True)
    signer_position = LineField(_("signer's position"), blank=True)
    is_new = models.BooleanField(_("joins by this agreement"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    paper_signed_on = models.DateField(_("signed on paper"), null=True, blank=True)
    paper_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paper signature recorded by"),
    )

    class Meta:
        verbose_name = _("party of an agreement")
        verbose_name_plural = _("parties of an agreement")
        ordering = ["agreement", "position", "id"]

    def __str__(self):
        return f"{self.get_role_display()}: {self.name}"


class SweepFailure(TimeStamped):
    """A row that one of the status sweeps failed to handle: the sweep goes on with the others,
    counts the attempts here (one per run), and after STATUS_SWEEP_MAX_ATTEMPTS gives up on
    the row (`given_up_at`), tells the administrators and lists it on the monitoring page until
    one of them sends it round again. Deleted when the sweep handles the row."""

    sweep = models.CharField(_("sweep"), max_length=32)
    model = models.CharField(_("kind of row"), max_length=64)
    object_id = models.PositiveBigIntegerField(_("row"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    given_up_at = models.DateTimeField(_("given up"), null=True, blank=True)

    class Meta:
        verbose_name = _("status sweep failure")
        verbose_name_plural = _("status sweep failures")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sweep", "model", "object_id"], name="sweep_failure_unique"
            )
        ]

    def __str__(self):
        return f"{self.sweep}: {self.model} #{self.object_id}"


class ProgrammeDocument(TimeStamped):
    """A registered document of the programme itself (Klin 4.1, 5.1): the order creating it,
    its Положение, the order liquidating it. Kept here, beside the liquidation, because
    programmes (a lower layer) do not know documents."""

    class Role(models.TextChoices):
        FOUNDING_ORDER = "founding_order", _("Order creating the programme")
        REGULATION = "regulation", _("Regulation (Положение)")
        LIQUIDATION_ORDER = "liquidation_order", _("Order liquidating the programme")
        OTHER = "other", _("Other document")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="documents", verbose_name=_("programme")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    document = models.OneToOneField(
        "documents.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("document")
    )

    class Meta:
        verbose_name = _("document of the programme")
        verbose_name_plural = _("documents of the programme")
        ordering = ["program", "created_at", "id"]

    def __str__(self):
        return f"{self.get_role_display()}: {self.document}"
