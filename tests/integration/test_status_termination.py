"""Early termination (the holder's request or the council's grounds, approved by order) and
problem notices that reach the council."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.errors import ConflictError, NotAllowed
from notifications.models import Kind, Notification
from statuses import selectors as status_selectors
from statuses import services as status_services
from statuses.models import Duty, ProblemNotice, Status, TerminationCase
from tests.story import council_considers

pytestmark = pytest.mark.django_db
TOMSK = ZoneInfo("Asia/Tomsk")


@pytest.fixture
def status(granted_status):
    return granted_status


def test_holder_request_goes_through_council_and_department(
    status, coordinator, secretary, official
):
    case = status_services.termination_request(
        user=coordinator, status_id=status.pk, reason="Реорганизация школы, слияние с СОШ № 5"
    )
    assert case.state == TerminationCase.State.AT_COUNCIL
    assert Notification.objects.filter(
        recipient=secretary, kind=Kind.STATUS_CHANGED, channel="inapp"
    ).exists()
    with pytest.raises(ConflictError):  # one case at a time
        status_services.termination_request(user=coordinator, status_id=status.pk, reason="x")
    with pytest.raises(ConflictError):  # the department cannot skip the council
        status_services.termination_department_decide(
            user=official,
            case_id=case.pk,
            decision="approve",
            order_number="40-р",
            order_date=datetime.date(2027, 3, 5),
        )
    council_considers(
        case,
        secretary=secretary,
        decision="adopted",
        text="Поддержать",
        meeting_date=datetime.date(2027, 3, 1),
    )
    assert case.state == TerminationCase.State.AT_DEPARTMENT
    assert case.council_comment == "Поддержать"
    with pytest.raises(ValidationError):
        status_services.termination_department_decide(
            user=official, case_id=case.pk, decision="approve"
        )
    status_services.termination_department_decide(
        user=official,
        case_id=case.pk,
        decision="approve",
        order_number="40-р",
        order_date=datetime.date(2027, 3, 5),
    )
    status.refresh_from_db()
    case.refresh_from_db()
    assert case.state == TerminationCase.State.APPROVED and case.order.number == "40-р"
    assert status.state == Status.State.TERMINATED
    assert status.ended_on == datetime.date(2027, 3, 5)
    assert "Реорганизация школы" in status.end_reason
    assert not status.duties.filter(state__in=Duty.OWED_STATES).exists()
    assert status not in status_selectors.public_registry_qs()
    actions = [e.action for e in status_selectors.status_history(status)]
    expected = [
        "termination.request",
        "termination.council_support",
        "status.terminate",
        "termination.approve",
    ]
    assert [a for a in actions if a in expected] == expected


def test_holder_request_rejected_at_a_meeting(status, coordinator, secretary):
    case = status_services.termination_request(
        user=coordinator, status_id=status.pk, reason="Просим досрочно прекратить"
    )
    council_considers(
        case,
        secretary=secretary,
        decision="not_adopted",
        text="Площадка работает эффективно; оснований нет",
        meeting_date=datetime.date(2027, 3, 1),
    )
    assert case.state == TerminationCase.State.REJECTED
    assert case.council_comment == "Площадка работает эффективно; оснований нет"
    status.refresh_from_db()
    assert status.state == Status.State.ACTIVE


def _escalated_duty(status):
    duty = status.duties.order_by("due_date").first()
    later = datetime.datetime.combine(
        duty.due_date + datetime.timedelta(days=40), datetime.time(23), tzinfo=TOMSK
    )
    with time_machine.travel(later, tick=False):
        status_services.lifecycle_sweep(now=later)
    duty.refresh_from_db()
    assert duty.escalated_at is not None
    return duty


def test_council_grounds_and_a_department_refusal_leave_the_status_active(
    status, secretary, official, coordinator
):
    """A missed report reaches the council's waiting list; adopted at a meeting, it becomes
    the council's proposal to end the status (reports missed), which the department refuses."""
    from councils import selectors as council_selectors
    from councils.models import Council

    duty = _escalated_duty(status)
    council = Council.objects.get(program=status.program)
    waiting = [c["object"] for c in council_selectors.cases_waiting(council)]
    assert duty in waiting
    council_considers(
        duty,
        secretary=secretary,
        decision="adopted",
        text="Предложить досрочно прекратить статус: отчёт не представлен",
        meeting_date=duty.due_date + datetime.timedelta(days=45),
    )
    case = TerminationCase.objects.get(status=status)
    assert case.state == TerminationCase.State.AT_DEPARTMENT
    assert case.grounds == TerminationCase.Grounds.REPORTS
    assert duty not in [c["object"] for c in council_selectors.cases_waiting(council)]
    with pytest.raises(ValidationError):
        status_services.termination_department_decide(
            user=official, case_id=case.pk, decision="reject", comment=""
        )
    status_services.termination_department_decide(
        user=official, case_id=case.pk, decision="reject", comment="Отчёт поступил"
    )
    status.refresh_from_db()
    assert status.state == Status.State.ACTIVE
    # A new case may start after the first one ended.
    status_services.termination_request(user=coordinator, status_id=status.pk, reason="Просим")


def test_missed_report_not_adopted_keeps_the_status(status, secretary):
    from audit.models import AuditEvent
    from councils import selectors as council_selectors
    from councils.models import Council

    duty = _escalated_duty(status)
    council_considers(
        duty,
        secretary=secretary,
        decision="not_adopted",
        text="Не прекращать; представить план до 01.02.2027",
        meeting_date=duty.due_date + datetime.timedelta(days=45),
    )
    assert not TerminationCase.objects.exists()
    assert AuditEvent.objects.filter(action="duty.council_keep", object_id=str(duty.pk)).exists()
    council = Council.objects.get(program=status.program)
    assert duty not in [c["object"] for c in council_selectors.cases_waiting(council)]


def test_problem_notice_reaches_the_council_and_its_decision_the_holder(
    status, coordinator, secretary, methodist, other_coordinator
):
    with pytest.raises(NotAllowed):
        status_services.problem_report(user=other_coordinator, status_id=status.pk, description="x")
    with pytest.raises(ValidationError):
        status_services.problem_report(user=coordinator, status_id=status.pk, description=" ")
    notice = status_services.problem_report(
        user=coordinator, status_id=status.pk, description="Уволился куратор площадки"
    )
    board = status_selectors.methodist_dashboard(
        program=status.program, today=datetime.date(2026, 12, 1)
    )
    assert notice in board["problems"]
    assert (
        Notification.objects.filter(recipient=secretary, channel="inapp")
        .filter(dedup_key__startswith=f"problem:{notice.pk}:problem.report")
        .exists()
    )
    council_considers(
        notice,
        secretary=secretary,
        decision="adopted",
        text="Назначить нового куратора до 01.02.2027",
        meeting_date=datetime.date(2026, 12, 10),
    )
    assert notice.state == ProblemNotice.State.CONSIDERED
    assert notice.council_decision == "Назначить нового куратора до 01.02.2027"
    assert (
        notice
        not in status_selectors.methodist_dashboard(
            program=status.program, today=datetime.date(2026, 12, 11)
        )["problems"]
    )
    with pytest.raises(ConflictError):  # decided once
        status_services.problem_council_decide(
            user=secretary, notice_id=notice.pk, decision="x", meeting_date=datetime.date.today()
        )
    assert (
        Notification.objects.filter(recipient=coordinator, channel="inapp")
        .filter(dedup_key__startswith=f"problem:{notice.pk}:problem.decide")
        .exists()
    )


def test_status_page_actions(client, status, coordinator, secretary, official):
    """Holders report and ask on the page; the council's decisions are not recorded there any
    more (only a signed protocol makes them), the department's order is."""
    url = reverse("status-action", args=[status.pk])
    client.force_login(coordinator)
    client.post(url, {"action": "problem", "description": "Нет помещения для семинаров"})
    client.post(url, {"action": "termination_request", "reason": "Реорганизация"})
    page = client.get(reverse("status-detail", args=[status.pk])).content.decode()
    assert "Нет помещения для семинаров" in page
    case = TerminationCase.objects.get()
    notice = ProblemNotice.objects.get()

    client.force_login(secretary)
    gone = [
        {
            "action": "problem_decide",
            "notice": notice.pk,
            "decision": "Предоставить зал ИМЦ",
            "meeting_date": "01.03.2027",
        },
        {
            "action": "termination_council",
            "case": case.pk,
            "decision": "support",
            "comment": "",
            "meeting_date": "01.03.2027",
        },
        {
            "action": "termination_propose",
            "grounds": "reports",
            "reason": "x",
            "meeting_date": "01.03.2027",
        },
    ]
    for data in gone:
        assert client.post(url, data).status_code == 404
    page = client.get(reverse("status-detail", args=[status.pk])).content.decode()
    assert 'value="problem_decide"' not in page and 'value="termination_council"' not in page
    case.refresh_from_db()
    notice.refresh_from_db()
    assert case.state == TerminationCase.State.AT_COUNCIL
    assert notice.state == ProblemNotice.State.AT_COUNCIL

    council_considers(
        notice,
        secretary=secretary,
        decision="adopted",
        text="Предоставить зал ИМЦ",
        meeting_date=datetime.date(2027, 3, 1),
    )
    council_considers(
        case,
        secretary=secretary,
        decision="adopted",
        text="Поддержать",
        meeting_date=datetime.date(2027, 3, 1),
    )
    client.force_login(official)
    client.post(
        url,
        {
            "action": "termination_department",
            "case": case.pk,
            "decision": "approve",
            "order_number": "41-р",
            "order_date": "05.03.2027",
            "comment": "",
        },
    )
    status.refresh_from_db()
    notice.refresh_from_db()
    assert notice.state == ProblemNotice.State.CONSIDERED
    assert status.state == Status.State.TERMINATED
    assert client.post(url, {"action": "nope"}).status_code == 404

    # The holder sees the council's extracts on the status page.
    client.force_login(coordinator)
    page = client.get(reverse("status-detail", args=[status.pk])).content.decode()
    assert "Выписка" in page or "Extract" in page
