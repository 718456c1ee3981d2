"""Reads: who sits on a council and in which role, what waits for it, tallies and quorum."""

from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from audit.models import AuditEvent
from programmes import access
from programmes.access import SEE_ALL

from . import rules, subjects
from .models import AgendaItem, Attendance, Council, CouncilMember, Extract, Meeting, Vote

SECRETARY_ROLES = (CouncilMember.Role.SECRETARY, CouncilMember.Role.DEPUTY_CHAIR)
CHAIR_ROLES = (CouncilMember.Role.CHAIR, CouncilMember.Role.DEPUTY_CHAIR)


def members_on(council: Council, day: date) -> QuerySet[CouncilMember]:
    """Seats whose term covers `day`."""
    return (
        council.members.on(day)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )


def seat_of(*, council: Council, user, day: date) -> CouncilMember | None:
    if not user.is_authenticated:
        return None
    seats = list(members_on(council, day).filter(user=user))
    if not seats:
        return None
    order = {r: i for i, r in enumerate(CouncilMember.Role.values)}
    return min(seats, key=lambda s: order[s.role])


def is_secretary(*, council: Council, user, day: date | None = None) -> bool:
    """Secretary actions: the council's secretary, or its deputy chair standing in."""
    day = day or timezone.localdate()
    if not user.is_authenticated:
        return False
    return members_on(council, day).filter(user=user, role__in=SECRETARY_ROLES).exists()


def council_visible_qs(user) -> QuerySet[Council]:
    """Current members see their council; staff who see every case see the councils of the
    programmes they serve."""
    qs = Council.objects.select_related("program")
    if not user.is_authenticated:
        return qs.none()
    seats = CouncilMember.objects.on(timezone.localdate()).filter(user=user)
    seated = Q(pk__in=seats.values("council_id"))
    if user.has_perm(SEE_ALL):
        served = access.staff_program_ids(user)
        return qs if served is None else qs.filter(Q(program_id__in=served) | seated)
    return qs.filter(seated)


def meeting_visible_qs(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(council__in=council_visible_qs(user)).select_related(
        "council__program"
    )


def user_sits_on_a_council(user) -> bool:
    return (
        user.is_authenticated
        and CouncilMember.objects.on(timezone.localdate()).filter(user=user).exists()
    )


def items_of_subject(obj) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(type(obj)), subject_id=obj.pk
    )


def items_holding_cases() -> QuerySet[AgendaItem]:
    """Agenda items that keep their case off the waiting lists: not yet released by a signed
    protocol, on a meeting that was not cancelled. A cancelled meeting keeps its items as
    history (what it was to consider); they simply stop holding their cases."""
    return AgendaItem.objects.filter(released_at__isnull=True).exclude(
        meeting__status=Meeting.Status.CANCELLED
    )


def subject_waiting(council: Council, subject) -> QuerySet:
    """Rows of one registered subject waiting for `council` and on no agenda whose decision has
    not yet taken effect (a postponed row comes back here when its protocol is signed; a
    cancelled meeting's row is back at once)."""
    on_agenda = items_holding_cases().filter(
        subject_type=ContentType.objects.get_for_model(subject.model), subject_id=OuterRef("pk")
    )
    return subject.waiting(council).exclude(Exists(on_agenda))


def cases_waiting(council: Council) -> list[dict]:
    """Every case waiting for the council, of every registered subject (applications, reports,
    problem notices, terminations, the network's report, missed reports), in one shape the
    agenda builder and the dashboards offer."""
    cases = []
    for subject in subjects.all_subjects():
        for obj in subject_waiting(council, subject):
            cases.append(
                {
                    "kind": subject.kind,
                    "kind_label": AgendaItem.Kind(subject.kind).label,
                    "subject": subject.label,
                    "object": obj,
                    "title": subject.title(obj),
                    "url": subject.url(obj),
                }
            )
    return cases


def present_members(meeting: Meeting) -> QuerySet[CouncilMember]:
    return CouncilMember.objects.filter(
        pk__in=Attendance.objects.filter(meeting=meeting, member__isnull=False).values("member")
    ).select_related("user")


@dataclass(frozen=True)
class Quorum:
    members: int
    present: int
    needed: int
    reached: bool


def meeting_quorum(meeting: Meeting) -> Quorum:
    members = members_on(meeting.council, meeting.date).count()
    present = present_members(meeting).count()
    return Quorum(
        members=members,
        present=present,
        needed=rules.quorum_needed(members, meeting.council.quorum_rule),
        reached=rules.has_quorum(
            present=present, members=members, rule=meeting.council.quorum_rule
        ),
    )


def meeting_chair(meeting: Meeting) -> CouncilMember | None:
    """Who presides: the chair if present, else a deputy chair present, else the chair of record."""
    present = list(present_members(meeting))
    for role in CHAIR_ROLES:
        for seat in present:
            if seat.role == role:
                return seat
    return members_on(meeting.council, meeting.date).filter(role=CouncilMember.Role.CHAIR).first()


def meeting_secretary(meeting: Meeting) -> CouncilMember | None:
    return (
        members_on(meeting.council, meeting.date).filter(role=CouncilMember.Role.SECRETARY).first()
    )


def item_eligible(item: AgendaItem) -> QuerySet[CouncilMember]:
    """Members present and not recused on the item: those who may vote on it."""
    return present_members(item.meeting).exclude(pk__in=item.recusals.values("member"))


@dataclass(frozen=True)
class Tally:
    votes_for: int
    votes_against: int
    abstained: int
    eligible: int
    not_voted: int
    chair_vote: str | None


def item_tally(item: AgendaItem) -> Tally:
    """Live counts: the paper tally when the secretary recorded one, else members' votes."""
    eligible = item_eligible(item)
    n = eligible.count()
    chair = meeting_chair(item.meeting)
    if item.tally == AgendaItem.Tally.PAPER and item.paper_for is not None:
        f, a, ab = item.paper_for, item.paper_against or 0, item.paper_abstained or 0
        return Tally(f, a, ab, n, max(n - f - a - ab, 0), item.paper_chair_vote or None)
    votes = Vote.objects.filter(item=item, member__in=eligible)
    counts = {c: 0 for c in Vote.Choice.values}
    chair_vote = None
    for member_id, choice in votes.values_list("member_id", "choice"):
        counts[choice] += 1
        if chair and member_id == chair.pk:
            chair_vote = choice
    cast = sum(counts.values())
    return Tally(
        counts[Vote.Choice.FOR],
        counts[Vote.Choice.AGAINST],
        counts[Vote.Choice.ABSTAIN],
        n,
        n - cast,
        chair_vote,
    )


def item_result(item: AgendaItem) -> rules.Result:
    tally = item_tally(item)
    council = item.meeting.council
    return rules.decide(
        votes_for=tally.votes_for,
        votes_against=tally.votes_against,
        abstained=tally.abstained,
        eligible=tally.eligible,
        decision_rule=council.decision_rule,
        tie_rule=council.tie_rule,
        chair_vote=tally.chair_vote,
    )


def meetings_year_warning(council: Council, today: date | None = None) -> dict | None:
    """For the dashboard: the programme's minimum of meetings this year is at risk."""
    today = today or timezone.localdate()
    required = council.min_meetings_per_year
    if not required:
        return None
    held = council.meetings.filter(year=today.year, status=Meeting.Status.CLOSED).count()
    if not rules.meetings_behind(held=held, required=required, today=today):
        return None
    return {"held": held, "required": required, "year": today.year}


def extract_visible(*, user, extract: Extract) -> bool:
    """The case's applicant or holder and staff who see the case, or a member of the council."""
    from documents.selectors import document_can_view

    item = extract.item
    if council_visible_qs(user).filter(pk=item.meeting.council_id).exists():
        return True
    entry = subjects.of_type(item.subject_type)
    if entry is not None and entry.visible is not None:
        case = entry.model._default_manager.filter(pk=item.subject_id).first()
        return case is not None and entry.visible(user, case)
    # Other subjects: whoever may see the extract's document (linked to the subject's row).
    return extract.document is not None and document_can_view(user=user, document=extract.document)


@dataclass(frozen=True)
class Rescheduling:
    at: object
    from_date: date
    to_date: date
    reason: str


def meeting_reschedulings(meeting: Meeting) -> list[Rescheduling]:
    """Each move of the meeting, oldest first, from its audit events (the meeting row keeps
    only the current date; members and the secretary see why it changed)."""
    events = AuditEvent.objects.filter(
        object_type=Meeting._meta.label_lower,
        object_id=str(meeting.pk),
        action="meeting.reschedule",
    ).order_by("id")
    return [
        Rescheduling(
            at=e.at,
            from_date=date.fromisoformat(e.data["from"]["date"]),
            to_date=date.fromisoformat(e.data["to"]["date"]),
            reason=e.comment,
        )
        for e in events
    ]
