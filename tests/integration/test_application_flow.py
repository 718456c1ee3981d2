"""The core case driven through the services, as the people of the Tomsk regulation act."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from applications import selectors, services
from applications.models import Application
from audit.services import audit_verify_chain
from core.errors import ConflictError, NotAllowed
from statuses.models import Status
from tests.factories import ApplicationFactory
from tests.story import act, council_at_meeting, council_decides, open_task, submitted

pytestmark = pytest.mark.django_db(transaction=True)
State = Application.State


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_whole_case_with_two_revisions_and_a_department_return(
    coordinator, school, methodist, secretary, official, program
):
    application = ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    services.application_submit(application_id=application.pk, user=coordinator)
    application.refresh_from_db()
    assert application.state == State.AT_METHODIST
    assert application.reg_number == "ЗСП-2026/0001"
    assert application.reg_date == datetime.date(2026, 11, 20)
    assert selectors.application_holder(
        application
    ) == "методистов информационно-методического центра" or selectors.application_holder(
        application
    )

    # Two revision loops.
    for round_ in (1, 2):
        act(methodist, application, decision="return", comment=f"Уточните план, раунд {round_}")
        assert application.state == State.RETURNED
        assert selectors.application_state_label(application) == "Возвращена на доработку"
        assert open_task(application).owner == coordinator
        services.application_update(
            application_id=application.pk,
            user=coordinator,
            fields={"goals": f"Цели v{round_}"},
            events=None,
        )
        services.application_submit(application_id=application.pk, user=coordinator)
        application.refresh_from_db()
        assert application.state == State.AT_METHODIST

    act(methodist, application, decision="accept", comment="")
    assert application.state == State.AT_COUNCIL

    council_at_meeting(
        application,
        secretary=secretary,
        decision="granted",
        reasons="Соответствует положению",
        meeting_date=datetime.date(2026, 11, 19),
    )
    assert application.state == State.AT_DEPARTMENT

    # The department returns it to the council once.
    act(
        official,
        application,
        decision="return",
        comment="Уточните решение",
        order_number="",
        order_date=None,
    )
    assert application.state == State.AT_COUNCIL
    council_at_meeting(
        application,
        secretary=secretary,
        decision="granted",
        reasons="Повторно: соответствует",
        meeting_date=datetime.date(2026, 11, 20),
    )
    act(
        official,
        application,
        decision="approve",
        order_number="125-р",
        order_date=datetime.date(2026, 11, 20),
        comment="",
    )

    application.refresh_from_db()
    assert application.state == State.GRANTED
    status = Status.objects.get(application=application)
    assert status.valid_from == datetime.date(2026, 11, 20)
    assert status.valid_until == datetime.date(2029, 8, 31)
    assert status.order.number == "125-р"
    assert selectors.application_state_label(application) == "Статус присвоен до 31.08.2029"
    assert application.process.status == "DONE"
    assert open_task(application) is None

    actions = [e.action for e in selectors.application_timeline(application)]
    assert actions.count("application.return") == 2
    assert actions.count("application.resubmit") == 2
    assert "application.department_return" in actions
    assert actions[-1] == "application.status_granted"
    assert audit_verify_chain()[0]


def test_refused_case_tells_the_applicant_why(coordinator, school, methodist, secretary, program):
    application = submitted(coordinator=coordinator, school=school, program=program)
    council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="refused",
        reasons="Нет опыта работы с молодыми педагогами",
        meeting_date=datetime.date.today(),
    )
    assert application.state == State.REFUSED
    assert (
        selectors.application_state_label(application)
        == "Отказано: Нет опыта работы с молодыми педагогами"
    )
    assert application.process.status == "DONE"
    assert not Status.objects.exists()


def test_incomplete_application_is_refused_at_submit_and_nothing_changes(
    coordinator, school, program
):
    application = ApplicationFactory(
        organisation=school, created_by=coordinator, program=program, topic="", events=[1]
    )
    with pytest.raises(ValidationError) as err:
        services.application_submit(application_id=application.pk, user=coordinator)
    assert set(err.value.message_dict) == {"topic", "planned_events"}
    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert application.reg_number == ""
    assert application.process is None


def test_double_submit_and_double_completion_get_a_clear_conflict(
    coordinator, school, methodist, program
):
    application = ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    services.application_submit(application_id=application.pk, user=coordinator)
    with pytest.raises(ConflictError):
        services.application_submit(application_id=application.pk, user=coordinator)
    task = act(methodist, application, decision="accept")
    with pytest.raises(ConflictError):
        services.task_complete(task_id=task.pk, user=methodist, data={"decision": "accept"})


def test_a_step_taken_by_one_methodist_cannot_be_done_by_another(
    coordinator, school, methodist, program
):
    from applications import roles
    from tests.factories import UserFactory

    other = UserFactory(username="methodist2", groups=[roles.METHODISTS])
    application = ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    services.application_submit(application_id=application.pk, user=coordinator)
    task = open_task(application)
    services.task_claim(task_id=task.pk, user=methodist)
    with pytest.raises(ConflictError):
        services.task_complete(task_id=task.pk, user=other, data={"decision": "accept"})


def test_roles_cannot_take_each_others_steps(coordinator, school, secretary, program):
    application = ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    services.application_submit(application_id=application.pk, user=coordinator)
    task = open_task(application)
    with pytest.raises(NotAllowed):
        services.task_complete(task_id=task.pk, user=secretary, data={"decision": "accept"})
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None


def test_any_coordinator_of_the_school_may_correct_a_returned_application(
    coordinator, school, methodist, program
):
    from tests.factories import CoordinatorFactory

    colleague = CoordinatorFactory(username="colleague", organisation=school)
    stranger = CoordinatorFactory(username="stranger")
    application = ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    services.application_submit(application_id=application.pk, user=coordinator)
    act(methodist, application, decision="return", comment="Уточните цели")
    assert not selectors.application_visible_qs(stranger).filter(pk=application.pk).exists()
    revise = open_task(application)
    with pytest.raises(Task.DoesNotExist):
        services.task_complete(task_id=revise.pk, user=stranger, data={"comment": ""})
    services.application_submit(application_id=application.pk, user=colleague)
    application.refresh_from_db()
    assert application.state == State.AT_METHODIST
    revise.refresh_from_db()
    assert revise.owner == colleague
