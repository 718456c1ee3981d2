"""Writes of the council's work. Each is one transaction with its audit records.

Permissions are checked here, against the council's seats on the meeting date: the secretary
(or the deputy chair standing in) runs the meeting, present members vote, the presiding chair
and the secretary sign the protocol. Only a signed protocol moves any case.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ConflictError, NotAllowed
from core.limits import LINE, length_check
from core.transactions import AGENDA_ITEM, PROTOCOL, lock, lock_in_order, service_transaction
from programmes.models import Organisation

from . import notify, paper, selectors, subjects
from .models import (
    AgendaItem,
    Attendance,
    Council,
    Extract,
    Meeting,
    Protocol,
    ProtocolSignoff,
    Recusal,
    Vote,
)

Item = AgendaItem
VOTE_CHOICES = Vote.Choice.values
# `agenda_item_add(application_id=...)` is short for this subject (registered by applications).
APPLICATION_SUBJECT = "workflows.application"


# --- Guards ---------------------------------------------------------------------------------


def _require_secretary(council: Council, user, day=None) -> None:
    if not selectors.is_secretary(council=council, user=user, day=day or timezone.localdate()):
        raise NotAllowed(_("Only the secretary of the council can do this."))


def _locked_meeting(meeting_id: int) -> Meeting:
    return lock(Meeting.objects).select_related("council__program").get(pk=meeting_id)


def _locked_item(item_id: int) -> AgendaItem:
    """The item row is the lock every vote, tally, recusal and closing of the item queues on.
    Only that row: its meeting, council and programme are read, not locked (a vote that locked
    the programme deadlocked with applications being created, issue 10)."""
    return lock(AgendaItem.objects).select_related("meeting__council__program").get(pk=item_id)


def _require_status(meeting: Meeting, *allowed: str) -> None:
    if meeting.status not in allowed:
        raise ConflictError(
            _("The meeting is %(status)s; this cannot be done now.")
            % {"status": meeting.get_status_display().lower()}
        )


def _require_quorum(meeting: Meeting) -> None:
    quorum = selectors.meeting_quorum(meeting)
    if not quorum.reached:
        raise ConflictError(
            _(
                "No quorum: %(present)s of %(members)s members present, %(needed)s needed. "
                "Record the attendance first."
            )
            % {"present": quorum.present, "members": quorum.members, "needed": quorum.needed}
        )


# --- Meetings and agenda --------------------------------------------------------------------


@service_transaction
def meeting_create(*, council_id: int, user, date, place: str = "", format: str = "") -> Meeting:
    """A planned meeting, numbered next within its calendar year (under the council's lock)."""
    council = lock(Council.objects).get(pk=council_id)
    _require_secretary(council, user)
    if format and format not in Meeting.Format.values:
        raise ValidationError({"format": [_("Choose in person or remote.")]})
    length_check(place=(place, LINE))
    last = council.meetings.filter(year=date.year).aggregate(n=Max("number"))["n"] or 0
    meeting = Meeting.objects.create(
        council=council,
        year=date.year,
        number=last + 1,
        date=date,
        place=place.strip() or council.default_place,
        format=format or Meeting.Format.IN_PERSON,
        created_by=user,
    )
    audit_record(
        actor=user,
        action="meeting.create",
        obj=meeting,
        to_state=meeting.status,
        data={"number": meeting.number, "date": date.isoformat()},
    )
    return meeting


def _next_item_number(meeting: Meeting) -> int:
    return (meeting.items.aggregate(n=Max("number"))["n"] or 0) + 1


@service_transaction
def agenda_item_add(
    *,
    meeting_id: int,
    user,
    application_id: int | None = None,
    subject: str = "",
    subject_id: int | None = None,
    title: str = "",
) -> AgendaItem:
    """Put a waiting case or a free question on the agenda. A case is any registered subject
    (`subject` is its model label, e.g. "statuses.submission"; `application_id` is short for
    an application) waiting for this council."""
    meeting = _locked_meeting(meeting_id)
    _require_secretary(meeting.council, user)
    _require_status(meeting, Meeting.Status.PLANNED, Meeting.Status.OPEN)
    if application_id is not None:
        subject, subject_id = APPLICATION_SUBJECT, application_id
    if subject or subject_id is not None:
        item = _case_item_add(meeting, user=user, label=subject, pk=subject_id)
    else:
        title = title.strip()
        if not title:
            raise ValidationError({"title": [_("Write the question to put on the agenda.")]})
        length_check(title=(title, LINE))
        item = AgendaItem.objects.create(
            meeting=meeting,
            number=_next_item_number(meeting),
            kind=AgendaItem.Kind.FREE,
            title=title,
        )
    audit_record(
        actor=user,
        action="meeting.item_add",
        obj=meeting,
        comment=item.title,
        data={"item": item.pk, "number": item.number, "kind": item.kind},
    )
    return item


def _case_item_add(meeting: Meeting, *, user, label: str, pk) -> AgendaItem:
    entry = subjects.by_label(label)
    if entry is None or pk is None:
        raise ValidationError({"subject": [_("There is no such case here.")]})
    # Locks the row: two secretaries adding it to two meetings at once cannot both win.
    obj = lock(entry.model.objects).filter(pk=pk).first()
    if obj is None:
        raise ValidationError({"subject": [_("There is no such case here.")]})
    if not selectors.subject_waiting(meeting.council, entry).filter(pk=obj.pk).exists():
        raise ConflictError(
            _("“%(case)s” is not waiting for this council, or is already on an agenda.")
            % {"case": entry.title(obj)}
        )
    item = AgendaItem.objects.create(
        meeting=meeting,
        number=_next_item_number(meeting),
        kind=entry.kind,
        title=entry.title(obj),
        subject_type=ContentType.objects.get_for_model(entry.model),
        subject_id=obj.pk,
    )
    audit_record(
        actor=user,
        action=f"{entry.model._meta.model_name}.council_agenda",
        obj=obj,
        comment=str(meeting),
        data={"meeting": meeting.pk, "item": item.pk},
    )
    return item


@service_transaction
def agenda_item_remove(*, item_id: int, user) -> None:
    """Take a question not yet considered off the agenda; later items move up."""
    # The meeting before its item (core.transactions): later items are renumbered under it.
    meeting = _locked_meeting(
        AgendaItem.objects.values_list("meeting_id", flat=True).get(pk=item_id)
    )
    item = _locked_item(item_id)
    _require_secretary(meeting.council, user)
    _require_status(meeting, Meeting.Status.PLANNED, Meeting.Status.OPEN)
    if item.status != Item.Status.PENDING:
        raise ConflictError(_("Voting on this question has started; it stays on the agenda."))
    number, title = item.number, item.title
    item.delete()
    for later in meeting.items.filter(number__gt=number).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number", "updated_at"])
    audit_record(
        actor=user,
        action="meeting.item_remove",
        obj=meeting,
        comment=title,
        data={"number": number},
    )


@service_transaction
def meeting_notify(*, meeting_id: int, user) -> Meeting:
    """Send the members the meeting and its agenda (again, after the agenda changed)."""
    meeting = _locked_meeting(meeting_id)
    _require_secretary(meeting.council, user)
    _require_status(meeting, Meeting.Status.PLANNED)
    meeting.notified_count += 1
    meeting.save(update_fields=["notified_count", "updated_at"])
    notify.meeting_scheduled(meeting)
    audit_record(
        actor=user,
        action="meeting.notify",
        obj=meeting,
        data={"sending": meeting.notified_count, "items": meeting.items.count()},
    )
    return meeting


def _meeting_state(meeting: Meeting) -> dict:
    return {"date": meeting.date.isoformat(), "place": meeting.place, "format": meeting.format}


def _required_reason(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [message]})
    return reason


@service_transaction
def meeting_reschedule(
    *, meeting_id: int, user, date, place: str = "", format: str = "", reason: str
) -> Meeting:
    """Move a planned meeting to another day, place or format (an empty place or format keeps
    the current one). Members already told of the meeting are told of the change; the dedup
    key names this change's audit event and the new date, so each rescheduling reaches them
    once, and a second one (even back to an earlier date) reaches them again.

    The meeting keeps its number, so it stays in its calendar year: numbers are counted
    within the year (`meeting_create`), and a meeting moved into another year would carry a
    number of the wrong year's series. For that the secretary cancels and plans a new one."""
    meeting = _locked_meeting(meeting_id)
    _require_secretary(meeting.council, user)
    _require_status(meeting, Meeting.Status.PLANNED)
    reason = _required_reason(reason, _("Say why the meeting is rescheduled."))
    if date is None:
        raise ValidationError({"date": [_("Give the new date of the meeting.")]})
    if date < timezone.localdate():
        raise ValidationError({"date": [_("The new date is in the past; choose today or later.")]})
    if date.year != meeting.year:
        raise ValidationError(
            {
                "date": [
                    _(
                        "Meetings are numbered within their year: to meet in %(year)s, cancel "
                        "this meeting and plan a new one."
                    )
                    % {"year": date.year}
                ]
            }
        )
    if format and format not in Meeting.Format.values:
        raise ValidationError({"format": [_("Choose in person or remote.")]})
    length_check(place=(place, LINE))
    before = _meeting_state(meeting)
    previous_date = meeting.date
    meeting.date = date
    meeting.place = place.strip() or meeting.place
    meeting.format = format or meeting.format
    after = _meeting_state(meeting)
    if after == before:
        raise ValidationError({"date": [_("Nothing changes: give a new date, place or format.")]})
    meeting.save(update_fields=["date", "place", "format", "updated_at"])
    event = audit_record(
        actor=user,
        action="meeting.reschedule",
        obj=meeting,
        comment=reason,
        data={"from": before, "to": after},
    )
    if meeting.notified_count:
        notify.meeting_rescheduled(
            meeting, previous_date=previous_date, reason=reason, change_id=event.pk
        )
    return meeting


@service_transaction
def meeting_cancel(*, meeting_id: int, user, reason: str) -> Meeting:
    """Cancel a planned meeting. Its cases wait for the council again at once.

    The agenda items stay, as the record of what the cancelled meeting was to consider (the
    members' letters listed them, and the audit refers to them); they stop holding their
    cases because every "is it on an agenda" reader (`selectors.items_holding_cases`) skips
    items of cancelled meetings, so each case can go on the next meeting. Deleting the items
    would have lost that record.

    The meeting keeps its number. Numbers are allocated as the year's highest + 1
    (`meeting_create`) and were announced to the members, so reusing one would make two
    meetings answer to it. The printed protocol carries the meeting's number, so protocols
    of a year then skip the cancelled one's number, which its page and audit explain; the
    protocol journal's registration numbers stay gapless, as a cancelled meeting never
    registers a protocol."""
    meeting = _locked_meeting(meeting_id)
    _require_secretary(meeting.council, user)
    _require_status(meeting, Meeting.Status.PLANNED)
    reason = _required_reason(reason, _("Say why the meeting is cancelled."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = reason
    meeting.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    items = list(meeting.items.filter(subject_type__isnull=False).order_by("number"))
    for item in items:
        entry = subjects.of_type(item.subject_type)
        case = item.subject if entry is not None else None
        if case is None:
            continue
        audit_record(
            actor=user,
            action=f"{entry.model._meta.model_name}.council_agenda_cancelled",
            obj=case,
            comment=reason,
            data={"meeting": meeting.pk, "item": item.pk},
        )
    audit_record(
        actor=user,
        action="meeting.cancel",
        obj=meeting,
        from_state=Meeting.Status.PLANNED,
        to_state=Meeting.Status.CANCELLED,
        comment=reason,
        data={"number": meeting.number, "items_back_waiting": [i.pk for i in items]},
    )
    if meeting.notified_count:
        notify.meeting_cancelled(meeting)
    return meeting


@service_transaction
def attendance_record(
    *, meeting_id: int, user, member_ids: list[int], guests: list[dict]
) -> Meeting:
    """Who is present (members, for the quorum) and who was invited; replaces the list."""
    meeting = _locked_meeting(meeting_id)
    _require_secretary(meeting.council, user)
    _require_status(meeting, Meeting.Status.PLANNED, Meeting.Status.OPEN)
    seats = {s.pk: s for s in selectors.members_on(meeting.council, meeting.date)}
    unknown = [pk for pk in member_ids if pk not in seats]
    if unknown:
        raise ValidationError(
            {"members": [_("Only current members of the council can be marked present.")]}
        )
    cleaned_guests = []
    for guest in guests:
        name = str(guest.get("name", "")).strip()
        if not name:
            raise ValidationError({"guests": [_("Give the name of each invited guest.")]})
        position = str(guest.get("position", "")).strip()
        length_check(guests=(name, LINE))
        length_check(guests=(position, LINE))
        cleaned_guests.append((name, position))
    meeting.attendance.all().delete()
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=seats[pk]) for pk in dict.fromkeys(member_ids)]
        + [Attendance(meeting=meeting, guest_name=n, guest_position=p) for n, p in cleaned_guests]
    )
    quorum = selectors.meeting_quorum(meeting)
    audit_record(
        actor=user,
        action="meeting.attendance",
        obj=meeting,
        data={
            "members": sorted(set(member_ids)),
            "guests": [n for n, _p in cleaned_guests],
            "quorum": quorum.reached,
        },
    )
    return meeting


@service_transaction
def meeting_open(*, meeting_id: int, user) -> Meeting:
    meeting = _locked_meeting(meeting_id)
    _require_secretary(meeting.council, user)
    _require_status(meeting, Meeting.Status.PLANNED)
    if not meeting.items.exists():
        raise ConflictError(_("The agenda is empty: put at least one question on it."))
    _require_quorum(meeting)
    meeting.status = Meeting.Status.OPEN
    meeting.opened_at = timezone.now()
    meeting.save(update_fields=["status", "opened_at", "updated_at"])
    audit_record(
        actor=user,
        action="meeting.open",
        obj=meeting,
        from_state=Meeting.Status.PLANNED,
        to_state=Meeting.Status.OPEN,
    )
    return meeting


# --- Voting ---------------------------------------------------------------------------------


@service_transaction
def item_voting_start(*, item_id: int, user) -> AgendaItem:
    item = _locked_item(item_id)
    meeting = item.meeting
    _require_secretary(meeting.council, user)
    _require_status(meeting, Meeting.Status.OPEN)
    if item.status != Item.Status.PENDING:
        raise ConflictError(_("Voting on this question has already started or ended."))
    _require_quorum(meeting)
    item.status = Item.Status.VOTING
    item.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=user,
        action="meeting.voting_start",
        obj=item,
        from_state=Item.Status.PENDING,
        to_state=Item.Status.VOTING,
    )
    _recuse_applicants(item, actor=user)
    return item


def _recuse_applicants(item: AgendaItem, *, actor) -> None:
    """A member who acts for the organisation the case concerns (a platform coordinator sits
    on the Tomsk council) does not vote on it; the secretary sees it marked on the item."""
    entry = subjects.of_type(item.subject_type) if item.subject_type_id else None
    if entry is None or item.subject is None:
        return
    org_id = entry.organisation_id(item.subject)
    if org_id is None:
        return
    organisation = Organisation.objects.get(pk=org_id)
    conflicted = selectors.present_members(item.meeting).filter(
        user__organisationmembership__organisation_id=org_id
    )
    reason = _("Acts for the applicant organisation (%(org)s).") % {"org": organisation}
    for seat in conflicted:
        Recusal.objects.get_or_create(item=item, member=seat, defaults={"reason": reason})
        audit_record(
            actor=actor,
            action="meeting.recusal",
            obj=item,
            comment=reason,
            data={"member": seat.pk, "automatic": True},
        )


def _require_voting(item: AgendaItem) -> None:
    if item.status == Item.Status.CLOSED:
        raise ConflictError(_("This question is closed; votes can no longer be cast or changed."))
    if item.status != Item.Status.VOTING:
        raise ConflictError(_("Voting on this question has not started yet."))


@service_transaction
def vote_cast(*, item_id: int, user, choice: str) -> Vote:
    """A present, non-recused member votes for / against / abstains; a different choice
    changes the vote, the same choice again is refused. The item row is locked first, so
    members voting at the same moment queue and every vote is counted."""
    if choice not in VOTE_CHOICES:
        raise ValidationError({"choice": [_("Vote for, against, or abstain.")]})
    item = _locked_item(item_id)
    meeting = item.meeting
    seat = selectors.seat_of(council=meeting.council, user=user, day=meeting.date)
    if seat is None:
        raise NotAllowed(_("Only members of the council vote."))
    _require_voting(item)
    if item.tally == Item.Tally.PAPER:
        raise ConflictError(_("This question was voted on paper; the secretary records the count."))
    if not Attendance.objects.filter(meeting=meeting, member__user=user).exists():
        raise NotAllowed(_("You are not marked present at this meeting, so you cannot vote."))
    seat = (
        selectors.present_members(meeting).filter(user=user).first() or seat
    )  # the seat recorded present
    if item.recusals.filter(member=seat).exists():
        raise NotAllowed(_("You do not vote on this question (conflict of interest)."))
    vote = Vote.objects.filter(item=item, member=seat).first()
    previous = vote.choice if vote else ""
    if vote is not None and vote.choice == choice:
        raise ConflictError(
            _("You have already voted “%(choice)s” on this question.")
            % {"choice": vote.get_choice_display()}
        )
    if vote is None:
        vote = Vote.objects.create(item=item, member=seat, choice=choice)
    else:
        vote.choice = choice
        vote.save(update_fields=["choice", "updated_at"])
    audit_record(
        actor=user,
        action="meeting.vote",
        obj=item,
        from_state=previous,
        to_state=choice,
        data={"member": seat.pk},
    )
    return vote


@service_transaction
def item_recuse(*, item_id: int, user, member_id: int, reason: str) -> Recusal:
    """Mark a member as not voting on an item (conflict of interest); a vote cast is dropped."""
    item = _locked_item(item_id)
    meeting = item.meeting
    _require_secretary(meeting.council, user)
    if item.status == Item.Status.CLOSED:
        raise ConflictError(_("This question is closed; votes can no longer be cast or changed."))
    _require_status(meeting, Meeting.Status.PLANNED, Meeting.Status.OPEN)
    seat = selectors.members_on(meeting.council, meeting.date).filter(pk=member_id).first()
    if seat is None:
        raise ValidationError({"member": [_("Choose a current member of the council.")]})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the member does not vote.")]})
    length_check(reason=(reason, LINE))
    recusal, created = Recusal.objects.get_or_create(
        item=item, member=seat, defaults={"reason": reason}
    )
    if not created:
        raise ConflictError(_("This member is already marked as not voting on this question."))
    dropped = Vote.objects.filter(item=item, member=seat).delete()[0]
    audit_record(
        actor=user,
        action="meeting.recusal",
        obj=item,
        comment=reason,
        data={"member": seat.pk, "vote_dropped": bool(dropped)},
    )
    return recusal


@service_transaction
def item_paper_tally(
    *,
    item_id: int,
    user,
    votes_for: int,
    votes_against: int,
    abstained: int,
    chair_vote: str = "",
) -> AgendaItem:
    """The secretary records the count of a paper (or show-of-hands) vote."""
    item = _locked_item(item_id)
    meeting = item.meeting
    _require_secretary(meeting.council, user)
    _require_voting(item)
    counts = (votes_for, votes_against, abstained)
    if any(c is None or c < 0 for c in counts):
        raise ValidationError({"votes_for": [_("Counts are whole numbers, zero or more.")]})
    eligible = selectors.item_eligible(item).count()
    if sum(counts) > eligible:
        raise ValidationError(
            {
                "votes_for": [
                    _("%(total)s votes, but only %(eligible)s members present may vote.")
                    % {"total": sum(counts), "eligible": eligible}
                ]
            }
        )
    if chair_vote and chair_vote not in VOTE_CHOICES:
        raise ValidationError({"chair_vote": [_("Vote for, against, or abstain.")]})
    item.tally = Item.Tally.PAPER
    item.paper_for, item.paper_against, item.paper_abstained = counts
    item.paper_chair_vote = chair_vote
    item.save()
    audit_record(
        actor=user,
        action="meeting.paper_tally",
        obj=item,
        data={
            "for": votes_for,
            "against": votes_against,
            "abstained": abstained,
            "chair": chair_vote,
        },
    )
    return item


@service_transaction
def item_close(
    *, item_id: int, user, heard: str, spoke: str, decided: str, postpone: bool = False
) -> AgendaItem:
    """Close the question: the outcome is computed by the council's rules from the tally (or
    the council postpones it), and СЛУШАЛИ / ВЫСТУПИЛИ / РЕШИЛИ are recorded."""
    item = _locked_item(item_id)
    meeting = item.meeting
    _require_secretary(meeting.council, user)
    _require_status(meeting, Meeting.Status.OPEN)
    if item.status == Item.Status.CLOSED:
        raise ConflictError(_("This question is already closed."))
    if not postpone and item.status != Item.Status.VOTING:
        raise ConflictError(_("Voting on this question has not started yet."))
    if not decided.strip():
        raise ValidationError({"decided": [_("Write what the council decided.")]})
    if not heard.strip():
        raise ValidationError({"heard": [_("Write whom the council heard.")]})
    tally = selectors.item_tally(item)
    if postpone:
        outcome = Item.Outcome.POSTPONED
    else:
        _require_quorum(meeting)
        adopted = selectors.item_result(item).adopted
        outcome = Item.Outcome.ADOPTED if adopted else Item.Outcome.NOT_ADOPTED
    item.outcome = outcome
    item.votes_for, item.votes_against, item.abstained = (
        tally.votes_for,
        tally.votes_against,
        tally.abstained,
    )
    item.heard, item.spoke, item.decided = heard.strip(), spoke.strip(), decided.strip()
    previous = item.status
    item.status = Item.Status.CLOSED
    item.closed_at = timezone.now()
    item.save()
    audit_record(
        actor=user,
        action="meeting.item_close",
        obj=item,
        from_state=previous,
        to_state=outcome,
        comment=item.decided,
        data={"for": item.votes_for, "against": item.votes_against, "abstained": item.abstained},
    )
    return item


@service_transaction
def meeting_close(*, meeting_id: int, user) -> Protocol:
    """Every question closed: the meeting ends and its protocol is drawn up for signature."""
    meeting = _locked_meeting(meeting_id)
    _require_secretary(meeting.council, user)
    _require_status(meeting, Meeting.Status.OPEN)
    open_items = meeting.items.exclude(status=Item.Status.CLOSED).order_by("number")
    if open_items.exists():
        raise ConflictError(
            _("Close every question first; still open: %(numbers)s.")
            % {"numbers": ", ".join(str(i.number) for i in open_items)}
        )
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save(update_fields=["status", "closed_at", "updated_at"])
    protocol = Protocol.objects.create(meeting=meeting, content=paper.protocol_content(meeting))
    protocol.document = paper.protocol_issue(protocol=protocol, actor=user)
    protocol.save(update_fields=["document", "updated_at"])
    notify.protocol_to_sign(protocol)
    audit_record(
        actor=user,
        action="meeting.close",
        obj=meeting,
        from_state=Meeting.Status.OPEN,
        to_state=Meeting.Status.CLOSED,
        data={"protocol": protocol.pk},
    )
    return protocol


# --- The protocol ---------------------------------------------------------------------------


def _signoff_role(protocol: Protocol, user) -> str:
    """The role this user signs in: presiding chair or secretary of the meeting, the one not
    yet signed when a person holds both."""
    meeting = protocol.meeting
    chair = selectors.meeting_chair(meeting)
    secretary = selectors.meeting_secretary(meeting)
    roles = [
        role
        for role, seat in (
            (ProtocolSignoff.Role.CHAIR, chair),
            (ProtocolSignoff.Role.SECRETARY, secretary),
        )
        if seat is not None and seat.user_id == user.pk
    ]
    if not roles:
        raise NotAllowed(_("Only the chair and the secretary of the meeting sign its protocol."))
    signed = set(protocol.signoffs.values_list("role", flat=True))
    pending = [role for role in roles if role not in signed]
    if not pending:
        raise ConflictError(_("You have already signed this protocol."))
    return pending[0]


@service_transaction
def protocol_sign(*, protocol_id: int, user) -> Protocol:
    """The chair's or the secretary's sign-off. With both, the protocol is signed, can no
    longer change, and its decisions take effect: each case on the agenda is passed on."""
    _lock_release(protocol_id)
    protocol = lock(Protocol.objects).select_related("meeting").get(pk=protocol_id)
    if protocol.state == Protocol.State.SIGNED:
        raise ConflictError(_("The protocol is already signed; it cannot be changed."))
    role = _signoff_role(protocol, user)
    paper.protocol_document_sign(protocol=protocol, user=user)
    ProtocolSignoff.objects.create(protocol=protocol, role=role, signer=user)
    audit_record(actor=user, action="protocol.signoff", obj=protocol, data={"role": role})
    if protocol.signoffs.count() < len(ProtocolSignoff.Role.values):
        return protocol
    protocol.state = Protocol.State.SIGNED
    protocol.signed_at = timezone.now()
    protocol.save(update_fields=["state", "signed_at", "updated_at"])
    audit_record(
        actor=user,
        action="protocol.signed",
        obj=protocol,
        from_state=Protocol.State.DRAFT,
        to_state=Protocol.State.SIGNED,
    )
    if protocol.corrects_id is None:
        _release_cases(protocol, actor=user)
    return protocol


def _lock_release(protocol_id: int) -> None:
    """Every row that releasing the cases will lock, taken before the signature's audit event
    takes the audit head, in the order of core.transactions (the cases' flow locks before the
    protocol, then its items and the cases' rows). Done at each sign-off, not only the last:
    which one is last is known only under the protocol's lock, and the first signer holding
    the cases for the moment of its signature costs little."""
    protocol = Protocol.objects.select_related("meeting").filter(pk=protocol_id).first()
    if protocol is None or protocol.state == Protocol.State.SIGNED or protocol.corrects_id:
        return
    rows = []
    for item in protocol.meeting.items.filter(released_at__isnull=True):
        rows.append((AGENDA_ITEM, AgendaItem, item.pk))
        entry = subjects.of_type(item.subject_type) if item.subject_type_id else None
        case = item.subject if entry is not None else None
        if case is not None:
            rows.extend(entry.locks(case))
    lock_in_order(row for row in rows if row[0] < PROTOCOL)
    lock(Protocol.objects).filter(pk=protocol_id).first()
    lock_in_order(row for row in rows if row[0] > PROTOCOL)


def _release_cases(protocol: Protocol, *, actor) -> None:
    """Targeted: each item's own case is passed on by its subject's one service (never a
    broadcast signal); a free item only gets its extract, linked to the meeting."""
    secretary = selectors.meeting_secretary(protocol.meeting)
    recorder = secretary.user if secretary else actor
    items = protocol.meeting.items.filter(released_at__isnull=True).order_by("number")
    for item in lock(items):
        entry = subjects.of_type(item.subject_type) if item.subject_type_id else None
        case = item.subject if entry is not None else None
        extract = Extract.objects.create(
            protocol=protocol, item=item, content=paper.extract_content(protocol, item.number)
        )
        extract.document = paper.extract_issue(
            extract=extract,
            case=case or protocol.meeting,
            owner_org_id=entry.organisation_id(case) if case is not None else None,
            actor=recorder,
        )
        extract.save(update_fields=["document", "updated_at"])
        if case is not None:
            entry.release(item, subject=case, protocol=protocol, extract=extract, actor=recorder)
        item.released_at = timezone.now()
        item.save(update_fields=["released_at", "decision", "updated_at"])


@service_transaction
def protocol_correct(
    *, protocol_id: int, user, reason: str, items: dict[int, dict] | None = None
) -> Protocol:
    """A signed protocol never changes: a correction is a new protocol linked to it, with the
    corrected texts, to be signed again. Decisions already in effect are not re-run."""
    original = lock(Protocol.objects).select_related("meeting").get(pk=protocol_id)
    _require_secretary(original.meeting.council, user)
    if original.state != Protocol.State.SIGNED:
        raise ConflictError(_("Only a signed protocol is corrected; this one can still be signed."))
    if Protocol.objects.filter(corrects=original).exists():
        raise ConflictError(_("This protocol already has a correction; correct that one."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what the correction fixes.")]})
    content = {**original.content, "items": [dict(i) for i in original.content["items"]]}
    for number, texts in (items or {}).items():
        matching = [i for i in content["items"] if i["number"] == int(number)]
        if not matching:
            raise ValidationError({"items": [_("There is no question No. %(n)s.") % {"n": number}]})
        for key in ("heard", "spoke", "decided"):
            if key in texts:
                matching[0][key] = str(texts[key]).strip()
    correction = Protocol.objects.create(
        meeting=original.meeting, content=content, corrects=original, correction_reason=reason
    )
    correction.document = paper.protocol_issue(protocol=correction, actor=user)
    correction.save(update_fields=["document", "updated_at"])
    notify.protocol_to_sign(correction)
    audit_record(
        actor=user,
        action="protocol.correction",
        obj=correction,
        comment=reason,
        data={"corrects": original.pk},
    )
    return correction


def meetings_minimum_sweep(*, now) -> int:
    """Tell each council whose yearly minimum of meetings is at risk (its regulation's «не
    реже…», Council.min_meetings_per_year); returns how many were told. Safe to run as often
    as the beat likes: a council is told once a month at most while it stays at risk."""
    today = timezone.localdate(now)
    told = 0
    councils = Council.objects.filter(min_meetings_per_year__gt=0, program__is_active=True)
    for council in councils.select_related("program").order_by("pk"):
        warning = selectors.meetings_year_warning(council, today)
        if warning is None:
            continue
        with transaction.atomic():
            notify.meetings_minimum_at_risk(council, warning=warning, today=today)
        told += 1
    return told
