"""What the council's work tells whom. Called inside the transaction of the change, like
applications.notify; texts are Russian whatever the page language."""

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.urls import absolute_url
from notifications.models import Kind
from notifications.services import notify
from programmes import access

from . import selectors
from .models import Council, Meeting


def _link(name: str, *args) -> str:
    return absolute_url(reverse(name, args=args))


def case_awaiting_council(
    *, program_id: int, subject: str, template: str, context: dict, dedup_key: str
) -> None:
    """A case reached its council step: the programme's secretary (or, with no council set up
    yet, every holder of the secretaries' permission) is told to put it on an agenda. The
    owner of the case says what it is (`subject`, the letter's `template` and `context`)."""
    council = Council.objects.filter(program_id=program_id).first()
    recipients = []
    if council is not None:
        seats = selectors.members_on(council, timezone.localdate()).filter(
            role__in=selectors.SECRETARY_ROLES
        )
        recipients = [s.user for s in seats.order_by("role")]
    if not recipients:
        recipients = list(access.staff_serving(access.DECIDE, program_id))
    with translation.override("ru"):
        notify(
            recipients=recipients,
            kind=Kind.TASK_ASSIGNED,
            subject=subject,
            template=template,
            context=context,
            url=_link("council-detail", council.pk) if council else _link("council-list"),
            dedup_key=dedup_key,
        )


def meeting_scheduled(meeting: Meeting) -> None:
    """Every current member gets the meeting with its agenda; a changed agenda is sent again
    (one dedup key per sending, so a repeated call of the same sending tells nobody twice)."""
    members = selectors.members_on(meeting.council, meeting.date)
    with translation.override("ru"):
        notify(
            recipients=[m.user for m in members],
            kind=Kind.MEETING_SCHEDULED,
            subject=_("Council meeting No. %(number)s on %(date)s")
            % {"number": meeting.number, "date": meeting.date.strftime("%d.%m.%Y")},
            template="meeting_scheduled",
            context={
                "meeting": meeting,
                "items": list(meeting.items.order_by("number")),
                "again": meeting.notified_count > 1,
            },
            url=_link("meeting-detail", meeting.pk),
            dedup_key=f"meeting:{meeting.pk}:scheduled:{meeting.notified_count}",
        )


def _members_told(meeting: Meeting, *days) -> list:
    """Everyone seated on any of `days` (the old and the new date of a moved meeting)."""
    users = {}
    for day in days:
        for seat in selectors.members_on(meeting.council, day):
            users.setdefault(seat.user_id, seat.user)
    return list(users.values())


def meeting_rescheduled(meeting: Meeting, *, previous_date, reason: str, change_id: int) -> None:
    """Members already told of the meeting get its new date, place and format. The key names
    the change (its audit event) and the new date: one letter per rescheduling, however often
    the same one is retried, and a later rescheduling is a new letter."""
    with translation.override("ru"):
        notify(
            recipients=_members_told(meeting, previous_date, meeting.date),
            kind=Kind.MEETING_SCHEDULED,
            subject=_("Council meeting No. %(number)s is moved to %(date)s")
            % {"number": meeting.number, "date": meeting.date.strftime("%d.%m.%Y")},
            template="meeting_rescheduled",
            context={"meeting": meeting, "previous_date": previous_date, "reason": reason},
            url=_link("meeting-detail", meeting.pk),
            dedup_key=f"meeting:{meeting.pk}:rescheduled:{change_id}:{meeting.date.isoformat()}",
        )


def meeting_cancelled(meeting: Meeting) -> None:
    """Members already told of the meeting learn that it will not take place, and why."""
    with translation.override("ru"):
        notify(
            recipients=_members_told(meeting, meeting.date),
            kind=Kind.MEETING_SCHEDULED,
            subject=_("Council meeting No. %(number)s of %(date)s is cancelled")
            % {"number": meeting.number, "date": meeting.date.strftime("%d.%m.%Y")},
            template="meeting_cancelled",
            context={"meeting": meeting},
            url=_link("meeting-detail", meeting.pk),
            dedup_key=f"meeting:{meeting.pk}:cancelled",
        )


def protocol_to_sign(protocol) -> None:
    """The presiding chair and the secretary are asked to sign the protocol just drawn up."""
    meeting = protocol.meeting
    signers = [
        seat.user
        for seat in (selectors.meeting_chair(meeting), selectors.meeting_secretary(meeting))
        if seat is not None
    ]
    with translation.override("ru"):
        notify(
            recipients=signers,
            kind=Kind.TASK_ASSIGNED,
            subject=_("Sign the protocol of council meeting No. %(number)s of %(date)s")
            % {"number": meeting.number, "date": meeting.date.strftime("%d.%m.%Y")},
            template="protocol_to_sign",
            context={"meeting": meeting, "protocol": protocol},
            url=_link("protocol-detail", protocol.pk),
            dedup_key=f"protocol:{protocol.pk}:to_sign",
        )


def meetings_minimum_at_risk(council: Council, *, warning: dict, today) -> None:
    """The council's yearly minimum of meetings is at risk: its secretary and chair (the seats
    in force) and the programme's methodists, who curate its work, are told; once a month at
    most while it stays at risk (the key names the month and the meetings held)."""
    import datetime

    seats = selectors.members_on(council, today).filter(
        role__in=(*selectors.SECRETARY_ROLES, "chair")
    )
    people = [s.user for s in seats.order_by("role")]
    people += list(access.staff_serving(access.CHECK, council.program_id))
    days_left = (datetime.date(today.year, 12, 31) - today).days + 1
    with translation.override("ru"):
        notify(
            recipients=people,
            kind=Kind.MEETING_SCHEDULED,
            subject=_("%(council)s: the yearly minimum of meetings is at risk")
            % {"council": council.name},
            template="meetings_minimum",
            context={"council": council, "warning": warning, "days_left": days_left},
            url=_link("council-detail", council.pk),
            dedup_key=(
                f"council:{council.pk}:meetings-minimum:{warning['year']}:"
                f"{today.month}:{warning['held']}"
            ),
        )
