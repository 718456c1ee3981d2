"""The status rows a council considers, as agenda subjects (registered in `apps.py`).

For each row: which ones wait for a council, how the agenda names it, and what the signed
protocol does with it, through the one service that records the council's word on that row.
The council decides only at a meeting; nothing here is reachable from a page or the API.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.transactions import DUTY, STATUS, STATUS_CASE, SUBMISSION
from statuses.models import Status

from . import services
from .models import Duty, NetworkReport, ProblemNotice, Submission, TerminationCase

ADOPTED, NOT_ADOPTED, POSTPONED = "adopted", "not_adopted", "postponed"


def _items_of(model):
    """Agenda items whose decision took effect, pointing at rows of `model` (outer ref)."""
    from councils.models import AgendaItem

    return AgendaItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(model),
        subject_id=OuterRef("pk"),
        released_at__isnull=False,
    )


def _postponed(item, *, subject, actor, audit_obj) -> None:
    """Postponed: the row keeps waiting and is offered to the next agenda; the record says so."""
    audit_record(
        actor=actor,
        action=f"{subject._meta.model_name}.council_postpone",
        obj=audit_obj,
        comment=item.decided,
        data={"meeting_date": item.meeting.date.isoformat(), "item": item.pk},
    )


# --- Plans and reports waiting for the council ----------------------------------------------


def submissions_waiting(council) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(
            state=Submission.State.AT_COUNCIL,
            duty__status__program_id=council.program_id,
            duty__status__state__in=Status.LIVE_STATES,
        )
        .select_related("duty__status__organisation")
        .order_by("submitted_at", "id")
    )


def submission_title(submission: Submission) -> str:
    return _("%(duty)s of %(org)s (attempt %(n)s)") % {
        "duty": submission.duty,
        "org": submission.duty.status.organisation.short_name,
        "n": submission.number,
    }


def submission_release(item, *, subject, protocol, extract, actor) -> None:
    """Adopted: the report (or plan) is accepted; not adopted: returned to the holder with the
    decision as the reason."""
    if item.outcome == POSTPONED:
        return _postponed(item, subject=subject, actor=actor, audit_obj=subject.duty)
    services.submission_council_decide(
        user=actor,
        submission_id=subject.pk,
        decision="accept" if item.outcome == ADOPTED else "return",
        comment=item.decided,
        meeting_date=item.meeting.date,
    )


# --- Problem notices ------------------------------------------------------------------------


def problems_waiting(council) -> QuerySet[ProblemNotice]:
    return (
        ProblemNotice.objects.filter(
            state=ProblemNotice.State.AT_COUNCIL, status__program_id=council.program_id
        )
        .select_related("status__organisation")
        .order_by("created_at", "id")
    )


def problem_title(notice: ProblemNotice) -> str:
    words = {"org": notice.status.organisation.short_name, "text": notice.description[:200]}
    if notice.kind == ProblemNotice.Kind.PROPOSAL:
        return _("Proposal of %(org)s: %(text)s") % words
    return _("Problem notice of %(org)s: %(text)s") % words


def problem_decided(notice: ProblemNotice, adopted: bool) -> str | None:
    if notice.kind != ProblemNotice.Kind.PROPOSAL:
        return None
    if adopted:
        return _("Support the proposal and submit it to %(authority)s.") % {
            "authority": notice.status.program.authority_name
        }
    return _("Do not support the proposal.")


def problem_release(item, *, subject, protocol, extract, actor) -> None:
    """Either way the notice is considered; what the council decided is the item's text."""
    if item.outcome == POSTPONED:
        return _postponed(item, subject=subject, actor=actor, audit_obj=subject.status)
    services.problem_council_decide(
        user=actor, notice_id=subject.pk, decision=item.decided, meeting_date=item.meeting.date
    )


# --- Early termination asked for by the holder or brought by staff -------------------------


def terminations_waiting(council) -> QuerySet[TerminationCase]:
    return (
        TerminationCase.objects.filter(
            state=TerminationCase.State.AT_COUNCIL, status__program_id=council.program_id
        )
        .select_related("status__organisation", "status__program")
        .order_by("created_at", "id")
    )


def termination_title(case: TerminationCase) -> str:
    return _("Early termination of the status of %(org)s: %(grounds)s") % {
        "org": case.status.organisation.short_name,
        "grounds": case.grounds_label.lower(),
    }


def termination_release(item, *, subject, protocol, extract, actor) -> None:
    """Adopted: the council supports the request (on to the department, or the status ends
    where the council's decision settles it); not adopted: rejected, the decision the reason."""
    if item.outcome == POSTPONED:
        return _postponed(item, subject=subject, actor=actor, audit_obj=subject.status)
    services.termination_council_decide(
        user=actor,
        case_id=subject.pk,
        decision="support" if item.outcome == ADOPTED else "reject",
        comment=item.decided,
        meeting_date=item.meeting.date,
    )


# --- Missed reports: the council's own proposal to end the status --------------------------


def escalated_duties_waiting(council) -> QuerySet[Duty]:
    """Duties still missing after the grace period (the secretary was told, once per duty), of
    a live status with no termination under way, that no meeting has yet decided on."""
    decided = _items_of(Duty).exclude(outcome=POSTPONED)
    open_termination = TerminationCase.objects.filter(
        status_id=OuterRef("status_id"), state__in=TerminationCase.OPEN_STATES
    )
    return (
        Duty.objects.filter(
            escalated_at__isnull=False,
            state__in=Duty.OWED_STATES,
            status__program_id=council.program_id,
            status__state__in=Status.LIVE_STATES,
        )
        .exclude(Exists(decided))
        .exclude(Exists(open_termination))
        .select_related("status__organisation")
        .order_by("due_date", "id")
    )


def duty_title(duty: Duty) -> str:
    return _("%(duty)s of %(org)s not submitted: early termination of the status") % {
        "duty": duty,
        "org": duty.status.organisation.short_name,
    }


def duty_release(item, *, subject, protocol, extract, actor) -> None:
    """Adopted: the council proposes to end the status (reports missed), the department
    approves it by order; not adopted: the status goes on, and the record says why."""
    if item.outcome == POSTPONED:
        return _postponed(item, subject=subject, actor=actor, audit_obj=subject)
    if item.outcome == ADOPTED:
        services.termination_propose(
            user=actor,
            status_id=subject.status_id,
            grounds=TerminationCase.Grounds.REPORTS,
            reason=item.decided,
            meeting_date=item.meeting.date,
        )
        return
    audit_record(
        actor=actor,
        action="duty.council_keep",
        obj=subject,
        comment=item.decided,
        data={"status": subject.status_id, "meeting_date": item.meeting.date.isoformat()},
    )


# --- The network's yearly report -----------------------------------------------------------


def network_reports_waiting(council) -> QuerySet[NetworkReport]:
    """Compiled and not accepted; one the council did not adopt waits again once recompiled."""
    not_adopted_since = _items_of(NetworkReport).filter(
        outcome=NOT_ADOPTED, released_at__gte=OuterRef("compiled_at")
    )
    return (
        NetworkReport.objects.filter(
            state=NetworkReport.State.AT_COUNCIL, program_id=council.program_id
        )
        .exclude(Exists(not_adopted_since))
        .order_by("academic_year")
    )


def network_report_release(item, *, subject, protocol, extract, actor) -> None:
    """Adopted: accepted and final. Not adopted: it stays to be recompiled by a methodist."""
    if item.outcome == POSTPONED:
        return _postponed(item, subject=subject, actor=actor, audit_obj=subject)
    if item.outcome == ADOPTED:
        services.network_report_council_decide(
            user=actor, report_id=subject.pk, comment=item.decided, meeting_date=item.meeting.date
        )
        return
    audit_record(
        actor=actor,
        action="network_report.council_not_adopted",
        obj=subject,
        comment=item.decided,
        data={"meeting_date": item.meeting.date.isoformat()},
    )


def register_subjects() -> None:
    from django.urls import reverse

    from councils import subjects
    from councils.models import AgendaItem

    Kind = AgendaItem.Kind
    # The rows each release locks (core.transactions), so the protocol takes them first.
    locks = {
        Submission: lambda s: [(DUTY, Duty, s.duty_id), (SUBMISSION, Submission, s.pk)],
        ProblemNotice: lambda n: [(STATUS_CASE, ProblemNotice, n.pk)],
        TerminationCase: lambda c: [
            (STATUS, Status, c.status_id),
            (STATUS_CASE, TerminationCase, c.pk),
        ],
        Duty: lambda d: [(STATUS, Status, d.status_id)],  # termination_propose
        NetworkReport: lambda r: [(STATUS_CASE, NetworkReport, r.pk)],
    }
    # A member's proposal is decided in its own words, not a problem's.
    decided = {ProblemNotice: problem_decided}
    for model, kind, waiting, title, release, org, url in (
        (
            Submission,
            Kind.REPORT,
            submissions_waiting,
            submission_title,
            submission_release,
            lambda s: s.duty.status.organisation_id,
            lambda s: reverse("duty-detail", args=[s.duty_id]),
        ),
        (
            ProblemNotice,
            Kind.PROBLEM,
            problems_waiting,
            problem_title,
            problem_release,
            lambda n: n.status.organisation_id,
            lambda n: reverse("status-detail", args=[n.status_id]),
        ),
        (
            TerminationCase,
            Kind.TERMINATION,
            terminations_waiting,
            termination_title,
            termination_release,
            lambda c: c.status.organisation_id,
            lambda c: reverse("status-detail", args=[c.status_id]),
        ),
        (
            Duty,
            Kind.TERMINATION,
            escalated_duties_waiting,
            duty_title,
            duty_release,
            lambda d: d.status.organisation_id,
            lambda d: reverse("duty-detail", args=[d.pk]),
        ),
        (
            NetworkReport,
            Kind.REPORT,
            network_reports_waiting,
            str,
            network_report_release,
            lambda r: None,
            lambda r: reverse("network-report-detail", args=[r.pk]),
        ),
    ):
        subjects.register(
            subjects.AgendaSubject(
                model=model,
                kind=kind,
                waiting=waiting,
                title=title,
                release=release,
                organisation_id=org,
                url=url,
                locks=locks[model],
                decided=decided.get(model, lambda obj, adopted: None),
            )
        )
