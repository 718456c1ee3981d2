"""What the council's work tells whom. Called inside the transaction of the change, like
workflows.notify; texts are Russian whatever the page language."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.selectors import recipients_with_permission
from notifications.services import notify
from workflows import selectors as wf_selectors

from . import selectors
from .models import Council, Meeting


def _link(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def case_awaiting_council(task) -> None:
    """A case reached the council step: its secretary (or, with no council set up yet, every
    holder of the secretaries' permission) is told to put it on an agenda."""
    application = wf_selectors.task_application(task)
    council = Council.objects.filter(program_id=application.program_id).first()
    recipients = []
    if council is not None:
        seats = selectors.members_on(council, timezone.localdate()).filter(
            role__in=selectors.SECRETARY_ROLES
        )
        recipients = [s.user for s in seats.order_by("role")]
    if not recipients:
        recipients = list(recipients_with_permission("workflows.decide_application"))
    with translation.override("ru"):
        notify(
            recipients=recipients,
            kind=Kind.TASK_ASSIGNED,
            subject=_("Application %(number)s waits for the council")
            % {"number": application.reg_number},
            template="council_case_waiting",
            context={"application": application},
            url=_link("council-detail", council.pk) if council else _link("council-list"),
            dedup_key=f"task:{task.pk}:created",
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
