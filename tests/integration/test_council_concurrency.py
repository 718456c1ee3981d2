"""Members voting at the same moment on PostgreSQL: the item row lock queues them, no vote is
lost, and a member's two clicks at once leave one vote."""

import datetime

import pytest

from audit.services import audit_verify_chain
from core.errors import ConflictError
from councils import selectors, services
from councils.models import Vote
from tests.factories import CouncilMemberFactory
from tests.integration.test_concurrency import run_together
from tests.story import act, council_of, submitted

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


def _voting_item(program, school, coordinator, methodist, secretary, extra_members=1):
    council = council_of(program, secretary=secretary)
    for i in range(extra_members):
        CouncilMemberFactory(council=council, user__username=f"council_extra{i}")
    application = submitted(coordinator=coordinator, school=school, program=program)
    act(methodist, application, decision="accept", comment="")
    day = datetime.date.today()
    meeting = services.meeting_create(council_id=council.pk, user=secretary, date=day)
    item = services.agenda_item_add(
        meeting_id=meeting.pk, user=secretary, application_id=application.pk
    )
    seats = list(selectors.members_on(council, day))
    services.attendance_record(
        meeting_id=meeting.pk, user=secretary, member_ids=[s.pk for s in seats], guests=[]
    )
    services.meeting_open(meeting_id=meeting.pk, user=secretary)
    services.item_voting_start(item_id=item.pk, user=secretary)
    return item, seats


def test_five_members_voting_at_once_lose_no_vote(
    postgres, program, school, coordinator, methodist, secretary
):
    item, seats = _voting_item(program, school, coordinator, methodist, secretary)
    assert len(seats) == 5
    choices = ["for", "for", "against", "abstain", "for"]

    outcomes = run_together(
        [
            (
                lambda seat=seat, choice=choice: services.vote_cast(
                    item_id=item.pk, user=seat.user, choice=choice
                )
            )
            for seat, choice in zip(seats, choices, strict=True)
        ],
        threads=5,
    )

    assert [exc for _r, exc in outcomes if exc is not None] == []
    assert Vote.objects.filter(item=item).count() == 5
    tally = selectors.item_tally(item)
    assert (tally.votes_for, tally.votes_against, tally.abstained) == (3, 1, 1)
    ok, _checked, broken = audit_verify_chain()
    assert ok, broken


def test_a_double_click_leaves_one_vote(
    postgres, program, school, coordinator, methodist, secretary
):
    item, seats = _voting_item(program, school, coordinator, methodist, secretary)
    member = seats[0].user
    outcomes = run_together(
        [lambda: services.vote_cast(item_id=item.pk, user=member, choice="for")] * 2, threads=2
    )
    errors = [exc for _r, exc in outcomes if exc is not None]
    assert len(errors) == 1 and isinstance(errors[0], ConflictError), outcomes
    assert Vote.objects.filter(item=item).count() == 1
