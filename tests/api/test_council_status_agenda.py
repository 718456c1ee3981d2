"""The council considers the status rows at its meetings (decision 19): an application, a yearly
plan, a report and a problem notice on one agenda through the API; each row moves only when
the protocol is signed, by its own service; a returned report gets the decision as its reason,
a postponed one keeps waiting; the old direct-decision pages are gone."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from applications.models import Application
from councils import selectors as council_selectors
from councils.models import AgendaItem, Council, Extract
from statuses import services as status_services
from statuses.models import Duty, NetworkReport, ProblemNotice, Submission
from tests.story import act, council_of, meeting_decides, submitted

pytestmark = pytest.mark.django_db(transaction=True)
TOMSK = ZoneInfo("Asia/Tomsk")
NOW = datetime.datetime(2026, 12, 10, 10, tzinfo=TOMSK)


def ok(response, code=200):
    assert response.status_code == code, response.json()
    return response.json()


def _send(duty, coordinator, methodist):
    fields = {"summary": f"{duty}: итоги"}
    if duty.kind == Duty.Kind.REPORT:
        fields.update(events_held=3, young_teachers=20, schools=4, mentors=6)
    submission = status_services.submission_create(
        user=coordinator,
        duty_id=duty.pk,
        fields=fields,
        events=[{"title": "Семинар", "planned": "ноябрь"}],
    )
    status_services.submission_check(user=methodist, submission_id=submission.pk, decision="accept")
    submission.refresh_from_db()
    assert submission.state == Submission.State.AT_COUNCIL
    return submission


@pytest.fixture
def platform(granted_status):
    return granted_status


def _waiting(board, council):
    [listed] = [c for c in ok(board.get("/api/councils/"))["results"] if c["id"] == council.pk]
    return {(c["subject"], c["id"]): c for c in listed["waiting"]}


@time_machine.travel(NOW, tick=False)
def test_one_meeting_decides_an_application_a_plan_a_report_and_a_problem(
    client, client_for, platform, program, coordinator, other_coordinator, methodist, secretary
):
    status = platform
    council = Council.objects.get(program=program)
    duties = {(d.kind, d.academic_year): d for d in status.duties.all()}
    plan = _send(duties[("plan", 2026)], coordinator, methodist)
    report = _send(duties[("report", 2026)], coordinator, methodist)
    later_plan = _send(duties[("plan", 2027)], coordinator, methodist)
    notice = status_services.problem_report(
        user=coordinator, status_id=status.pk, description="Уволился куратор площадки"
    )
    application = submitted(
        coordinator=other_coordinator,
        school=other_coordinator_school(other_coordinator),
        program=program,
    )
    act(methodist, application, decision="accept", comment="")

    board = client_for(secretary)
    waiting = _waiting(board, council)
    expected = {
        ("workflows.application", application.pk),
        ("statuses.submission", plan.pk),
        ("statuses.submission", report.pk),
        ("statuses.submission", later_plan.pk),
        ("statuses.problemnotice", notice.pk),
    }
    assert set(waiting) == expected
    assert waiting[("statuses.problemnotice", notice.pk)]["kind"] == "problem"
    assert waiting[("statuses.submission", report.pk)]["kind"] == "report"

    meeting = ok(
        board.post(f"/api/councils/{council.pk}/meetings/", {"date": "2026-12-10"}, format="json"),
        201,
    )
    url = f"/api/meetings/{meeting['id']}"
    ok(board.post(f"{url}/items/", {"application": application.pk}, format="json"), 201)
    for subject, pk in (
        ("statuses.submission", plan.pk),
        ("statuses.submission", report.pk),
        ("statuses.problemnotice", notice.pk),
        ("statuses.submission", later_plan.pk),
    ):
        ok(board.post(f"{url}/items/", {"subject": subject, "subject_id": pk}, format="json"), 201)
    # Once on the agenda a row is not offered again; unknown subjects are refused.
    again = board.post(
        f"{url}/items/", {"subject": "statuses.submission", "subject_id": plan.pk}, format="json"
    )
    assert again.status_code == 409
    assert "уже включён в повестку" in again.json()["detail"]
    bogus = board.post(f"{url}/items/", {"subject": "auth.user", "subject_id": 1}, format="json")
    assert bogus.status_code == 400
    assert _waiting(board, council) == {}

    items = {(i["subject"], i["subject_id"]): i for i in ok(board.get(f"{url}/"))["items"]}
    assert items[("statuses.problemnotice", notice.pk)]["kind"] == "problem"
    seats = list(council_selectors.members_on(council, datetime.date(2026, 12, 10)))
    ok(board.post(f"{url}/attendance/", {"members": [s.pk for s in seats]}, format="json"))
    ok(board.post(f"{url}/open/"))
    votes = {
        ("workflows.application", application.pk): ("for", "Присвоить статус"),
        ("statuses.submission", plan.pk): ("for", "Принять план работы"),
        ("statuses.submission", report.pk): (
            "against",
            "Дополнить отчёт сведениями о публикациях",
        ),
        ("statuses.problemnotice", notice.pk): ("for", "Назначить нового куратора до 01.02.2027"),
    }
    for key, (choice, decided) in votes.items():
        item = items[key]["id"]
        ok(board.post(f"/api/items/{item}/voting/"))
        for seat in council_selectors.item_eligible(AgendaItem.objects.get(pk=item)):
            ok(
                client_for(seat.user).post(
                    f"/api/items/{item}/vote/", {"choice": choice}, format="json"
                )
            )
        ok(
            board.post(
                f"/api/items/{item}/close/",
                {"heard": "Секретаря совета", "decided": decided},
                format="json",
            )
        )
    closed = ok(
        board.post(
            f"/api/items/{items[('statuses.submission', later_plan.pk)]['id']}/close/",
            {"heard": "Секретаря совета", "decided": "Перенести", "postpone": True},
            format="json",
        )
    )
    assert closed["outcome"] == "postponed"
    protocol = ok(board.post(f"{url}/close/"), 201)

    def states():
        for row in (application, plan, report, later_plan, notice):
            row.refresh_from_db()
        return (application.state, plan.state, report.state, later_plan.state, notice.state)

    before = (
        Application.State.AT_COUNCIL,
        Submission.State.AT_COUNCIL,
        Submission.State.AT_COUNCIL,
        Submission.State.AT_COUNCIL,
        ProblemNotice.State.AT_COUNCIL,
    )
    assert states() == before  # closed meeting, unsigned protocol: nothing moved
    chair = council_selectors.meeting_chair(AgendaItem.objects.get(pk=closed["id"]).meeting)
    ok(client_for(chair.user).post(f"/api/protocols/{protocol['id']}/sign/"))
    assert states() == before  # one signature is not enough
    ok(board.post(f"/api/protocols/{protocol['id']}/sign/"))
    assert states() == (
        Application.State.AT_DEPARTMENT,
        Submission.State.ACCEPTED,
        Submission.State.RETURNED,
        Submission.State.AT_COUNCIL,
        ProblemNotice.State.CONSIDERED,
    )
    assert plan.council_comment == "Принять план работы"
    assert plan.council_meeting_date == datetime.date(2026, 12, 10)
    assert report.council_comment == "Дополнить отчёт сведениями о публикациях"
    assert Duty.objects.get(pk=report.duty_id).state == Duty.State.RETURNED
    assert notice.council_decision == "Назначить нового куратора до 01.02.2027"
    # The postponed plan waits for the next meeting again.
    assert set(_waiting(board, council)) == {("statuses.submission", later_plan.pk)}

    # Each row got its extract; the holder sees its own, another school does not.
    extract = Extract.objects.get(item__subject_id=report.pk, item__kind="report")
    assert extract.document.case == report
    assert extract.document.owner_org_id == status.organisation_id
    ok(client_for(coordinator).get(f"/api/extracts/{extract.pk}/"))
    assert client_for(other_coordinator).get(f"/api/extracts/{extract.pk}/").status_code in (
        403,
        404,
    )
    client.force_login(coordinator)
    page = client.get(reverse("duty-detail", args=[report.duty_id])).content.decode()
    assert reverse("document-detail", args=[extract.document.pk]) in page

    # The secretary can no longer record the council's word on the duty's page.
    client.force_login(secretary)
    response = client.post(
        reverse("duty-detail", args=[later_plan.duty_id]),
        {"action": "council", "decision": "accept", "comment": "", "meeting_date": "10.12.2026"},
    )
    assert response.status_code == 404
    later_plan.refresh_from_db()
    assert later_plan.state == Submission.State.AT_COUNCIL


def other_coordinator_school(user):
    return user.organisationmembership_set.get().organisation


@time_machine.travel(NOW, tick=False)
def test_network_report_accepted_or_sent_back_to_be_recompiled(
    platform, program, coordinator, methodist, secretary
):
    """Not adopted: the network's report stays to be recompiled and leaves the waiting list
    until a methodist recompiles it; adopted at the next meeting, it is final."""
    status = platform
    council = council_of(program, secretary=secretary)
    report_duty = status.duties.get(kind=Duty.Kind.REPORT, academic_year=2026)
    meeting_decides(
        council,
        {_send(report_duty, coordinator, methodist): ("adopted", "Принять")},
        secretary=secretary,
        meeting_date=datetime.date(2026, 12, 10),
    )
    network = status_services.network_report_compile(
        user=methodist, program=program, academic_year=2026
    )
    meeting_decides(
        council,
        {network: ("not_adopted", "Доработать раздел о наставничестве")},
        secretary=secretary,
        meeting_date=datetime.date(2026, 12, 11),
    )
    assert network.state == NetworkReport.State.AT_COUNCIL
    waiting = [c["object"] for c in council_selectors.cases_waiting(council)]
    assert network not in waiting
    with time_machine.travel(NOW + datetime.timedelta(days=2), tick=False):
        network = status_services.network_report_compile(
            user=methodist, program=program, academic_year=2026
        )
        assert network in [c["object"] for c in council_selectors.cases_waiting(council)]
        meeting_decides(
            council,
            {network: ("adopted", "Принять отчёт сети")},
            secretary=secretary,
            meeting_date=datetime.date(2026, 12, 12),
        )
    assert network.state == NetworkReport.State.ACCEPTED
    assert network.council_comment == "Принять отчёт сети"
