"""The status pages as people use them: the public registry (no login) and its exports, the
status and its history, a report sent and reviewed through the pages, the methodist's month."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from applications.models import Application
from councils import services as council_services
from statuses.models import Duty
from tests.integration.council_pages import post_ok
from tests.pdf_builder import build_pdf
from tests.story import council_of, granted, meeting_concludes

pytestmark = pytest.mark.django_db
TOMSK = ZoneInfo("Asia/Tomsk")
GRANTED_ON = datetime.date(2026, 11, 20)


@pytest.fixture
def status(coordinator, school, program, methodist, secretary, official):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=TOMSK), tick=False):
        return granted(
            coordinator=coordinator,
            school=school,
            program=program,
            methodist=methodist,
            secretary=secretary,
            official=official,
            on=GRANTED_ON,
            order="125-р",
        )


def test_public_registry_needs_no_login_and_shows_no_personal_data(client, status):
    page = client.get(reverse("public-registry"))
    assert page.status_code == 200
    html = page.content.decode()
    assert status.organisation.name in html
    assert "31.08.2029" in html
    assert "125-р" in html
    application = status.application
    for private in (
        application.responsible_name,
        application.responsible_phone,
        application.responsible_email,
    ):
        assert private not in html


def test_public_registry_filters_by_programme_and_year(client, status):
    url = reverse("public-registry")
    assert status.organisation.name in client.get(url, {"program": "tomsk-ms"}).content.decode()
    assert status.organisation.name in client.get(url, {"year": 2029}).content.decode()
    assert status.organisation.name not in client.get(url, {"year": 2031}).content.decode()
    bad = client.get(url, {"program": "nope"})
    assert bad.status_code == 200  # an unknown choice is ignored, not a 500


def test_registry_exports_csv_and_xlsx(client, status):
    response = client.get(reverse("public-registry-export", args=["csv"]), {"year": 2027})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 2
    assert status.organisation.name in rows[1]
    assert "31.08.2029" in rows[1]

    response = client.get(reverse("public-registry-export", args=["xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert len(values) == 2
    assert status.organisation.name in values[1]
    assert datetime.datetime(2029, 8, 31) in values[1]

    assert client.get(reverse("public-registry-export", args=["pdf"])).status_code == 404


def test_status_page_is_for_its_holder_and_staff_only(client, status, coordinator, methodist):
    url = reverse("status-detail", args=[status.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    assert "31.08.2029" in page.content.decode()
    client.force_login(methodist)
    assert client.get(url).status_code == 200


def test_status_page_is_hidden_from_other_schools(client, status, other_coordinator):
    client.force_login(other_coordinator)
    assert client.get(reverse("status-detail", args=[status.pk])).status_code == 404


def _report_form():
    data = {
        "action": "submit",
        "summary": "Итоги года",
        "events_held": "3",
        "young_teachers": "21",
        "schools": "5",
        "mentors": "7",
        "outputs": "Сборник методических разработок",
        "dissemination": "",
        "problems": "",
        "proposals": "",
        "events-TOTAL_FORMS": "1",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        "events-0-title": "Семинар",
        "events-0-planned": "ноябрь",
        "events-0-held_on": "18.11.2026",
        "events-0-participants": "19",
        "events-0-result": "Проведён",
        "events-0-deviation": "",
        "events-0-reason": "",
    }
    return data


def test_report_sent_checked_and_accepted_through_the_pages(
    client, status, coordinator, methodist, secretary
):
    report = status.duties.get(kind=Duty.Kind.REPORT, academic_year=2026)
    url = reverse("duty-detail", args=[report.pk])
    client.force_login(coordinator)
    form = _report_form()
    form["file"] = SimpleUploadedFile("report.pdf", build_pdf(), "application/pdf")
    response = client.post(url, form)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == Duty.State.AT_METHODIST
    submission = report.submissions.get()
    assert submission.events.get().held_on == datetime.date(2026, 11, 18)
    assert submission.attachments.count() == 1

    client.force_login(methodist)
    assert (
        client.post(url, {"action": "check", "decision": "accept", "comment": ""}).status_code
        == 302
    )
    client.force_login(secretary)
    # The council's word is no longer recorded on the duty's page: only at a meeting.
    gone = client.post(
        url,
        {"action": "council", "decision": "accept", "comment": "", "meeting_date": "20.05.2027"},
    )
    assert gone.status_code == 404
    report.refresh_from_db()
    assert report.state == Duty.State.AT_COUNCIL

    # The meeting's page offers the report among the waiting cases; the secretary puts it on.
    council = council_of(status.program, secretary=secretary)
    meeting = council_services.meeting_create(
        council_id=council.pk, user=secretary, date=datetime.date(2027, 5, 20)
    )
    meeting_url = reverse("meeting-detail", args=[meeting.pk])
    page = client.get(meeting_url).content.decode()
    assert 'value="statuses.submission"' in page and str(report) in page
    post_ok(
        client,
        meeting_url,
        {"action": "add_case", "subject": "statuses.submission", "case": submission.pk},
    )
    item = meeting.items.get()
    assert item.kind == "report" and item.subject == submission
    meeting_concludes(meeting, {item: ("adopted", "Принять отчёт")}, secretary=secretary)
    report.refresh_from_db()
    assert report.state == Duty.State.ACCEPTED
    submission.refresh_from_db()
    assert submission.council_comment == "Принять отчёт"
    assert submission.council_meeting_date == datetime.date(2027, 5, 20)

    # The holder finds the extract on the duty's page.
    client.force_login(coordinator)
    page = client.get(url).content.decode()
    extract = item.extracts.get().document
    assert reverse("document-detail", args=[extract.pk]) in page
    assert client.get(reverse("document-detail", args=[extract.pk])).status_code == 200
    history = client.get(reverse("status-detail", args=[status.pk])).content.decode()
    assert "Годовой" in history or str(report) in history


def test_a_methodist_cannot_send_the_schools_report(client, status, methodist):
    report = status.duties.get(kind=Duty.Kind.REPORT, academic_year=2026)
    client.force_login(methodist)
    response = client.post(reverse("duty-detail", args=[report.pk]), _report_form())
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.state == Duty.State.PENDING


def test_a_returned_check_needs_a_comment(client, status, coordinator, methodist):
    report = status.duties.get(kind=Duty.Kind.REPORT, academic_year=2026)
    url = reverse("duty-detail", args=[report.pk])
    client.force_login(coordinator)
    client.post(url, _report_form())
    client.force_login(methodist)
    page = client.post(url, {"action": "check", "decision": "return", "comment": ""})
    assert page.status_code == 200
    report.refresh_from_db()
    assert report.state == Duty.State.AT_METHODIST


def test_methodist_dashboard_lists_due_overdue_and_expiring(client, status, methodist, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("status-dashboard")).status_code == 404
    client.force_login(methodist)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=TOMSK), tick=False):
        client.force_login(methodist)  # sessions expire across the moved time
        html = client.get(reverse("status-dashboard")).content.decode()
        assert "04.12.2026" in html  # the first plan, due this month
    with time_machine.travel(datetime.datetime(2026, 12, 10, 10, tzinfo=TOMSK), tick=False):
        client.force_login(methodist)  # sessions expire across the moved time
        html = client.get(reverse("status-dashboard")).content.decode()
        assert html.count("04.12.2026") == 1  # now overdue
    with time_machine.travel(datetime.datetime(2029, 8, 5, 10, tzinfo=TOMSK), tick=False):
        client.force_login(methodist)  # sessions expire across the moved time
        html = client.get(reverse("status-dashboard")).content.decode()
        assert status.organisation.short_name in html and "31.08.2029" in html


def test_dashboard_and_council_page_list_what_waits_for_the_council(
    client, status, methodist, secretary, coordinator
):
    """A problem notice and a missed plan (escalated) wait for the council: both show on the
    methodist's dashboard and on the council's page, and leave once on an agenda."""
    from statuses import services as status_services

    notice = status_services.problem_report(
        user=coordinator, status_id=status.pk, description="Нет помещения для семинаров"
    )
    plan = status.duties.get(kind=Duty.Kind.PLAN, academic_year=2026)
    later = datetime.datetime(2027, 1, 20, 23, tzinfo=TOMSK)
    with time_machine.travel(later, tick=False):
        status_services.lifecycle_sweep(now=later)
    plan.refresh_from_db()
    assert plan.escalated_at is not None
    council = council_of(status.program, secretary=secretary)
    with time_machine.travel(later, tick=False):
        client.force_login(methodist)
        html = client.get(reverse("status-dashboard")).content.decode()
        assert "Нет помещения для семинаров" in html
        assert reverse("duty-detail", args=[plan.pk]) in html and "не представлен" in html
        client.force_login(secretary)
        page = client.get(reverse("council-detail", args=[council.pk])).content.decode()
        assert "Нет помещения для семинаров" in page and "не представлен" in page
        meeting = council_services.meeting_create(
            council_id=council.pk, user=secretary, date=datetime.date(2027, 1, 25)
        )
        council_services.agenda_item_add(
            meeting_id=meeting.pk,
            user=secretary,
            subject="statuses.problemnotice",
            subject_id=notice.pk,
        )
        client.force_login(methodist)
        html = client.get(reverse("status-dashboard")).content.decode()
        waiting = html.split(council.name)[1].split("</section>")[0]
        assert "Нет помещения для семинаров" not in waiting and "не представлен" in waiting
        assert "Ещё 1 дело на повестке заседания" in waiting


def test_holder_starts_a_renewal_from_the_status_page(client, status, coordinator):
    client.force_login(coordinator)
    with time_machine.travel(datetime.datetime(2029, 3, 1, 10, tzinfo=TOMSK), tick=False):
        client.force_login(coordinator)
        response = client.post(reverse("status-renew", args=[status.pk]))
    draft = Application.objects.get(kind=Application.Kind.RENEWAL)
    assert response.status_code == 302
    assert response["Location"] == reverse("application-edit", args=[draft.pk])
    with time_machine.travel(datetime.datetime(2029, 9, 3, 10, tzinfo=TOMSK), tick=False):
        client.force_login(coordinator)
        response = client.post(reverse("status-renew", args=[status.pk]), follow=True)
    assert Application.objects.filter(kind=Application.Kind.RENEWAL).count() == 1
    messages = [str(m) for m in response.context["messages"]]
    assert any("31.08.2029" in m for m in messages)
