"""Several people at once: one wins a step, numbers stay gapless, the audit chain stays whole.

Only PostgreSQL shows the real behaviour (row locks with NOWAIT); on SQLite the writers are
serialised by IMMEDIATE transactions, so these tests are skipped there (and fail in CI).
"""

import datetime
import queue
import threading

import pytest
import time_machine
from django.db import connection
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from applications import roles, selectors, services
from applications.flows import ApplicationFlow
from applications.models import Application
from audit.models import AuditEvent
from audit.services import audit_verify_chain
from core.errors import ConflictError
from councils.models import Meeting
from documents.models import Document, JournalCounter
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory
from tests.story import council_at_meeting, council_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]
State = Application.State

# Fixed "now" in every thread (time_machine patches the clock process-wide).
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


def run_together(jobs, *, threads: int):
    """Run the jobs on `threads` threads that start at the same instant and then take the next
    job as soon as they are free, so the jobs overlap as much as they can.

    Returns (result, exception) per job, in the order of `jobs`.
    """
    pending = queue.SimpleQueue()
    for index, job in enumerate(jobs):
        pending.put((index, job))
    outcomes: list = [None] * len(jobs)
    barrier = threading.Barrier(threads)

    def worker():
        try:
            barrier.wait(timeout=30)
            while True:
                try:
                    index, job = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcomes[index] = (job(), None)
                except Exception as exc:  # the test asserts on what each person got
                    outcomes[index] = (None, exc)
        finally:
            connection.close()  # each thread has its own connection; leave none open

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in workers), "a thread hung (deadlock?)"
    return outcomes


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def test_two_methodists_completing_the_same_check_at_once_one_wins(
    postgres, program, school, coordinator, methodist
):
    colleague = UserFactory(username="methodist2", groups=[roles.METHODISTS])
    application = ApplicationFactory(program=program, organisation=school, created_by=coordinator)
    services.application_submit(application_id=application.pk, user=coordinator)
    application.refresh_from_db()
    check = selectors.application_open_task(application)

    def complete(user):
        return lambda: services.task_complete(
            task_id=check.pk, user=user, data={"decision": "accept", "comment": user.username}
        )

    outcomes = run_together([complete(methodist), complete(colleague)], threads=2)

    winners = [result for result, exc in outcomes if exc is None]
    losers = [exc for _result, exc in outcomes if exc is not None]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    assert isinstance(losers[0], ConflictError), repr(losers[0])

    application.refresh_from_db()
    assert application.state == State.AT_COUNCIL
    tasks = Task.objects.filter(process_id=application.process_id)
    assert tasks.filter(flow_task=ApplicationFlow.check).get().status == STATUS.DONE
    assert tasks.filter(flow_task=ApplicationFlow.council).count() == 1
    timeline = selectors.application_timeline(application)
    assert [e.action for e in timeline].count("application.accept") == 1
    assert audit_verify_chain()[0]


def test_two_methodists_taking_the_same_check_at_once_one_holds_it(
    postgres, program, school, coordinator, methodist
):
    colleague = UserFactory(username="methodist2", groups=[roles.METHODISTS])
    _application, check = _submitted_check(program, school, coordinator)

    outcomes = run_together(
        [
            lambda: services.task_claim(task_id=check.pk, user=methodist),
            lambda: services.task_claim(task_id=check.pk, user=colleague),
        ],
        threads=2,
    )

    errors = [exc for _r, exc in outcomes if exc is not None]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], ConflictError), repr(errors[0])
    check.refresh_from_db()
    assert check.status == STATUS.ASSIGNED
    assert check.owner in (methodist, colleague)


@pytest.mark.parametrize("threads", [4, 8])
def test_twenty_applications_submitted_at_once_get_twenty_consecutive_numbers(
    postgres, program, threads
):
    applications = []
    for _ in range(20):
        school = OrganisationFactory()
        applications.append(ApplicationFactory(program=program, organisation=school))

    def submit(application):
        return lambda: services.application_submit(
            application_id=application.pk, user=application.created_by
        )

    outcomes = run_together([submit(a) for a in applications], threads=threads)

    assert [exc for _result, exc in outcomes if exc is not None] == []
    numbers = sorted(Application.objects.values_list("reg_number", flat=True))
    assert numbers == [f"ЗСП-2026/{n:04d}" for n in range(1, 21)]
    counter = JournalCounter.objects.get(
        journal__code="application", journal__scope=program.code, period=2026
    )
    assert counter.last_number == 20
    # The incoming journal holds the same 20 numbers, each on its application's document.
    registered = Document.objects.filter(journal=counter.journal).values_list(
        "reg_number", flat=True
    )
    assert sorted(registered) == numbers
    assert set(Application.objects.values_list("state", flat=True)) == {State.AT_METHODIST}
    # Every case started its own review, waiting for a methodist.
    checks = Task.objects.filter(flow_task=ApplicationFlow.check, status=STATUS.NEW)
    assert checks.count() == 20
    assert len(set(checks.values_list("process_id", flat=True))) == 20
    ok, checked, broken = audit_verify_chain()
    assert ok, broken
    assert checked == AuditEvent.objects.count()
    # One event per case on the application; its registered document has its own events.
    assert AuditEvent.objects.filter(object_type="workflows.application").count() == 20
    assert AuditEvent.objects.filter(action="document.register").count() == 20


def test_parallel_work_on_many_cases_keeps_the_audit_chain_whole(
    postgres, program, methodist, secretary
):
    """Submissions, checks and council decisions of different cases interleave freely."""
    applications = [
        ApplicationFactory(program=program, organisation=OrganisationFactory()) for _ in range(8)
    ]
    outcomes = run_together(
        [
            (lambda a=a: services.application_submit(application_id=a.pk, user=a.created_by))
            for a in applications
        ],
        threads=4,
    )
    assert [exc for _r, exc in outcomes if exc] == []

    council = council_of(program, secretary=secretary)

    def through_council(application):
        def job():
            task = selectors.application_open_task(Application.objects.get(pk=application.pk))
            services.task_complete(task_id=task.pk, user=methodist, data={"decision": "accept"})
            council_at_meeting(
                Application.objects.get(pk=application.pk),
                secretary=secretary,
                decision="granted",
                reasons="Соответствует положению",
                meeting_date=NOW.date(),
            )

        return job

    outcomes = run_together([through_council(a) for a in applications], threads=4)
    assert [exc for _r, exc in outcomes if exc] == []
    assert set(Application.objects.values_list("state", flat=True)) == {State.AT_DEPARTMENT}
    ok, checked, broken = audit_verify_chain()
    assert ok, broken
    assert checked == AuditEvent.objects.count()
    # One meeting per case, held at the same time: numbered 1..8 without a clash, and each
    # signed protocol moved its own case only.
    meetings = Meeting.objects.filter(council=council)
    assert sorted(meetings.values_list("number", flat=True)) == list(range(1, 9))
    events = list(
        AuditEvent.objects.filter(object_type="workflows.application").values_list(
            "action", flat=True
        )
    )
    assert events.count("application.submit") == 8
    assert events.count("application.accept") == 8
    assert events.count("application.council_agenda") == 8
    assert events.count("application.council_grant") == 8
    assert len(events) == 8 * 4  # submit, accept, put on an agenda, the council's decision


def _hold_case_lock(process_id, *, locked: threading.Event, release: threading.Event):
    """Another request holding the case: its transaction keeps the process row locked."""
    from django.db import transaction
    from viewflow.workflow.models import Process

    try:
        with transaction.atomic():
            Process.objects.select_for_update().filter(pk=process_id).exists()
            locked.set()
            release.wait(timeout=30)
    finally:
        connection.close()


def _submitted_check(program, school, coordinator):
    application = ApplicationFactory(program=program, organisation=school, created_by=coordinator)
    services.application_submit(application_id=application.pk, user=coordinator)
    application.refresh_from_db()
    return application, selectors.application_open_task(application)


def test_a_case_held_too_long_by_another_request_gives_a_conflict_not_a_crash(
    postgres, program, school, coordinator, methodist, monkeypatch
):
    from core.transactions import flow_row_lock

    application, check = _submitted_check(program, school, coordinator)
    # One attempt instead of five (about 6–10 s of back-off) keeps the test fast.
    monkeypatch.setattr(flow_row_lock, "attempts", 1)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(
        target=_hold_case_lock,
        args=(application.process_id,),
        kwargs={"locked": locked, "release": release},
    )
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with pytest.raises(ConflictError):
            services.task_complete(task_id=check.pk, user=methodist, data={"decision": "accept"})
        with pytest.raises(ConflictError):
            services.task_claim(task_id=check.pk, user=methodist)
    finally:
        release.set()
        holder.join(timeout=30)

    check.refresh_from_db()
    assert (check.status, check.owner_id) == (STATUS.NEW, None)
    application.refresh_from_db()
    assert application.state == State.AT_METHODIST
    # Once the other request is done, the step goes through.
    services.task_complete(task_id=check.pk, user=methodist, data={"decision": "accept"})
    application.refresh_from_db()
    assert application.state == State.AT_COUNCIL


def test_a_case_held_briefly_is_waited_for(postgres, program, school, coordinator, methodist):
    """viewflow retries its NOWAIT lock with back-off: a short hold costs time, not an error."""
    application, check = _submitted_check(program, school, coordinator)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(
        target=_hold_case_lock,
        args=(application.process_id,),
        kwargs={"locked": locked, "release": release},
    )
    holder.start()
    assert locked.wait(timeout=10)
    threading.Timer(0.3, release.set).start()
    try:
        services.task_complete(task_id=check.pk, user=methodist, data={"decision": "accept"})
    finally:
        release.set()
        holder.join(timeout=30)
    application.refresh_from_db()
    assert application.state == State.AT_COUNCIL
    assert (
        Task.objects.filter(
            process_id=application.process_id, flow_task=ApplicationFlow.council
        ).count()
        == 1
    )


def _at_department(program, methodist, secretary):
    application = ApplicationFactory(program=program, organisation=OrganisationFactory())
    services.application_submit(application_id=application.pk, user=application.created_by)
    task = selectors.application_open_task(Application.objects.get(pk=application.pk))
    services.task_complete(task_id=task.pk, user=methodist, data={"decision": "accept"})
    council_at_meeting(
        Application.objects.get(pk=application.pk),
        secretary=secretary,
        decision="granted",
        reasons="Соответствует",
        meeting_date=NOW.date(),
    )
    application.refresh_from_db()
    assert application.state == State.AT_DEPARTMENT
    return application


def test_one_order_approving_two_decisions_entered_at_once_is_one_order(
    postgres, program, methodist, secretary, official
):
    """Both decisions of a meeting are approved by order No. 125-р; two officials (or one in two
    tabs) enter it at the same moment, each having taken their step beforehand."""
    from applications.models import Order

    colleague = UserFactory(username="official2", groups=[roles.DEPARTMENT])
    first = _at_department(program, methodist, secretary)
    second = _at_department(program, methodist, secretary)
    jobs = []
    for application, user in ((first, official), (second, colleague)):
        task = selectors.application_open_task(application)
        services.task_claim(task_id=task.pk, user=user)
        data = {
            "decision": "approve",
            "order_number": "125-р",
            "order_date": NOW.date(),
            "comment": "",
        }
        jobs.append(
            lambda task=task, user=user, data=data: services.task_complete(
                task_id=task.pk, user=user, data=data
            )
        )

    outcomes = run_together(jobs, threads=2)

    assert [exc for _r, exc in outcomes if exc is not None] == []
    assert Order.objects.filter(program=program, number="125-р").count() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == second.state == State.GRANTED
    assert first.order_id == second.order_id
