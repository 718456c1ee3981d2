"""What the API answers when a request cannot be done: always JSON a person can act on."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from knox.models import AuthToken
from viewflow.workflow.status import STATUS

from applications import selectors
from applications.models import Application
from documents.models import Document, Version
from tests.api.helpers import in_ru
from tests.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def application(coordinator, school, program):
    return ApplicationFactory(organisation=school, created_by=coordinator, program=program)


def submitted(client_for, application):
    response = client_for(application.created_by).post(
        f"/api/applications/{application.pk}/submit/"
    )
    assert response.status_code == 200, response.json()
    application.refresh_from_db()
    return application


def open_task_id(application):
    application.refresh_from_db()
    return selectors.application_open_task(application).pk


def test_incomplete_application_is_not_submitted_and_says_what_is_missing(
    client_for, coordinator, school, program
):
    application = ApplicationFactory(
        organisation=school, created_by=coordinator, program=program, topic="", events=[1]
    )
    response = client_for(coordinator).post(f"/api/applications/{application.pk}/submit/")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"topic", "planned_events"}
    assert "2, 3" in body["errors"]["planned_events"][0]
    assert body["detail"]
    application.refresh_from_db()
    assert application.state == Application.State.DRAFT
    assert application.reg_number == ""
    assert application.process is None


def test_submitting_twice_is_a_conflict(client_for, application):
    submitted(client_for, application)
    response = client_for(application.created_by).post(
        f"/api/applications/{application.pk}/submit/"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert application.reg_number in response.json()["detail"]


def test_completing_the_same_step_twice_is_a_conflict(client_for, application, methodist):
    submitted(client_for, application)
    task_id = open_task_id(application)
    client = client_for(methodist)
    first = client.post(f"/api/tasks/{task_id}/complete/", {"decision": "accept"}, format="json")
    assert first.status_code == 200, first.json()

    again = client.post(f"/api/tasks/{task_id}/complete/", {"decision": "accept"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert again.json()["detail"]


def test_a_step_of_another_role_is_forbidden_and_left_untouched(client_for, application, secretary):
    submitted(client_for, application)
    task_id = open_task_id(application)

    claim = client_for(secretary).post(f"/api/tasks/{task_id}/claim/")
    assert claim.status_code == 403
    assert claim.json()["code"] == "not_allowed"
    complete = client_for(secretary).post(
        f"/api/tasks/{task_id}/complete/", {"decision": "accept"}, format="json"
    )
    assert complete.status_code == 403
    assert complete.json()["code"] == "not_allowed"

    application.refresh_from_db()
    task = selectors.application_open_task(application)
    assert task.status == STATUS.NEW and task.owner is None
    assert application.state == Application.State.AT_METHODIST


def test_an_invalid_decision_gets_field_errors_from_the_steps_form(
    client_for, application, methodist
):
    submitted(client_for, application)
    task_id = open_task_id(application)
    response = client_for(methodist).post(
        f"/api/tasks/{task_id}/complete/", {"decision": "return", "comment": " "}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"comment"}  # CheckForm: say what to correct
    application.refresh_from_db()
    assert application.state == Application.State.AT_METHODIST

    unknown = client_for(methodist).post(
        f"/api/tasks/{task_id}/complete/", {"decision": "maybe"}, format="json"
    )
    assert unknown.status_code == 400
    assert set(unknown.json()["errors"]) == {"decision"}


def test_another_school_cannot_read_or_touch_the_case(
    client_for, application, methodist, other_coordinator
):
    submitted(client_for, application)
    methodist_client = client_for(methodist)
    task_id = open_task_id(application)
    methodist_client.post(
        f"/api/tasks/{task_id}/complete/",
        {"decision": "return", "comment": "Уточните план"},
        format="json",
    )
    revise_task_id = open_task_id(application)

    other = client_for(other_coordinator)
    response = other.get(f"/api/applications/{application.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert other.get("/api/applications/").json()["results"] == []
    assert other.get("/api/tasks/").json()["results"] == []
    assert other.get(f"/api/tasks/{revise_task_id}/").status_code == 404
    response = other.post(f"/api/tasks/{revise_task_id}/complete/", {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert other.post(f"/api/tasks/{revise_task_id}/claim/").status_code == 404
    assert other.post(f"/api/applications/{application.pk}/submit/").status_code == 404
    assert (
        other.patch(
            f"/api/applications/{application.pk}/", {"topic": "чужая"}, format="json"
        ).status_code
        == 404
    )

    application.refresh_from_db()
    assert application.state == Application.State.RETURNED
    assert application.topic != "чужая"


def test_a_school_cannot_create_for_an_organisation_it_does_not_act_for(
    client_for, other_coordinator, school, program
):
    response = client_for(other_coordinator).post(
        "/api/applications/", {"organisation": school.pk, "topic": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert not Application.objects.exists()


def test_bad_draft_input_gets_field_errors_and_creates_nothing(client_for, coordinator, program):
    response = client_for(coordinator).post(
        "/api/applications/",
        {
            "responsible_email": "not an e-mail",
            "direction": "nonsense",
            "program": "abc",
            "planned_events": [{"year_index": 7, "title": "", "timing": "май"}, "oops"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "responsible_email",
        "direction",
        "program",
        "planned_events.0.year_index",  # a draft's event may lack its title, not a real year
        "planned_events.1",
    }
    assert not Application.objects.exists()


def test_a_non_object_body_is_a_400_not_a_500(client_for, coordinator, program):
    response = client_for(coordinator).post("/api/applications/", [1, 2], format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    broken = client_for(coordinator).post(
        "/api/applications/", "{not json", content_type="application/json"
    )
    assert broken.status_code == 400
    assert broken.json()["code"] == "parse_error"


def test_a_submitted_application_cannot_be_edited(client_for, application):
    submitted(client_for, application)
    response = client_for(application.created_by).patch(
        f"/api/applications/{application.pk}/", {"topic": "Другая тема"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_a_fake_document_is_refused_with_a_clear_message_and_nothing_is_stored(
    client_for, application
):
    fake = SimpleUploadedFile(
        "plan.docx",
        b"This is plain text pretending to be a document.",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response = client_for(application.created_by).post(
        f"/api/applications/{application.pk}/attachments/", {"file": fake}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    (message,) = body["errors"]["file"]
    assert "plan.docx" in message and "PDF" in message  # names the file and what is allowed
    assert body["detail"] == message
    assert not Document.objects.exists()
    assert not Version.objects.exists()


def test_an_upload_without_a_file_is_a_field_error(client_for, application):
    response = client_for(application.created_by).post(
        f"/api/applications/{application.pk}/attachments/", {"title": "x"}, format="multipart"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"file"}


def test_anonymous_requests_are_refused_in_json(client_for):
    for url in ("/api/applications/", "/api/tasks/", "/api/statuses/"):
        response = client_for(None).get(url)
        assert response.status_code in (401, 403)
        assert response.json()["code"] == "not_authenticated"
        assert response.json()["detail"]


def test_token_authentication(client, application, coordinator):
    _, token = AuthToken.objects.create(user=coordinator)
    response = client.get("/api/applications/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == [application.pk]

    wrong = client.get("/api/applications/", HTTP_AUTHORIZATION="Token not-a-real-token")
    # 401 once TokenAuthentication is listed first in REST_FRAMEWORK; 403 while Session is.
    assert wrong.status_code in (401, 403)
    assert wrong.json()["code"] == "authentication_failed"


def test_the_council_step_is_not_a_task_anyone_completes(
    client_for, application, methodist, secretary
):
    """The case waits for a meeting: posting a decision to its step is refused, nothing moves."""
    submitted(client_for, application)
    client_for(methodist).post(
        f"/api/tasks/{open_task_id(application)}/complete/", {"decision": "accept"}, format="json"
    )
    response = client_for(secretary).post(
        f"/api/tasks/{open_task_id(application)}/complete/",
        {"decision": "granted", "reasons": "Да", "meeting_date": "2026-11-19"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    application.refresh_from_db()
    assert application.state == "at_council"


def test_errors_speak_the_users_language(client_for, coordinator):
    client = client_for(coordinator)
    russian = client.get("/api/applications/999999/").json()["detail"]
    english = client.get("/api/applications/999999/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert english.startswith("Not found")
    assert russian == in_ru(
        "Not found: it does not exist or you may not see it. Check the address or the id."
    )


def test_organisation_and_programme_default_only_when_there_is_one_choice(
    client_for, coordinator, school, program
):
    client = client_for(coordinator)
    response = client.post("/api/applications/", {"topic": "Тема"}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["organisation"], response.json()["program"]) == (school.pk, program.pk)

    ProgramFactory(code="klin", title="Клинская мастерская", registration_prefix="К")
    response = client.post("/api/applications/", {"topic": "Тема"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"program"}
    assert Application.objects.count() == 1
