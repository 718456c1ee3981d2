"""The council's services refuse what a real council would not do, and change nothing then."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.errors import ConflictError, NotAllowed
from councils import selectors, services
from councils.models import Attendance, Meeting, Protocol, Recusal, Vote
from programmes.models import OrganisationMembership
from tests.factories import CouncilMemberFactory, OrganisationFactory, UserFactory
from tests.story import act, council_of, submitted

pytestmark = pytest.mark.django_db(transaction=True)
DAY = datetime.date(2026, 11, 20)


@pytest.fixture
def council(program, secretary):
    return council_of(program, secretary=secretary)


def _open_meeting(council, secretary, application=None, *, day=DAY):
    meeting = services.meeting_create(council_id=council.pk, user=secretary, date=day)
    item = services.agenda_item_add(
        meeting_id=meeting.pk,
        user=secretary,
        application_id=application.pk if application else None,
        title="" if application else "Разное",
    )
    seats = list(selectors.members_on(council, day))
    services.attendance_record(
        meeting_id=meeting.pk, user=secretary, member_ids=[s.pk for s in seats], guests=[]
    )
    services.meeting_open(meeting_id=meeting.pk, user=secretary)
    return meeting, item, seats


def test_meetings_are_numbered_within_their_year(council, secretary):
    numbers = [
        services.meeting_create(council_id=council.pk, user=secretary, date=d).number
        for d in (DAY, DAY + datetime.timedelta(days=7), datetime.date(2027, 1, 20))
    ]
    assert numbers == [1, 2, 1]


def test_only_waiting_cases_go_on_the_agenda(council, secretary, coordinator, school, program):
    application = submitted(coordinator=coordinator, school=school, program=program)
    meeting = services.meeting_create(council_id=council.pk, user=secretary, date=DAY)
    with pytest.raises(ConflictError):  # still at the methodist
        services.agenda_item_add(
            meeting_id=meeting.pk, user=secretary, application_id=application.pk
        )
    with pytest.raises(ValidationError):
        services.agenda_item_add(meeting_id=meeting.pk, user=secretary, title="  ")
    assert not meeting.items.exists()


def test_attendance_takes_only_current_members(council, secretary):
    meeting = services.meeting_create(council_id=council.pk, user=secretary, date=DAY)
    former = CouncilMemberFactory(
        council=council,
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2025, 12, 31),
    )
    with pytest.raises(ValidationError):
        services.attendance_record(
            meeting_id=meeting.pk, user=secretary, member_ids=[former.pk], guests=[]
        )
    assert not Attendance.objects.filter(meeting=meeting).exists()
    assert former not in selectors.members_on(council, DAY)


def test_a_member_of_the_applicant_school_is_recused_automatically(
    council, secretary, methodist, coordinator, school, program
):
    member = council.members.get(user__username="council_member1")
    OrganisationMembership.objects.create(user=member.user, organisation=school)
    application = submitted(coordinator=coordinator, school=school, program=program)
    act(methodist, application, decision="accept", comment="")
    _meeting, item, _seats = _open_meeting(council, secretary, application)
    services.item_voting_start(item_id=item.pk, user=secretary)
    assert Recusal.objects.filter(item=item, member=member).exists()
    with pytest.raises(NotAllowed):
        services.vote_cast(item_id=item.pk, user=member.user, choice="for")
    assert selectors.item_tally(item).eligible == 3
    assert not Vote.objects.filter(item=item).exists()


def test_items_and_meetings_close_in_order(council, secretary):
    meeting, item, seats = _open_meeting(council, secretary)
    with pytest.raises(ConflictError):  # voting not started
        services.item_close(item_id=item.pk, user=secretary, heard="Х", spoke="", decided="Да")
    with pytest.raises(ConflictError):
        services.meeting_close(meeting_id=meeting.pk, user=secretary)
    services.item_voting_start(item_id=item.pk, user=secretary)
    with pytest.raises(ValidationError):
        services.item_close(item_id=item.pk, user=secretary, heard="Х", spoke="", decided=" ")
    for seat in seats:
        services.vote_cast(item_id=item.pk, user=seat.user, choice="abstain")
    item = services.item_close(item_id=item.pk, user=secretary, heard="Х", spoke="", decided="-")
    assert item.outcome == "not_adopted"  # everyone abstained
    protocol = services.meeting_close(meeting_id=meeting.pk, user=secretary)
    assert Meeting.objects.get(pk=meeting.pk).status == "closed"
    services.protocol_sign(protocol_id=protocol.pk, user=secretary)
    with pytest.raises(ConflictError):
        services.protocol_sign(protocol_id=protocol.pk, user=secretary)
    with pytest.raises(NotAllowed):
        services.protocol_sign(protocol_id=protocol.pk, user=UserFactory(username="stranger"))
    assert Protocol.objects.get(pk=protocol.pk).state == "draft"


def test_quorum_is_checked_again_when_voting_opens(council, secretary):
    meeting, item, seats = _open_meeting(council, secretary)
    services.attendance_record(
        meeting_id=meeting.pk, user=secretary, member_ids=[seats[0].pk], guests=[]
    )
    with pytest.raises(ConflictError):
        services.item_voting_start(item_id=item.pk, user=secretary)
    item.refresh_from_db()
    assert item.status == "pending"


def test_a_guest_needs_a_name(council, secretary):
    meeting = services.meeting_create(council_id=council.pk, user=secretary, date=DAY)
    with pytest.raises(ValidationError):
        services.attendance_record(
            meeting_id=meeting.pk, user=secretary, member_ids=[], guests=[{"name": " "}]
        )


def test_an_unrelated_school_is_no_conflict(
    council, secretary, methodist, coordinator, school, program
):
    other = OrganisationFactory()
    member = council.members.get(user__username="council_member1")
    OrganisationMembership.objects.create(user=member.user, organisation=other)
    application = submitted(coordinator=coordinator, school=school, program=program)
    act(methodist, application, decision="accept", comment="")
    _meeting, item, _seats = _open_meeting(council, secretary, application)
    services.item_voting_start(item_id=item.pk, user=secretary)
    services.vote_cast(item_id=item.pk, user=member.user, choice="for")
    assert Vote.objects.filter(item=item).count() == 1
