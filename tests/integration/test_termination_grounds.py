"""Termination grounds as programme data: a methodist brings a status before the council on one
of the programme's grounds; where the council settles the programme's cases its decision ends
the status with no order, elsewhere the department's order does."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.errors import NotAllowed
from notifications.models import Notification
from statuses import selectors as status_selectors
from statuses import services as status_services
from statuses.models import Duty, Status, TerminationCase, grounds_choices
from tests.story import council_considers

pytestmark = pytest.mark.django_db
MEETING = datetime.date(2027, 3, 1)
ETHICS = {
    "code": "ethics",
    "label": {"ru": "Нарушение норм профессиональной этики", "en": "Ethics"},
}


def test_the_engine_offers_its_grounds_and_a_programme_its_own(granted_status):
    program = granted_status.program
    codes = [code for code, _label in grounds_choices(program)]
    assert codes == ["reports", "plan", "reorganisation"]  # never the holder's own request
    program.termination_grounds = [ETHICS, {"code": "reports", "label": "Отчёты не сданы"}]
    program.full_clean()
    assert grounds_choices(program) == [
        ("ethics", "Нарушение норм профессиональной этики"),
        ("reports", "Отчёты не сданы"),
    ]
    program.termination_grounds = [{"code": "Этика", "label": "x"}, {"code": "a"}]
    with pytest.raises(ValidationError) as raised:
        program.full_clean()
    assert "termination_grounds" in raised.value.message_dict


def test_a_methodist_brings_a_termination_and_the_department_orders_it(
    granted_status, methodist, secretary, official, coordinator
):
    status = granted_status
    with pytest.raises(NotAllowed):  # a holder asks; he does not bring grounds
        status_services.termination_raise(
            user=coordinator, status_id=status.pk, grounds="plan", reason="x"
        )
    with pytest.raises(ValidationError) as raised:
        status_services.termination_raise(
            user=methodist, status_id=status.pk, grounds="request", reason=""
        )
    assert set(raised.value.message_dict) == {"grounds", "reason"}
    case = status_services.termination_raise(
        user=methodist,
        status_id=status.pk,
        grounds="plan",
        reason="Из шести мероприятий плана проведено одно",
    )
    assert case.state == TerminationCase.State.AT_COUNCIL
    assert case.grounds_label == "План работы не выполнен"
    assert Notification.objects.filter(recipient=secretary, subject__contains="на рассмотрение")
    council_considers(
        case, secretary=secretary, decision="adopted", text="Поддержать", meeting_date=MEETING
    )
    case.refresh_from_db()
    assert case.state == TerminationCase.State.AT_DEPARTMENT
    status_services.termination_department_decide(
        user=official,
        case_id=case.pk,
        decision="approve",
        order_number="41-р",
        order_date=datetime.date(2027, 3, 5),
    )
    status.refresh_from_db()
    assert status.state == Status.State.TERMINATED
    assert status.end_reason.startswith("План работы не выполнен: ")


def test_where_the_council_settles_cases_its_decision_ends_the_status(
    granted_status, methodist, secretary
):
    status = granted_status
    program = status.program
    program.review_shape = "check_council"
    program.termination_grounds = [ETHICS]
    program.save()
    case = status_services.termination_raise(
        user=methodist, status_id=status.pk, grounds="ethics", reason="Жалоба родителей"
    )
    council_considers(
        case, secretary=secretary, decision="adopted", text="Исключить", meeting_date=MEETING
    )
    case.refresh_from_db()
    status.refresh_from_db()
    assert case.state == TerminationCase.State.APPROVED and case.order is None
    assert status.state == Status.State.TERMINATED and status.ended_on == MEETING
    assert status.end_reason == "Нарушение норм профессиональной этики: Жалоба родителей"
    assert not status.duties.filter(state__in=Duty.OWED_STATES).exists()
    actions = [e.action for e in status_selectors.status_history(status)]
    assert "termination.raise" in actions and "termination.council_terminate" in actions
    assert "status.terminate" in actions


def test_the_status_page_offers_the_programmes_grounds_to_its_methodist_only(
    client, granted_status, methodist, coordinator
):
    status = granted_status
    status.program.termination_grounds = [ETHICS]
    status.program.save()
    url = reverse("status-detail", args=[status.pk])
    client.force_login(coordinator)
    assert 'value="termination_raise"' not in client.get(url).content.decode()
    client.force_login(methodist)
    page = client.get(url).content.decode()
    assert 'value="termination_raise"' in page and "Нарушение норм профессиональной этики" in page
    action = reverse("status-action", args=[status.pk])
    client.post(action, {"action": "termination_raise", "grounds": "plan", "reason": "x"})
    assert not TerminationCase.objects.exists()  # not this programme's grounds
    client.post(action, {"action": "termination_raise", "grounds": "ethics", "reason": "Жалоба"})
    case = TerminationCase.objects.get()
    assert (case.grounds, case.requested_by) == ("ethics", methodist)
