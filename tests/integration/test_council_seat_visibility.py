"""A council member sees the cases of the programme whose council they sit on, by the seat:
not another town's, not after the seat ends, not merely by being in the members' group."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from applications import roles, selectors
from statuses import selectors as status_selectors
from tests.factories import (
    ApplicationFactory,
    CouncilFactory,
    CouncilMemberFactory,
    ProgramFactory,
    UserFactory,
    serve,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_towns():
    tomsk = ProgramFactory()
    klin = ProgramFactory(code="klin-mw", title="Мастерская наставничества")
    return (
        # Submitted cases: an unsent draft is its school's alone (decision 43).
        ApplicationFactory(program=tomsk, reg_number="ЗСП-2026/0001", state="at_council"),
        ApplicationFactory(program=klin, reg_number="ЗСП-2026/0002", state="at_council"),
    )


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_member_sees_their_councils_programme_only(client, two_towns):
    tomsk_case, klin_case = two_towns
    seat = CouncilMemberFactory(council=CouncilFactory(program=tomsk_case.program))
    member = seat.user

    assert set(selectors.application_visible_qs(member)) == {tomsk_case}
    client.force_login(member)
    assert client.get(reverse("application-detail", args=[tomsk_case.pk])).status_code == 200
    assert client.get(reverse("application-detail", args=[klin_case.pk])).status_code == 404
    listed = client.get(reverse("application-list")).content.decode()
    assert "ЗСП-2026/0001" in listed and "ЗСП-2026/0002" not in listed
    assert _api(member).get(f"/api/applications/{klin_case.pk}/").status_code == 404
    assert _api(member).get(f"/api/applications/{tomsk_case.pk}/").status_code == 200


def test_the_group_alone_shows_nothing_and_an_ended_seat_stops_showing(two_towns):
    tomsk_case, _klin = two_towns
    in_group_only = UserFactory(groups=[roles.COUNCIL_MEMBERS])
    assert not selectors.application_visible_qs(in_group_only).exists()
    assert not status_selectors.status_visible_qs(in_group_only).exists()

    former = CouncilMemberFactory(
        council=CouncilFactory(program=tomsk_case.program),
        valid_until=datetime.date(2020, 12, 31),
    ).user
    assert not selectors.application_visible_qs(former).exists()


def test_staff_see_every_case_of_the_programmes_they_serve(methodist, two_towns):
    tomsk_case, klin_case = two_towns
    assert set(selectors.application_visible_qs(methodist)) == {tomsk_case}
    serve(klin_case.program, methodist)
    assert set(selectors.application_visible_qs(methodist)) == set(two_towns)
