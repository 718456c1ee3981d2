"""152-ФЗ: the API logs who was shown the responsible person's contacts, as the pages do."""

import pytest

from applications import selectors
from audit.models import AuditEvent
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_reading_an_application_logs_the_personal_data_shown(
    client_for, coordinator, school, program, methodist
):
    application = ApplicationFactory(
        organisation=school, created_by=coordinator, program=program, state="at_methodist"
    )
    body = client_for(methodist).get(f"/api/applications/{application.pk}/").json()
    assert body["responsible_phone"] == application.responsible_phone

    event = AuditEvent.objects.get(action="personal_data.read")
    assert event.actor == methodist
    assert event.object_id == str(application.pk)
    assert event.data == {"fields": selectors.PERSONAL_FIELDS, "channel": "api"}
    assert all(e["action"] != "personal_data.read" for e in body["timeline"])


def test_lists_show_no_personal_data_and_log_nothing(client_for, coordinator, school, program):
    ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    (row,) = client_for(coordinator).get("/api/applications/").json()["results"]
    assert not set(selectors.PERSONAL_FIELDS) & set(row)
    assert not AuditEvent.objects.filter(action="personal_data.read").exists()


def test_nothing_is_logged_for_a_case_the_user_may_not_see(
    client_for, coordinator, school, program, other_coordinator
):
    application = ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    assert (
        client_for(other_coordinator).get(f"/api/applications/{application.pk}/").status_code == 404
    )
    assert not AuditEvent.objects.filter(action="personal_data.read").exists()
