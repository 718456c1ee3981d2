"""Reads of a status's life: its holders, its history, what is due, the public registry."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import selectors as wf_selectors
from applications.models import Application, CouncilDecision, Order
from audit.models import AuditEvent
from councils.models import ProtocolSignoff
from programmes import access
from programmes.access import APPROVE, CHECK, DECIDE
from programmes.models import Program
from statuses.models import Status

from .models import (
    Duty,
    DutySchedule,
    ProblemNotice,
    StatusTerm,
    Submission,
    TerminationCase,
)


@dataclass(frozen=True)
class GrantGrounds:
    """What a granted status, or one term of it, rests on: the order that approved the
    council's decision, or, where the programme's council settles it, that decision itself."""

    order: Order | None
    decision: CouncilDecision | None
    on: date  # the order's date, or the meeting's: the term starts that day
    signer: object  # who signed it: the official, or the council's chair
    text: str  # as printed: «Распоряжение № 12-р от …» / «решение совета, протокол № 3 от …»


def grant_grounds(*, application: Application) -> GrantGrounds:
    """The grounds of the status or term `application` granted (or is granting)."""
    order = application.order
    if order is not None:
        return GrantGrounds(
            order=order, decision=None, on=order.date, signer=order.signed_by, text=str(order)
        )
    decision = (
        application.council_decisions.filter(outcome=CouncilDecision.Outcome.GRANTED)
        .select_related("protocol", "recorded_by")
        .first()
    )
    if decision is None:
        raise ValueError(f"Application {application.pk} has neither an order nor a grant.")
    chair = (
        ProtocolSignoff.objects.filter(
            protocol_id=decision.protocol_id, role=ProtocolSignoff.Role.CHAIR
        )
        .select_related("signer")
        .first()
        if decision.protocol_id
        else None
    )
    return GrantGrounds(
        order=None,
        decision=decision,
        on=decision.meeting_date,
        signer=chair.signer if chair else decision.recorded_by,
        text=decision.grounds,
    )


def schedule_for(program) -> DutySchedule:
    """The programme's reporting calendar, or the defaults (unsaved) when it has none."""
    found = DutySchedule.objects.filter(program=program).first()
    return found or DutySchedule(program=program)


def status_holders(status: Status):
    """The people who act for the organisation holding the status (its coordinators)."""
    return get_user_model().objects.filter(
        organisationmembership__organisation_id=status.organisation_id, is_active=True
    )


def status_visible_qs(user) -> QuerySet[Status]:
    """Staff who see every case see every status; coordinators their organisations';
    council members their council's programme."""
    return wf_selectors.visible_to(
        Status.objects.select_related("program", "organisation", "order"), user
    )


def status_latest_application(status: Status) -> Application:
    """The application of the status's latest term (the renewal, once there is one)."""
    term = status.terms.select_related("application").order_by("-number").first()
    return term.application if term else status.application


def status_has_event(status: Status, key: str) -> bool:
    return AuditEvent.objects.filter(
        object_type=Status._meta.label_lower, object_id=str(status.pk), data__key=key
    ).exists()


def status_open_renewal(status: Status, user) -> Application | None:
    """The renewal under way, if this user may see it (an unsent draft is the school's)."""
    return (
        wf_selectors.application_visible_qs(user)
        .filter(renews=status)
        .exclude(state__in=[Application.State.GRANTED, Application.State.REFUSED])
        .first()
    )


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    label: str
    subject: str
    comment: str


HISTORY_LABELS = {
    "status.grant": gettext_lazy("Status granted"),
    "status.term_open": gettext_lazy("Term opened with its yearly duties"),
    "status.renewal_invite": gettext_lazy("Invited to apply for renewal"),
    "status.renewal_start": gettext_lazy("Renewal application filed"),
    "status.renewal_grant": gettext_lazy("Renewal approved"),
    "status.renewal_refuse": gettext_lazy("Renewal refused"),
    "status.suspend": gettext_lazy("Suspended"),
    "status.resume": gettext_lazy("Resumed"),
    "status.expire": gettext_lazy("Expired"),
    "status.terminate": gettext_lazy("Terminated early"),
    "status.duties_cancel": gettext_lazy("Outstanding duties cancelled"),
    "duty.submit": gettext_lazy("Sent by the holder"),
    "duty.accept": gettext_lazy("Accepted by a methodist for the council"),
    "duty.return": gettext_lazy("Returned by a methodist"),
    "duty.council_accept": gettext_lazy("Accepted by the council"),
    "duty.council_return": gettext_lazy("Returned by the council"),
    "duty.remind": gettext_lazy("Reminder sent"),
    "duty.missed": gettext_lazy("Deadline missed"),
    "duty.escalate": gettext_lazy("Reported to the council"),
    "termination.request": gettext_lazy("Early termination requested by the holder"),
    "termination.raise": gettext_lazy("Early termination brought before the council"),
    "termination.council_terminate": gettext_lazy("The council terminated the status early"),
    "termination.council_propose": gettext_lazy("The council proposed early termination"),
    "termination.council_support": gettext_lazy("The council supported early termination"),
    "termination.council_reject": gettext_lazy("The council rejected early termination"),
    "termination.approve": gettext_lazy("Early termination approved by order"),
    "termination.department_reject": gettext_lazy("The department refused early termination"),
    "problem.report": gettext_lazy("Problem reported"),
    "problem.decide": gettext_lazy("The council decided on the problem"),
    "agreement.draft": gettext_lazy("Cooperation agreement drafted"),
    "agreement.paper_signature": gettext_lazy("Paper signature of a party recorded"),
    "agreement.register": gettext_lazy("Agreement signed by all parties and registered"),
    "duty.council_agenda": gettext_lazy("Put on the agenda of a council meeting"),
    "duty.council_agenda_cancelled": gettext_lazy(
        "The council meeting was cancelled; the case waits for the next one"
    ),
    "submission.council_agenda": gettext_lazy("Put on the agenda of a council meeting"),
    "submission.council_agenda_cancelled": gettext_lazy(
        "The council meeting was cancelled; the case waits for the next one"
    ),
    "duty.council_keep": gettext_lazy("The council did not propose early termination"),
    "duty.council_postpone": gettext_lazy("Council postponed the case to its next meeting"),
    "submission.council_postpone": gettext_lazy("Council postponed the case to its next meeting"),
    "problemnotice.council_postpone": gettext_lazy(
        "Council postponed the case to its next meeting"
    ),
    "terminationcase.council_postpone": gettext_lazy(
        "Council postponed the case to its next meeting"
    ),
}


def status_history(status: Status) -> list[HistoryEntry]:
    """Every change of the status and of its duties, oldest first, from the audit log."""
    duties = {str(d.pk): d for d in status.duties.all()}
    events = (
        AuditEvent.objects.filter(
            Q(object_type=Status._meta.label_lower, object_id=str(status.pk))
            | Q(object_type=Duty._meta.label_lower, object_id__in=list(duties))
        )
        .select_related("actor")
        .order_by("id")
    )
    rows = []
    for e in events:
        duty = duties.get(e.object_id) if e.object_type == Duty._meta.label_lower else None
        comment = e.comment
        if e.action == "duty.remind":
            comment = _("%(days)s working days before the deadline") % {
                "days": e.data.get("working_days")
            }
        rows.append(
            HistoryEntry(
                at=e.at,
                actor=e.actor.get_full_name() if e.actor else _("system"),
                action=e.action,
                label=str(HISTORY_LABELS.get(e.action, e.action)),
                subject=str(duty) if duty else "",
                comment=comment,
            )
        )
    return rows


def duty_visible_qs(user) -> QuerySet[Duty]:
    return Duty.objects.filter(status__in=status_visible_qs(user)).select_related(
        "status__organisation", "status__program"
    )


def submission_open_for(duty: Duty) -> Submission | None:
    return duty.submissions.filter(state__in=Submission.OPEN_STATES).first()


def _month_bounds(today: date) -> tuple[date, date]:
    return today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])


def dashboard_programs(user) -> list[Program]:
    """The programmes whose dashboard the user may open: those they serve in a staff role."""
    qs = Program.objects.order_by("title")
    if not user.is_authenticated:
        return []
    ids = [access.staff_program_ids(user, perm) for perm in (CHECK, DECIDE, APPROVE)]
    if any(i is None for i in ids):
        return list(qs)
    served = Q(pk__in=[])
    for program_ids in ids:
        served |= Q(pk__in=program_ids)
    return list(qs.filter(served))


def methodist_dashboard(*, program: Program, today: date) -> dict:
    """What a methodist keeps an eye on in one programme: duties due this month, overdue ones,
    submissions waiting for a check or the council, statuses ending this month. One programme
    at a time: each has its own calendar, council and people."""
    first, last = _month_bounds(today)
    live = Q(status__state__in=Status.LIVE_STATES, status__program=program)
    base = Duty.objects.filter(live).select_related("status__organisation", "status__program")
    submissions = Submission.objects.filter(duty__status__program=program).select_related(
        "duty__status__organisation"
    )
    return {
        "program": program,
        "due": base.filter(state__in=Duty.OWED_STATES, due_date__gte=today, due_date__lte=last),
        "overdue": base.filter(state__in=Duty.OWED_STATES, due_date__lt=today),
        "to_check": submissions.filter(state=Submission.State.AT_METHODIST).order_by(
            "submitted_at"
        ),
        "at_council": submissions.filter(state=Submission.State.AT_COUNCIL).order_by(
            "submitted_at"
        ),
        "problems": ProblemNotice.objects.filter(
            state=ProblemNotice.State.AT_COUNCIL, status__program=program
        )
        .select_related("status__organisation")
        .order_by("created_at"),
        "terminations": TerminationCase.objects.filter(
            state__in=TerminationCase.OPEN_STATES, status__program=program
        )
        .select_related("status__organisation", "status__program")
        .order_by("created_at"),
        "expiring": Status.objects.filter(
            program=program,
            state__in=Status.LIVE_STATES,
            valid_until__gte=first,
            valid_until__lte=last,
        ).select_related("organisation", "program"),
        "month_start": first,
        "month_end": last,
    }


# --- The public registry --------------------------------------------------------------------

# Only these fields leave the building: no people, no contacts (152-ФЗ).
PUBLIC_COLUMNS = [
    ("organisation", gettext_lazy("Organisation")),
    ("programme", gettext_lazy("Programme")),
    ("status", gettext_lazy("Status")),
    ("topic", gettext_lazy("Topic")),
    ("state", gettext_lazy("State")),
    ("valid_from", gettext_lazy("Valid from")),
    ("valid_until", gettext_lazy("Valid until")),
    ("order", gettext_lazy("Grounds of the grant")),
]


def public_registry_qs(*, program_code: str = "", year: int | None = None) -> QuerySet[Status]:
    """Statuses in force (a renewal under review keeps its status in force), optionally of
    one programme and valid at some point of one calendar year."""
    qs = Status.objects.filter(
        state__in=[Status.State.ACTIVE, Status.State.RENEWAL]
    ).select_related("program", "organisation", "order")
    if program_code:
        qs = qs.filter(program__code=program_code)
    if year:
        qs = qs.filter(valid_from__lte=date(year, 12, 31), valid_until__gte=date(year, 1, 1))
    return qs.order_by("program__title", "organisation__short_name")


def public_registry_rows(qs) -> list[dict]:
    """Public fields only; the grounds are those of the current term (its order, or the
    council's decision where no order follows it)."""
    qs = qs.prefetch_related(
        Prefetch(
            "terms",
            queryset=StatusTerm.objects.select_related("order", "application").order_by("-number"),
        )
    )
    rows = []
    for s in qs:
        terms = list(s.terms.all())
        grounds = terms[0].grounds if terms else s.grounds
        rows.append(
            {
                # A person's name is his personal data (152-ФЗ): the open registry names
                # organisations only; staff see the person in their own registry.
                "organisation": (
                    _("A person (the name is not published)")
                    if s.organisation.person_id
                    else s.organisation.name
                ),
                "programme": s.program.title,
                "status": s.program.status_name,
                "topic": s.topic,
                "state": s.get_state_display(),
                "valid_from": s.valid_from,
                "valid_until": s.valid_until,
                "order": grounds,
            }
        )
    return rows


# --- The network's yearly report ------------------------------------------------------------

NETWORK_COUNTS = ("events_held", "young_teachers", "schools", "mentors")


def network_report_compile_data(*, program, academic_year: int) -> dict:
    """Everything the network's yearly report says, from the platform reports the council
    accepted for that academic year (the latest accepted submission of each), plus the
    platforms whose report is not accepted. JSON-ready: it is stored as the report's snapshot."""
    accepted = (
        Submission.objects.filter(
            state=Submission.State.ACCEPTED,
            duty__kind=Duty.Kind.REPORT,
            duty__academic_year=academic_year,
            duty__status__program=program,
        )
        .select_related("duty__status__organisation")
        .prefetch_related("events")
        .order_by("duty__status__organisation__short_name", "-number")
    )
    platforms, seen = [], set()
    for s in accepted:
        if s.duty_id in seen:
            continue
        seen.add(s.duty_id)
        events = list(s.events.all())
        platforms.append(
            {
                "organisation": s.duty.status.organisation.short_name,
                "topic": s.duty.status.topic,
                **{name: getattr(s, name) or 0 for name in NETWORK_COUNTS},
                "events_listed": len(events),
                "deviations": [
                    {"event": e.title, "deviation": e.deviation, "reason": e.reason}
                    for e in events
                    if e.deviation.strip()
                ],
                "outputs": s.outputs,
                "dissemination": s.dissemination,
                "problems": s.problems,
                "proposals": s.proposals,
            }
        )
    missing = (
        Duty.objects.filter(
            kind=Duty.Kind.REPORT, academic_year=academic_year, status__program=program
        )
        .exclude(state__in=[Duty.State.ACCEPTED, Duty.State.CANCELLED])
        .select_related("status__organisation")
        .order_by("status__organisation__short_name")
    )
    return {
        "academic_year": academic_year,
        "platforms": platforms,
        "totals": {name: sum(p[name] for p in platforms) for name in NETWORK_COUNTS},
        "missing": [
            {"organisation": d.status.organisation.short_name, "state": str(d.get_state_display())}
            for d in missing
        ],
    }


def network_report_charts(data: dict) -> list[dict]:
    """Bars per platform for each count, as percentages of the largest, for inline SVG."""
    labels = {
        "events_held": gettext_lazy("Events held"),
        "young_teachers": gettext_lazy("Young teachers taking part"),
        "schools": gettext_lazy("Schools taking part"),
        "mentors": gettext_lazy("Mentors"),
    }
    charts = []
    for name in NETWORK_COUNTS:
        top = max([p[name] for p in data.get("platforms", [])] or [0]) or 1
        charts.append(
            {
                "title": str(labels[name]),
                "total": data.get("totals", {}).get(name, 0),
                "bars": [
                    {
                        "label": p["organisation"],
                        "value": p[name],
                        "width": round(100 * p[name] / top, 1),
                        "y": 24 * i,
                    }
                    for i, p in enumerate(data.get("platforms", []))
                ],
                "height": 24 * max(len(data.get("platforms", [])), 1),
            }
        )
    return charts


def sweep_failures_given_up() -> list[dict]:
    """For the monitoring page: rows a status sweep gave up on, with what they are."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .models import SweepFailure
    from .notify import SWEEP_TITLES

    links = {"status": "status-detail", "duty": "duty-detail"}
    rows = []
    for failure in SweepFailure.objects.filter(given_up_at__isnull=False).order_by("given_up_at"):
        name = links.get(failure.model)
        rows.append(
            {
                "failure": failure,
                "title": _(SWEEP_TITLES.get(failure.sweep, failure.sweep)),
                "url": reverse(name, args=[failure.object_id]) if name else "",
            }
        )
    return rows


def status_registry_qs() -> QuerySet[Status]:
    return Status.objects.filter(state__in=Status.LIVE_STATES).select_related(
        "program", "organisation", "order"
    )


def register_programs(user) -> QuerySet[Program]:
    """The programmes whose register the user may open: those he serves, and those with a
    status he may see."""
    ids = status_visible_qs(user).values("program_id")
    served = access.staff_program_ids(user, access.SEE_ALL)
    if served is None:
        return Program.objects.order_by("title")
    return Program.objects.filter(Q(pk__in=ids) | Q(pk__in=served)).distinct().order_by("title")


def register_qs(user, program) -> QuerySet[Status]:
    """The register of a programme as this user may see it: the statuses in force (staff see
    the programme's, a holder his own), by holder's name."""
    decisions = CouncilDecision.objects.select_related("protocol").order_by("pk")
    return (
        status_visible_qs(user)
        .filter(program=program, state__in=Status.LIVE_STATES)
        .select_related("application__form_version", "application__program")
        .prefetch_related(Prefetch("application__council_decisions", queryset=decisions))
        .order_by("organisation__name", "pk")
    )


def register_columns(program) -> list[dict]:
    """The answers the programme's form marks for its register (`"register": true`), e.g. a
    member's school and competences: [{"name", "label", "field"}] in the current language."""
    from programmes import formdef
    from programmes import services as programme_services

    version = programme_services.current_form(program)
    definition = version.definition if version else {}
    return [
        {"name": f["name"], "label": formdef.text(f.get("label")), "field": f}
        for f in formdef.fields_of(definition)
        if f.get("register")
    ]


def register_rows(statuses, columns: list[dict]) -> list[dict]:
    """Each status with the register's answers, read from the application that granted it."""
    from programmes import formdef

    rows = []
    for status in statuses:
        answers = wf_selectors.application_answers(status.application) if columns else {}
        rows.append(
            {
                "status": status,
                "answers": [
                    formdef.answer_shown(c["field"], answers.get(c["name"])) for c in columns
                ],
            }
        )
    return rows


def live_status(*, program, organisation) -> Status | None:
    """The organisation's status of the programme in force or under renewal: while it lives the
    organisation has no other case of the programme (decisions.md 37)."""
    return Status.objects.filter(
        program=program, organisation=organisation, state__in=Status.LIVE_STATES
    ).first()
