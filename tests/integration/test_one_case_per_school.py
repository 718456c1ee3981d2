"""A school has one case of a programme at a time (decisions.md 37), so the department never
approves two statuses for it: before this rule one order could list two applications of one
school, the second grant job failed for ever, and that case said "granted" with no status."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from applications import services
from applications.models import Application
from core.errors import ConflictError
from documents.models import Document
from statuses.models import Status
from tests.api.helpers import in_ru
from tests.factories import ApplicationFactory, ProgramFactory
from tests.story import act, council_decides, council_of, meeting_decides, submitted

pytestmark = pytest.mark.django_db
State = Application.State
NOW = datetime.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Tomsk"))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _draft(school, coordinator, program):
    return ApplicationFactory(organisation=school, created_by=coordinator, program=program)


def test_a_second_application_of_the_school_is_refused_at_submission(coordinator, school, program):
    first = submitted(coordinator=coordinator, school=school, program=program)
    second = _draft(school, coordinator, program)

    with pytest.raises(ValidationError) as caught:
        services.application_submit(application_id=second.pk, user=coordinator)

    message = caught.value.message_dict["organisation"][0]
    assert first.reg_number in message and "рассматривается" in message
    second.refresh_from_db()
    assert (second.state, second.reg_number, second.process) == (State.DRAFT, "", None)
    assert Document.objects.filter(kind=Document.Kind.APPLICATION).count() == 1


def test_the_same_school_never_waits_twice_for_one_order(
    coordinator, school, program, methodist, secretary, official
):
    """The issue's case: two applications of one school granted by the council at one meeting
    and listed in one order. The second never reaches the council now, so no order lists it."""
    first = submitted(coordinator=coordinator, school=school, program=program)
    second = _draft(school, coordinator, program)
    with pytest.raises(ValidationError):
        services.application_submit(application_id=second.pk, user=coordinator)
    act(methodist, first, decision="accept", comment="")
    meeting_decides(
        council_of(program, secretary=secretary),
        {first: ("granted", "Соответствует положению")},
        secretary=secretary,
        meeting_date=NOW.date(),
    )
    first.refresh_from_db()
    assert first.state == State.AT_DEPARTMENT
    # While the first waits for the order, the second still cannot be submitted.
    with pytest.raises(ValidationError):
        services.application_submit(application_id=second.pk, user=coordinator)
    act(official, first, decision="approve", order_number="1-р", order_date=NOW.date(), comment="")
    # Granted, the status not entered yet (the background job): still refused, now saying so.
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application_id=second.pk, user=coordinator)
    assert "вносится в реестр" in caught.value.message_dict["organisation"][0]
    status = services.status_grant(application=first)
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application_id=second.pk, user=coordinator)
    assert "на продление" in caught.value.message_dict["organisation"][0]
    assert Status.objects.filter(organisation=school).get() == status


def test_a_refused_application_frees_the_school_to_apply_again(
    coordinator, school, program, methodist, secretary
):
    first = submitted(coordinator=coordinator, school=school, program=program)
    council_decides(
        first,
        methodist=methodist,
        secretary=secretary,
        decision="refused",
        reasons="Не соответствует",
        meeting_date=NOW.date(),
    )
    first.refresh_from_db()
    assert first.state == State.REFUSED
    second = _draft(school, coordinator, program)
    services.application_submit(application_id=second.pk, user=coordinator)
    second.refresh_from_db()
    assert second.state == State.AT_METHODIST


def test_another_programme_or_another_school_is_not_affected(coordinator, school, program):
    submitted(coordinator=coordinator, school=school, program=program)
    klin = ProgramFactory(code="klin", registration_prefix="МН")
    other = _draft(school, coordinator, klin)
    services.application_submit(application_id=other.pk, user=coordinator)
    other.refresh_from_db()
    assert other.state == State.AT_METHODIST
    elsewhere = ApplicationFactory(program=program)
    services.application_submit(application_id=elsewhere.pk, user=elsewhere.created_by)
    elsewhere.refresh_from_db()
    assert elsewhere.state == State.AT_METHODIST


def test_a_holder_cannot_start_a_new_application_only_a_renewal(
    granted_status, coordinator, school, program
):
    with pytest.raises(ConflictError) as caught:
        services.application_create(
            user=coordinator, organisation=school, program=program, fields={}, events=[]
        )
    assert "31.08.2029" in str(caught.value.message) and "продление" in str(caught.value.message)
    assert not Application.objects.filter(state=State.DRAFT).exists()


def test_a_school_with_a_case_under_review_cannot_start_another(coordinator, school, program):
    first = submitted(coordinator=coordinator, school=school, program=program)
    with pytest.raises(ConflictError) as caught:
        services.application_create(
            user=coordinator, organisation=school, program=program, fields={}, events=[]
        )
    assert first.reg_number in str(caught.value.message)


def test_the_database_keeps_one_case_under_review_per_school(school, program):
    ApplicationFactory(program=program, organisation=school, state=State.AT_COUNCIL)
    ApplicationFactory(program=program, organisation=school, state=State.DRAFT)
    ApplicationFactory(program=program, organisation=school, state=State.REFUSED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(program=program, organisation=school, state=State.RETURNED)


def test_the_page_and_the_api_say_it_in_russian(
    client, coordinator, school, program, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    first = submitted(coordinator=coordinator, school=school, program=program)
    second = _draft(school, coordinator, program)
    expected = in_ru(
        "%(org)s already has application %(number)s under review in this programme; a "
        "school has one case at a time. Wait for its decision."
    ) % {"org": school, "number": first.reg_number}
    assert "уже" in expected

    client.force_login(coordinator)
    client.cookies["django_language"] = "ru"
    page = client.post(reverse("application-submit", args=[second.pk]), follow=True)
    assert expected in page.content.decode()

    api = APIClient()
    api.force_authenticate(coordinator)
    response = api.post(f"/api/applications/{second.pk}/submit/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert response.json()["errors"]["organisation"] == [expected]
    response = api.post(
        "/api/applications/",
        {"organisation": school.pk, "program": program.pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 409, response.json()
    assert response.json()["detail"] == expected
