"""Programmes and the organisations that apply to them: the definition every case is filed under."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import limits
from core.limits import LineField
from core.models import TimeStamped

# The longest status a programme may grant: every year of it gets its planned events.
MAX_STATUS_TERM_YEARS = 10


class ReviewShape(models.TextChoices):
    """The named shapes of an application's review; each is one flow class of
    `applications.flows` (docs/decisions.md wt-f)."""

    CHECK_COUNCIL_ORDER = "check_council_order", _("Completeness check, council, department order")
    CHECK_COUNCIL = "check_council", _("Completeness check, council (its decision settles it)")


class Applicants(models.TextChoices):
    """Who files an application to a programme."""

    ORGANISATIONS = "organisations", _("An organisation (its coordinator acts for it)")
    PERSONS = "persons", _("A person (a teacher applies in his own name)")


# Grounds the engine itself uses: the holder's request, and the council's proposal on missed
# reports (statuses.council). A programme may relabel them, not take them away.
RESERVED_GROUNDS = ("request", "reports")
_GROUND_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def _validate_termination_grounds(value) -> None:
    from programmes.formdef import text

    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValidationError(_("List the grounds as objects with a code and a label."))
    errors, seen = [], set()
    for item in value:
        code = item.get("code", "")
        if not isinstance(code, str) or not _GROUND_CODE.match(code):
            errors.append(
                _("Grounds code %(code)r: up to 32 lower-case Latin letters, digits and “_”.")
                % {"code": code}
            )
            continue
        if code in seen:
            errors.append(_("Grounds %(code)s are listed twice.") % {"code": code})
        seen.add(code)
        if not text(item.get("label")):
            errors.append(_("Grounds %(code)s need a label.") % {"code": code})
    if errors:
        raise ValidationError(errors)


class Program(TimeStamped):
    """One regime (e.g. Tomsk network platforms) with its rules."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = LineField(_("title"), max_length=limits.LINE)
    council_name = LineField(_("council"), max_length=limits.LINE)
    authority_name = LineField(_("approving authority"), max_length=limits.LINE)
    status_name = LineField(_("status granted"), max_length=limits.LINE)
    status_term_years = models.PositiveSmallIntegerField(
        _("status term, academic years"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STATUS_TERM_YEARS)],
    )
    academic_year_start_month = models.PositiveSmallIntegerField(
        _("month the academic year starts"), default=9
    )
    registration_prefix = models.CharField(_("registration number prefix"), max_length=16)
    document_place = LineField(
        _("place of issue of documents"),
        max_length=limits.LINE,
        blank=True,
        help_text=_("Printed on the programme's documents, e.g. “г. Томск”."),
    )
    is_active = models.BooleanField(_("accepting applications"), default=True)
    # Klin 4.1: a programme created by an order is ended by one; then it accepts nothing.
    liquidated_on = models.DateField(_("liquidated on"), null=True, blank=True, editable=False)
    liquidation_order = LineField(
        _("liquidation order"), max_length=limits.LINE, blank=True, editable=False
    )
    applicants = models.CharField(
        _("who applies"),
        max_length=16,
        choices=Applicants.choices,
        default=Applicants.ORGANISATIONS,
    )
    review_shape = models.CharField(
        _("review of applications"),
        max_length=32,
        choices=ReviewShape.choices,
        default=ReviewShape.CHECK_COUNCIL_ORDER,
        help_text=_(
            "Applications submitted from now on follow this review; cases already under "
            "review finish the review they started."
        ),
    )
    termination_grounds = models.JSONField(
        _("grounds for early termination"),
        default=list,
        blank=True,
        validators=[_validate_termination_grounds],
        help_text=_(
            "The grounds on which a methodist may bring the early termination of a status "
            'before the council: [{"code": "ethics", "label": {"ru": "...", "en": "..."}}]. '
            "Empty: the engine's (reports missed, the plan not fulfilled, reorganisation). "
            "The holder's own request and missed reports are always possible."
        ),
    )
    takes_proposals = models.BooleanField(
        _("holders make proposals to the council"),
        default=False,
        help_text=_(
            "Beside problems, holders of its statuses send proposals, which the council "
            "considers at a meeting."
        ),
    )
    keeps_practice_bank = models.BooleanField(
        _("keeps a bank of best practice"),
        default=False,
        help_text=_(
            "Holders of its statuses submit their practices; its secretaries approve them on "
            "the council's behalf; approved ones are published in the open catalogue."
        ),
    )
    drafts_agreement = models.BooleanField(
        _("draft a cooperation agreement at grant"),
        default=False,
        help_text=_(
            "When a status is granted, draft the agreement of the school, the methodical "
            "office and the partners named in the application."
        ),
    )

    class Meta:
        db_table = "workflows_program"
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    academic_year_start_month__gte=1, academic_year_start_month__lte=12
                ),
                name="program_ay_month_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status_term_years__gte=1), name="program_term_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(review_shape__in=["check_council_order", "check_council"]),
                name="program_review_shape_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(applicants__in=["organisations", "persons"]),
                name="program_applicants_valid",
            ),
        ]

    @property
    def for_persons(self) -> bool:
        """A person applies in his own name; no organisation stands behind the case."""
        return self.applicants == Applicants.PERSONS

    @property
    def settled_by_council(self) -> bool:
        """The council's decision grants the status; no order of an authority follows."""
        return self.review_shape != ReviewShape.CHECK_COUNCIL_ORDER

    def __str__(self):
        return self.title


class Organisation(TimeStamped):
    name = LineField(_("full name"), max_length=limits.ORGANISATION_NAME)
    short_name = LineField(_("short name"), max_length=limits.ORGANISATION_SHORT_NAME)
    address = LineField(_("address"), max_length=limits.LINE, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="OrganisationMembership", related_name="organisations"
    )
    # Set when the applicant is a person in his own name (programmes.services.person_applicant):
    # the same record carries his cases, journals and statuses as an organisation's would.
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applicant_self",
        verbose_name=_("the person applying in his own name"),
    )

    class Meta:
        db_table = "workflows_organisation"
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name


class OrganisationMembership(TimeStamped):
    """Who may act for an organisation (its platform coordinator)."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.COORDINATOR
    )

    class Meta:
        db_table = "workflows_organisationmembership"
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation}"


class ProgrammeStaff(TimeStamped):
    """A person serving one programme in one staff role (a role is a group of permissions).

    What the role allows, the person may do for this programme's cases and for no other's: a
    Tomsk methodist sees no case of the Klin workshop. One person may serve several programmes,
    in the same role or in different ones. Adding a row puts the person in the role's group;
    removing their last row of a role takes them out of it (programmes.services).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="programme_roles",
        verbose_name=_("person"),
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="staff", verbose_name=_("programme")
    )
    group = models.ForeignKey(
        "auth.Group", on_delete=models.PROTECT, related_name="+", verbose_name=_("role")
    )

    class Meta:
        verbose_name = _("programme staff member")
        verbose_name_plural = _("programme staff")
        ordering = ["program", "group", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "group"], name="programme_staff_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.group} — {self.program}"


class FormVersion(TimeStamped):
    """One version of a programme's application form, as data (programmes.formdef).

    A case keeps the version it was filed with: a new version is a new row, and a version
    that cases were filed with is never changed (programmes.services)."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="form_versions",
        verbose_name=_("programme"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    definition = models.JSONField(
        _("form definition"),
        help_text=_("Sections and fields of the application form (docs/programmes.md)."),
    )
    note = LineField(_("what changed"), max_length=limits.LINE, blank=True)

    class Meta:
        verbose_name = _("application form version")
        verbose_name_plural = _("application form versions")
        ordering = ["program", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="form_version_unique")
        ]

    def __str__(self):
        return f"{self.program.code} v{self.number}"
