"""Every submission of an application renders a new version of its registered print form: after
a return and a correction the journal's document holds the corrected text, the first version
still holds the original, and the case shows the versions and what changed between them."""

import lxml.html
import pytest
from django.urls import reverse

from applications import services
from applications.models import Application
from documents.models import Document, Version
from tests.documents_helpers import pdf_text
from tests.factories import ApplicationFactory
from tests.story import act

pytestmark = pytest.mark.django_db

FIRST_TOPIC = "Наставничество как ресурс адаптации"
CORRECTED_TOPIC = "Сетевое наставничество молодых учителей"


def pdf_of(version: Version) -> str:
    with version.file.open("rb") as handle:
        return pdf_text(handle.read())


def pdf_versions(document: Document) -> list[Version]:
    return list(document.versions.filter(content_type="application/pdf").order_by("number"))


@pytest.fixture
def resubmitted(coordinator, school, program, methodist, django_capture_on_commit_callbacks):
    """Submitted, returned by the methodist, corrected by the school and submitted again."""
    application = ApplicationFactory(
        program=program, organisation=school, created_by=coordinator, topic=FIRST_TOPIC
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application_id=application.pk, user=coordinator)
    application.refresh_from_db()
    act(methodist, application, decision="return", comment="Уточните тему")
    services.application_update(
        application_id=application.pk,
        user=coordinator,
        fields={"topic": CORRECTED_TOPIC, "partners": "ТГПУ\nТПУ"},
        events=[
            {"year_index": y, "title": f"Семинар, год {y}", "timing": "ноябрь", "audience": ""}
            for y in (1, 2, 3)
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application_id=application.pk, user=coordinator)
    application.refresh_from_db()
    return application


def test_a_resubmission_renders_a_new_version_and_keeps_the_first(resubmitted):
    assert resubmitted.state == Application.State.AT_METHODIST
    (document,) = Document.objects.filter(kind=Document.Kind.APPLICATION)
    assert document.reg_number == resubmitted.reg_number  # the same registered document
    first, second = pdf_versions(document)
    assert document.current_version == second
    first_text, second_text = (" ".join(pdf_of(v).split()) for v in (first, second))
    assert FIRST_TOPIC in first_text and CORRECTED_TOPIC not in first_text
    assert CORRECTED_TOPIC in second_text and FIRST_TOPIC not in second_text
    assert "ТПУ" in second_text and "ноябрь" in second_text
    assert "Редакция 2" in second_text


def test_each_submission_keeps_what_was_sent_whatever_the_row_says_now(resubmitted, coordinator):
    first, second = resubmitted.submissions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert first.submitted_by == second.submitted_by == coordinator
    assert first.data["fields"]["topic"] == FIRST_TOPIC
    assert second.data["fields"]["topic"] == CORRECTED_TOPIC
    Application.objects.filter(pk=resubmitted.pk).update(topic="Изменено позже")
    assert resubmitted.submissions.get(number=1).data["fields"]["topic"] == FIRST_TOPIC


def test_the_case_page_lists_the_versions_with_what_changed(client, resubmitted, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("application-detail", args=[resubmitted.pk])).content.decode()
    section = lxml.html.fromstring(html).get_element_by_id("submissions")
    rows = section.xpath(".//tbody/tr[@data-submission]")
    assert [r.get("data-submission") for r in rows] == ["2", "1"]  # newest first
    (document,) = Document.objects.filter(kind=Document.Kind.APPLICATION)
    first, second = pdf_versions(document)
    links = [a.get("href") for a in section.iter("a")]
    for version in (first, second):
        assert reverse("document-download", args=[document.pk, version.number]) in links
    text = " ".join(section.text_content().split())
    assert coordinator.get_full_name() in text
    # What changed, with Russian labels: the topic, a partner and the timing of every event.
    assert f"Тема площадки: {FIRST_TOPIC} → {CORRECTED_TOPIC}" in text
    assert "Партнеры" in text and "ТПУ" in text
    assert "Семинар, год 2, октябрь → Семинар, год 2, ноябрь" in text
    # Each version downloads as it was.
    response = client.get(reverse("document-download", args=[document.pk, first.number]))
    assert FIRST_TOPIC in pdf_text(b"".join(response.streaming_content))


def test_the_api_lists_the_submissions_with_their_versions(resubmitted, coordinator):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(coordinator)
    case = client.get(f"/api/applications/{resubmitted.pk}/").json()
    second, first = case["submissions"]
    assert (second["number"], first["number"]) == (2, 1)
    assert second["print_state"] == first["print_state"] == "ready"
    assert first["version"] < second["version"]
    assert {"label": "Тема площадки", "before": FIRST_TOPIC, "after": CORRECTED_TOPIC} in second[
        "changes"
    ]
    response = client.get(first["download_url"])
    assert FIRST_TOPIC in " ".join(pdf_text(b"".join(response.streaming_content)).split())
