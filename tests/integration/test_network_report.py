"""The network's yearly report: compiled from the accepted platform reports, with charts and
a workbook, sent to the council and accepted there."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from core.errors import ConflictError
from statuses import services as status_services
from statuses.models import Duty, NetworkReport
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.story import council_considers, granted

pytestmark = pytest.mark.django_db
TOMSK = ZoneInfo("Asia/Tomsk")


def _report(status, coordinator, methodist, secretary, *, young_teachers, accept=True):
    duty = status.duties.get(kind=Duty.Kind.REPORT, academic_year=2026)
    submission = status_services.submission_create(
        user=coordinator,
        duty_id=duty.pk,
        fields={
            "summary": "Итоги",
            "events_held": 4,
            "young_teachers": young_teachers,
            "schools": 3,
            "mentors": 5,
            "outputs": "Сборник",
            "problems": "Нет зала",
        },
        events=[
            {
                "title": "Семинар",
                "planned": "март",
                "participants": 20,
                "deviation": "Перенесён на апрель",
                "reason": "Карантин",
            }
        ],
    )
    status_services.submission_check(user=methodist, submission_id=submission.pk, decision="accept")
    if accept:
        council_considers(
            submission,
            secretary=secretary,
            decision="adopted",
            text="Принять отчёт",
            meeting_date=datetime.date(2027, 6, 10),
        )


@pytest.fixture
def three_platforms(program, methodist, secretary, official):
    platforms = []
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=TOMSK), tick=False):
        for number in range(3):
            school = OrganisationFactory()
            coordinator = CoordinatorFactory(organisation=school)
            status = granted(
                coordinator=coordinator,
                school=school,
                program=program,
                methodist=methodist,
                secretary=secretary,
                official=official,
                on=datetime.date(2026, 11, 20),
                order=f"{number + 1}-р",
            )
            platforms.append((status, coordinator))
    with time_machine.travel(datetime.datetime(2027, 5, 25, 10, tzinfo=TOMSK), tick=False):
        for (status, coordinator), (young, accept) in zip(
            platforms, [(30, True), (12, True), (50, False)], strict=True
        ):
            _report(status, coordinator, methodist, secretary, young_teachers=young, accept=accept)
    return platforms


def test_compiled_from_accepted_reports_only(three_platforms, program, methodist, secretary):
    report = status_services.network_report_compile(
        user=methodist, program=program, academic_year=2026
    )
    assert report.state == NetworkReport.State.AT_COUNCIL
    assert report.data["totals"] == {
        "events_held": 8,
        "young_teachers": 42,
        "schools": 6,
        "mentors": 10,
    }
    assert len(report.data["platforms"]) == 2
    assert [m["organisation"] for m in report.data["missing"]] == [
        three_platforms[2][0].organisation.short_name
    ]
    assert report.data["platforms"][0]["deviations"][0]["reason"] == "Карантин"

    council_considers(
        report,
        secretary=secretary,
        decision="adopted",
        text="Принять отчёт сети",
        meeting_date=datetime.date(2027, 6, 20),
    )
    assert report.state == NetworkReport.State.ACCEPTED
    assert report.council_comment == "Принять отчёт сети"
    with pytest.raises(ConflictError):
        status_services.network_report_compile(user=methodist, program=program, academic_year=2026)


def test_nothing_accepted_nothing_compiled(program, methodist):
    with pytest.raises(ConflictError):
        status_services.network_report_compile(user=methodist, program=program, academic_year=2030)
    assert not NetworkReport.objects.exists()


def test_pages_charts_and_workbook(
    client, three_platforms, program, methodist, coordinator, secretary
):
    client.force_login(methodist)
    response = client.post(
        reverse("network-reports"), {"program": program.pk, "academic_year": 2026}
    )
    report = NetworkReport.objects.get()
    assert response["Location"] == reverse("network-report-detail", args=[report.pk])
    page = client.get(response["Location"]).content.decode()
    assert page.count('<svg role="img"') == 4 and "42" in page
    book = load_workbook(
        io.BytesIO(client.get(reverse("network-report-xlsx", args=[report.pk])).content)
    )
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert rows[-1][0] == "Итого" and rows[-1][2:6] == [8, 42, 6, 10]
    # The council accepts it only at a meeting: the page takes no decision.
    client.force_login(secretary)
    detail = reverse("network-report-detail", args=[report.pk])
    assert (
        client.post(detail, {"comment": "Принять", "meeting_date": "20.06.2027"}).status_code == 405
    )
    report.refresh_from_db()
    assert report.state == NetworkReport.State.AT_COUNCIL
    client.force_login(coordinator)
    assert client.get(reverse("network-reports")).status_code == 404
