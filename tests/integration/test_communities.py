"""Klin 3.1: the workshop curates communities (problem groups, the Young teacher's school, the
Pedagogical class): a methodist sets one up with a member as its curator; the curator keeps its
participants and plan and marks each item done with its result; other members read it; other
programmes' people do not see it."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from communities import services
from communities.models import Community
from core.errors import NotAllowed
from tests.factories import OrganisationFactory, ProgramFactory, UserFactory, status_held

pytestmark = pytest.mark.django_db


def _member(program, username: str):
    user = UserFactory(username=username, last_name=username.title(), first_name="Анна")
    holder = OrganisationFactory(name=f"{username} А.", short_name=username)
    status_held(program, holder=holder, member=user)
    return user


def test_a_community_is_set_up_kept_by_its_curator_and_read_by_members(client, workshop, methodist):
    curator = _member(workshop, "curator")
    other_member = _member(workshop, "reader")
    outsider = UserFactory(username="outsider")

    client.force_login(methodist)
    page = client.get(reverse("community-list")).content.decode()
    assert "Куратор (член программы)" in page and "Curator (a member" not in page
    response = client.post(
        reverse("community-list"),
        {"kind": "young_teachers", "name": "Школа молодого педагога", "curator": outsider.pk},
    )
    assert "Куратор — один из членов программы." in response.content.decode()
    response = client.post(
        reverse("community-list"),
        {"kind": "young_teachers", "name": "Школа молодого педагога", "curator": curator.pk},
    )
    community = Community.objects.get()
    assert response.status_code == 302 and community.curator == curator

    # The curator keeps the participants and the plan.
    client.force_login(curator)
    url = reverse("community-detail", args=[community.pk])
    client.post(url, {"action": "participants", "participants": "Иванова И. И.\n\nПетров П. П.\n"})
    client.post(
        url,
        {
            "action": "plan_add",
            "academic_year": "2026",
            "title": "Семинар «Первый урок»",
            "due": "15.11.2026",
            "responsible": "Куратор А.",
        },
    )
    community.refresh_from_db()
    assert community.participant_list == ["Иванова И. И.", "Петров П. П."]
    item = community.plan_items.get()
    client.post(
        url, {"action": "plan_done", "item": item.pk, "done_on": "16.11.2026", "result": ""}
    )
    item.refresh_from_db()
    assert item.done_on is None  # a result is required
    client.post(
        url,
        {
            "action": "plan_done",
            "item": item.pk,
            "done_on": "16.11.2026",
            "result": "18 участников",
        },
    )
    item.refresh_from_db()
    assert item.done_on == datetime.date(2026, 11, 16) and item.result == "18 участников"

    # Another member reads it and cannot change it; an outsider does not see it.
    client.force_login(other_member)
    page = client.get(url).content.decode()
    assert "Семинар «Первый урок»" in page and 'value="plan_add"' not in page
    assert client.post(url, {"action": "participants", "participants": "x"}).status_code == 404
    with pytest.raises(NotAllowed):
        services.participants_set(user=other_member, community_id=community.pk, participants="x")
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    actions = list(
        AuditEvent.objects.filter(object_type="communities.community").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "community.create",
        "community.participants",
        "community.plan_add",
        "community.plan_done",
    ]


def test_another_programmes_methodist_sets_up_none_here(workshop):
    from applications import roles
    from tests.factories import serve

    tomsk = ProgramFactory(code="tomsk-x", registration_prefix="ТХ")
    their_methodist = UserFactory(username="tomsk_methodist", groups=[roles.METHODISTS])
    serve(tomsk, their_methodist)
    curator = _member(workshop, "curator")
    with pytest.raises(NotAllowed):
        services.community_create(
            user=their_methodist,
            program_id=workshop.pk,
            kind="problem_group",
            name="Проблемная группа",
            curator_id=curator.pk,
        )
