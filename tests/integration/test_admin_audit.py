"""Reference data edited in the admin is audited: a council's seats (who may vote and see its
cases), a person's roles, the production calendar. Each event names what changed, before and
after, and the chain still verifies."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from applications import roles
from audit.models import AuditEvent
from audit.services import audit_verify_chain
from councils.models import CouncilMember
from statuses.models import CalendarDay
from tests.factories import CouncilFactory, CouncilMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    client.root = root
    return client


def _council_form(council, seats, extra=()):
    """The council's change form as the admin page posts it: the council's fields and its
    seats inline (`members-N-...`)."""
    data = {
        "program": council.program_id,
        "name": council.name,
        "quorum_rule": council.quorum_rule,
        "decision_rule": council.decision_rule,
        "tie_rule": council.tie_rule,
        "min_meetings_per_year": council.min_meetings_per_year,
        "default_place": council.default_place,
        "members-TOTAL_FORMS": len(seats) + len(extra),
        "members-INITIAL_FORMS": len(seats),
        "members-MIN_NUM_FORMS": 0,
        "members-MAX_NUM_FORMS": 1000,
    }
    for n, row in enumerate([*seats, *extra]):
        for key, value in row.items():
            data[f"members-{n}-{key}"] = value
        data[f"members-{n}-council"] = council.pk
    return data


def _seat(seat, **changes):
    row = {
        "id": seat.pk,
        "user": seat.user_id,
        "role": seat.role,
        "valid_from": seat.valid_from.strftime("%d.%m.%Y"),
        "valid_until": seat.valid_until.strftime("%d.%m.%Y") if seat.valid_until else "",
    }
    return {**row, **changes}


def test_seats_added_changed_and_removed_in_the_admin_are_audited(admin_client):
    council = CouncilFactory()
    kept = CouncilMemberFactory(council=council)
    leaving = CouncilMemberFactory(council=council)
    newcomer = UserFactory(username="newcomer")
    url = reverse("admin:councils_council_change", args=[council.pk])

    data = _council_form(
        council,
        [_seat(kept, valid_until="31.12.2026"), _seat(leaving, DELETE="on")],
        extra=[{"user": newcomer.pk, "role": "member", "valid_from": "01.12.2026"}],
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    assert not CouncilMember.objects.filter(pk=leaving.pk).exists()
    events = {
        e.action: e
        for e in AuditEvent.objects.filter(
            object_type="councils.council", object_id=str(council.pk)
        )
    }
    assert set(events) == {
        "councilmember.admin_create",
        "councilmember.admin_update",
        "councilmember.admin_delete",
    }
    assert all(e.actor == admin_client.root for e in events.values())
    changed = events["councilmember.admin_update"]
    assert changed.data["row_id"] == kept.pk
    assert changed.data["valid_until"] == [None, "2026-12-31"]
    assert events["councilmember.admin_delete"].data["row_id"] == leaving.pk
    created = events["councilmember.admin_create"]
    assert created.data["user"][1] == str(newcomer)
    assert audit_verify_chain()[0]

    # Saving the page unchanged writes nothing.
    before = AuditEvent.objects.count()
    kept.refresh_from_db()
    seats = list(council.members.order_by("pk"))
    assert (
        admin_client.post(url, _council_form(council, [_seat(s) for s in seats])).status_code == 302
    )
    assert AuditEvent.objects.count() == before


def test_a_persons_roles_changed_in_the_admin_are_audited_without_the_password(admin_client):
    person = UserFactory(username="ivanova", first_name="Анна", last_name="Иванова")
    url = reverse("admin:accounts_user_change", args=[person.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "username": person.username,
            "date_joined_0": person.date_joined.strftime("%d.%m.%Y"),
            "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
            "groups": [Group.objects.get(name=roles.METHODISTS).pk],
            "user_permissions": [],
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    event = AuditEvent.objects.get(action="user.admin_update", object_id=str(person.pk))
    assert event.data["groups"] == [[], [roles.METHODISTS]]
    assert "password" not in event.data


def test_a_calendar_day_entered_and_deleted_in_the_admin_is_audited(admin_client):
    add = reverse("admin:statuses_calendarday_add")
    response = admin_client.post(
        add, {"date": "03.03.2028", "kind": "day_off", "note": "Перенос с 02.01.2027"}
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=datetime.date(2028, 3, 3))
    created = AuditEvent.objects.get(action="calendarday.admin_create")
    assert created.object_id == str(day.pk)
    assert created.data["note"] == [None, "Перенос с 02.01.2027"]

    delete = reverse("admin:statuses_calendarday_delete", args=[day.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert AuditEvent.objects.filter(
        action="calendarday.admin_delete", object_id=str(day.pk)
    ).exists()


def test_opening_a_person_or_an_application_in_the_admin_is_a_logged_read(admin_client):
    from audit.services import PERSONAL_DATA_READ
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(state="at_methodist")  # a draft is the school's alone
    person = UserFactory(username="petrov")
    for url, obj_type, pk in (
        (
            reverse("admin:workflows_application_change", args=[application.pk]),
            "workflows.application",
            application.pk,
        ),
        (reverse("admin:accounts_user_change", args=[person.pk]), "accounts.user", person.pk),
    ):
        assert admin_client.get(url).status_code == 200
        event = AuditEvent.objects.get(
            action=PERSONAL_DATA_READ, object_type=obj_type, object_id=str(pk)
        )
        assert event.actor == admin_client.root and event.data["channel"] == "admin"
        assert event.data["fields"]
    # The list of cases shows no personal data and is not logged as a read.
    before = AuditEvent.objects.filter(action=PERSONAL_DATA_READ).count()
    assert admin_client.get(reverse("admin:workflows_application_changelist")).status_code == 200
    assert AuditEvent.objects.filter(action=PERSONAL_DATA_READ).count() == before
