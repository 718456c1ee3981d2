"""The core case through the HTML pages, as each person would click through it."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import selectors
from applications.models import Application
from audit.models import AuditEvent
from documents.models import Document, DocumentDownload
from tests.integration.council_pages import run_meeting
from tests.pdf_builder import build_pdf
from tests.story import council_of

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)

FORM = {
    "topic": "Наставничество как ресурс адаптации молодого учителя",
    "direction": "competence",
    "goals": "Профессиональное развитие молодых учителей",
    "tasks": "Сетевые семинары",
    "expected_results": "Закрепление молодых педагогов",
    "responsible_name": "Иванова Мария Петровна",
    "responsible_position": "Заместитель директора",
    "responsible_phone": "+7 3822 00-00-00",
    "responsible_email": "school@example.org",
    "partners": "ТГПУ",
    "events-TOTAL_FORMS": "3",
    "events-INITIAL_FORMS": "0",
    "events-MIN_NUM_FORMS": "0",
    "events-MAX_NUM_FORMS": "1000",
}
for i in range(3):
    FORM.update(
        {
            f"events-{i}-year_index": str(i + 1),
            f"events-{i}-title": f"Семинар {i + 1}",
            f"events-{i}-timing": "октябрь",
        }
    )


def as_user(client, user):
    client.force_login(user)
    return client


def step(client, application, **data):
    task = selectors.application_open_task(Application.objects.get(pk=application.pk))
    response = client.post(reverse("task-detail", args=[task.pk]), {"action": "complete", **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


@time_machine.travel(NOW, tick=False)
def test_a_newcomer_takes_an_application_from_draft_to_granted_status(
    client, coordinator, school, program, methodist, secretary, official, other_coordinator
):
    # The coordinator fills in Приложение 1 and attaches a letter.
    as_user(client, coordinator)
    response = client.post(
        reverse("application-create"), {**FORM, "organisation": school.pk, "program": program.pk}
    )
    application = Application.objects.get()
    assert response.url == reverse("application-detail", args=[application.pk])
    pdf = SimpleUploadedFile("letter.pdf", build_pdf(), content_type="application/pdf")
    client.post(
        reverse("application-attach", args=[application.pk]), {"file": pdf, "title": "Письмо"}
    )
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    page = client.post(
        reverse("application-attach", args=[application.pk]), {"file": fake}, follow=True
    )
    assert (
        "не является" in page.content.decode() or "not of an allowed type" in page.content.decode()
    )
    assert application.attachments.count() == 1 and Document.objects.count() == 1
    client.post(reverse("application-submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.reg_number == "ЗСП-2026/0001"
    page = client.get(reverse("application-list")).content.decode()
    assert "ЗСП-2026/0001" in page and "На проверке у методиста" in page

    # Another school sees nothing of it.
    as_user(client, other_coordinator)
    assert client.get(reverse("application-detail", args=[application.pk])).status_code == 404
    assert "ЗСП-2026/0001" not in client.get(reverse("application-list")).content.decode()
    doc = application.attachments.get()
    assert (
        client.get(reverse("attachment-download", args=[application.pk, doc.pk])).status_code == 404
    )

    # The methodist finds it in the queue, opens the letter and returns the application.
    as_user(client, methodist)
    assert "ЗСП-2026/0001" in client.get(reverse("task-list")).content.decode()
    download = client.get(reverse("attachment-download", args=[application.pk, doc.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="document.download", actor=methodist).count() == 1
    assert DocumentDownload.objects.get(user=methodist).version == doc.current_version
    read = AuditEvent.objects.get(action="personal_data.read", actor=methodist, object_id=doc.pk)
    assert read.object_type == "documents.document" and read.data["channel"] == "download:v1"
    empty = client.post(
        reverse("task-detail", args=[selectors.application_open_task(application).pk]),
        {"action": "complete", "decision": "return", "comment": ""},
    )
    assert empty.status_code == 200  # the form explains that a comment is needed
    step(
        client, application, decision="return", comment="Добавьте мероприятия для молодых педагогов"
    )

    # The coordinator sees why, corrects and resubmits.
    as_user(client, coordinator)
    page = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "Возвращена на доработку" in page and "Добавьте мероприятия" in page
    edit = {**FORM, "goals": "Уточнённые цели"}
    client.post(reverse("application-edit", args=[application.pk]), edit)
    client.post(reverse("application-submit", args=[application.pk]))

    as_user(client, methodist)
    step(client, application, decision="accept", comment="")
    council = council_of(program, secretary=secretary)
    application.refresh_from_db()
    run_meeting(client, council=council, secretary=secretary, outcomes={application: "granted"})
    as_user(client, official)
    step(client, application, decision="approve", order_number="125-р", order_date="2026-11-20")

    as_user(client, coordinator)
    page = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "Статус присвоен до 31.08.2029" in page
    assert "Уточнённые цели" in page
    registry = client.get(reverse("registry")).content.decode()
    assert school.name in registry and "31.08.2029" in registry and "125-р" in registry
    chart = client.get(reverse("application-chart", args=[application.pk]))
    assert chart["Content-Type"] == "image/svg+xml"


def test_pages_need_sign_in_and_the_flow_chart_exports_bpmn(client, methodist):
    assert client.get(reverse("application-list")).status_code == 302
    as_user(client, methodist)
    bpmn = client.get(reverse("flow-chart") + "?format=bpmn")
    assert bpmn.status_code == 200 and b"bpmn" in bpmn.content
    assert client.get(reverse("flow-chart"))["Content-Type"] == "image/svg+xml"


def test_a_step_of_another_role_is_refused_with_a_message(
    client, coordinator, school, program, secretary
):
    from applications import services
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    services.application_submit(application_id=application.pk, user=coordinator)
    as_user(client, secretary)
    application.refresh_from_db()
    task = selectors.application_open_task(application)
    page = client.post(
        reverse("task-detail", args=[task.pk]), {"action": "complete", "decision": "accept"}
    )
    assert page.status_code == 200
    application.refresh_from_db()
    assert application.state == Application.State.AT_METHODIST


def test_showing_an_application_logs_the_personal_data_read(
    client, coordinator, school, program, methodist
):
    from audit.models import AuditEvent
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(
        organisation=school, created_by=coordinator, program=program, state="at_methodist"
    )
    as_user(client, methodist)
    client.get(reverse("application-detail", args=[application.pk]))
    event = AuditEvent.objects.get(action="personal_data.read")
    assert event.actor == methodist and event.object_id == str(application.pk)
    assert "responsible_phone" in event.data["fields"] and event.data["channel"] == "page"
    assert all(
        e.action != "personal_data.read" for e in selectors.application_timeline(application)
    )


def test_pages_are_russian_whatever_the_browser_says_until_english_is_chosen(client, methodist):
    as_user(client, methodist)
    page = client.get(reverse("registry"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Реестр действующих статусов" in page
    client.post(reverse("set_language"), {"language": "en", "next": reverse("registry")})
    page = client.get(reverse("registry"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Registry of active statuses" in page
