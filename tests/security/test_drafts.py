"""Finding 11: a draft never submitted is the school's alone, with its responsible person's
personal data and its attachments. Staff (methodists, secretaries, the department), council
members and administrators see it only once it is submitted; a case returned for revision was
submitted, so staff still see it."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import selectors, services
from councils.models import CouncilMember
from statuses import services as status_services
from tests.factories import ApplicationFactory, UserFactory
from tests.pdf_builder import build_pdf
from tests.story import act, council_of, submitted

pytestmark = pytest.mark.django_db

PDF = build_pdf()  # a real, readable PDF: uploads are checked inside (documents.content_checks)


@pytest.fixture
def draft(coordinator, school, program):
    application = ApplicationFactory(
        organisation=school,
        created_by=coordinator,
        program=program,
        responsible_name="Секретова Анна Ивановна",
        responsible_email="secret-person@example.org",
    )
    upload = SimpleUploadedFile("passport.pdf", PDF, content_type="application/pdf")
    services.application_attach(application_id=application.pk, user=coordinator, uploaded=upload)
    return application


@pytest.fixture
def attachment(draft):
    return draft.attachments.get()


@pytest.fixture
def staff(methodist, secretary, official, program):
    council = council_of(program, secretary=secretary)
    member = council.members.filter(role=CouncilMember.Role.MEMBER).first().user
    chair = council.members.filter(role=CouncilMember.Role.CHAIR).first().user
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    return {
        "methodist": methodist,
        "secretary": secretary,
        "official": official,
        "member": member,
        "chair": chair,
        "superuser": root,
    }


def _pages(client, draft, attachment):
    return {
        "detail": client.get(reverse("application-detail", args=[draft.pk])).status_code,
        "chart": client.get(reverse("application-chart", args=[draft.pk])).status_code,
        "file": client.get(
            reverse("attachment-download", args=[draft.pk, attachment.pk])
        ).status_code,
        "document": client.get(reverse("document-detail", args=[attachment.pk])).status_code,
        "download": client.get(reverse("document-download", args=[attachment.pk, 1])).status_code,
    }


@pytest.mark.parametrize(
    "role", ["methodist", "secretary", "official", "member", "chair", "superuser"]
)
def test_staff_do_not_see_a_draft_on_the_pages(client, staff, role, draft, attachment):
    client.force_login(staff[role])
    assert _pages(client, draft, attachment) == {
        "detail": 404,
        "chart": 404,
        "file": 404,
        "document": 404,
        "download": 404,
    }
    listing = client.get(reverse("application-list")).content.decode()
    assert "Секретова" not in listing
    assert reverse("application-detail", args=[draft.pk]) not in listing


@pytest.mark.parametrize(
    "role", ["methodist", "secretary", "official", "member", "chair", "superuser"]
)
def test_staff_do_not_see_a_draft_in_the_api(client_for, staff, role, draft, attachment):
    api = client_for(staff[role])
    listed = [row["id"] for row in api.get("/api/applications/").json()["results"]]
    assert draft.pk not in listed
    assert api.get(f"/api/applications/{draft.pk}/").status_code == 404
    download = f"/api/documents/{attachment.pk}/versions/1/download/"
    assert api.get(download).status_code == 404


def test_the_schools_coordinator_sees_the_draft_everywhere(
    client, client_for, coordinator, draft, attachment
):
    client.force_login(coordinator)
    assert set(_pages(client, draft, attachment).values()) == {200}
    listing = client.get(reverse("application-list")).content.decode()
    assert reverse("application-detail", args=[draft.pk]) in listing
    api = client_for(coordinator)
    assert api.get(f"/api/applications/{draft.pk}/").status_code == 200
    listed = [row["id"] for row in api.get("/api/applications/").json()["results"]]
    assert draft.pk in listed


def test_once_submitted_staff_see_it_and_after_a_return_they_still_do(
    client, coordinator, school, program, methodist
):
    application = submitted(coordinator=coordinator, school=school, program=program)
    assert selectors.application_visible_qs(methodist).filter(pk=application.pk).exists()
    act(methodist, application, decision="return", comment="Уточните цели")
    application.refresh_from_db()
    assert application.state == application.State.RETURNED
    client.force_login(methodist)
    assert client.get(reverse("application-detail", args=[application.pk])).status_code == 200


def test_the_admin_lists_no_draft_and_does_not_open_one(client, staff, draft):
    client.force_login(staff["superuser"])
    listing = client.get(reverse("admin:workflows_application_changelist"))
    assert listing.status_code == 200
    assert "Секретова" not in listing.content.decode()
    assert f"/{draft.pk}/change/" not in listing.content.decode()
    opened = client.get(reverse("admin:workflows_application_change", args=[draft.pk]))
    assert opened.status_code in (302, 404)  # the admin redirects a missing object to its list
    assert "secret-person@example.org" not in opened.content.decode()


def test_the_admin_document_list_hides_a_drafts_attachments(client, staff, attachment):
    client.force_login(staff["superuser"])
    listing = client.get(reverse("admin:documents_document_changelist")).content.decode()
    assert "passport" not in listing
    opened = client.get(reverse("admin:documents_document_change", args=[attachment.pk]))
    assert "passport.pdf" not in opened.content.decode()


def test_a_renewal_draft_is_not_linked_from_the_status_page_for_staff(
    client, granted_status, coordinator, methodist
):
    with time_machine.travel(datetime.datetime(2029, 6, 1, 10, tzinfo=ZoneInfo("Asia/Tomsk"))):
        renewal = status_services.renewal_application_create(
            user=coordinator, status_id=granted_status.pk
        )
        link = reverse("application-detail", args=[renewal.pk])
        client.force_login(methodist)
        page = client.get(reverse("status-detail", args=[granted_status.pk])).content.decode()
        assert link not in page
        client.force_login(coordinator)
        page = client.get(reverse("status-detail", args=[granted_status.pk])).content.decode()
        assert link in page
