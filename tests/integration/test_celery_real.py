"""Proven on the real thing: a real Celery worker process, real Redis, real PostgreSQL, real SMTP.

Each test starts its own worker (`celery worker`, prefork, 2 processes, every queue of
settings.DOCKET_QUEUES) on the same test database as this process, a broker on Redis (the
machine's, isolated by a per-test key prefix; or a private redis-server for the outage), and an
SMTP server (aiosmtpd) inside this process. The test acts as the users do, through the services,
and then watches the database, the broker and the mailbox until the worker has done its part.
Waits poll real state with a deadline; nothing sleeps "long enough". This process sends no mail
itself (its backend is locmem): whatever reaches the SMTP server was sent by the worker.

Server-bound: skipped with the reason on a machine without PostgreSQL or Redis, failed in CI.
"""

import datetime
import io
import itertools
import os
import re
import shutil
import time
from collections import Counter
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from applications import services
from applications.models import Application
from audit.models import AuditEvent
from councils.models import Protocol
from notifications.models import Kind, Notification
from notifications.services import notification_preferences_set, notify
from statuses.models import Status
from tests.conftest import require_server
from tests.factories import (
    ApplicationFactory,
    CoordinatorFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.integration.celery_harness import (
    Broker,
    CeleryWorker,
    Harness,
    Mailbox,
    free_port,
    pg_connect,
    publishing_to,
    redis_answers,
    smtp_server,
    wait_until,
)
from tests.story import act, council_decides, rendered, submitted

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]

State = Application.State
EMAIL, INAPP = Notification.Channel.EMAIL, Notification.Channel.INAPP
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_DB = 9  # our own index on the shared server; keys are prefixed per test on top of that
SITE_URL = "https://docket.example.test"
# The worker runs the development settings (e-mail from EMAIL_URL): config.settings.test forces
# the locmem backend, and a separate process's locmem outbox cannot be observed.
WORKER_SETTINGS = "config.settings.local"
DELIVERY_TIMEOUT = 30  # seconds for a handful of notifications to reach the mailbox
BURST = 1000
BURST_TIMEOUT = 180


# --- Fixtures ---------------------------------------------------------------------------------


def _shared_redis_url() -> str:
    parts = urlsplit(REDIS_URL)
    return f"{parts.scheme}://{parts.netloc}/{REDIS_DB}"


@pytest.fixture
def shared_redis(postgres):
    url = _shared_redis_url()
    if not redis_answers(url):
        require_server(f"this test needs Redis at {url} (set REDIS_URL=redis://...)")
    return url


@pytest.fixture
def smtp():
    with smtp_server() as (mailbox, port):
        yield SimpleNamespace(mailbox=mailbox, port=port)


@pytest.fixture
def real_celery(postgres, shared_redis, smtp, tmp_path, settings):
    """Workers on demand; this process publishes to the same broker. All stopped afterwards."""
    # Links are written into the rows by this process, in the transaction of the change.
    settings.SITE_URL = SITE_URL
    harness = Harness(
        tmp_path=tmp_path, smtp_port=smtp.port, site_url=SITE_URL, settings_module=WORKER_SETTINGS
    )
    broker = harness.broker(shared_redis)
    try:
        with publishing_to(broker):
            harness.publish_broker = broker
            yield harness
    finally:
        harness.shutdown()


# --- The case, as its people act -----------------------------------------------------------------


def to_the_department(application, *, methodist, secretary):
    council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="granted",
        reasons="Соответствует положению",
        meeting_date=timezone.localdate(),
    )
    assert application.state == State.AT_DEPARTMENT
    # The signed protocol enqueued its extract's PDF: rendered here as the worker would (safe
    # twice), so the tests that follow have only their own messages in flight.
    from documents.models import RenderRequest

    for extract in RenderRequest.objects.filter(state=RenderRequest.State.PENDING):
        rendered(extract.document)


def approve(application, *, official):
    act(
        official,
        application,
        decision="approve",
        order_number="125-р",
        order_date=timezone.localdate(),
        comment="",
    )


def case_url(application) -> str:
    return SITE_URL + reverse("application-detail", args=[application.pk])


def message_id(notification: Notification) -> str:
    return f"<notification.{notification.pk}@{urlsplit(SITE_URL).hostname}>"


def emails(**filters):
    return Notification.objects.filter(channel=EMAIL, **filters).order_by("pk")


def tick(**ahead) -> str:
    """`manage.py tick --now <now + ahead>`: every periodic task once, as of that moment, in this
    process (what it enqueues goes to the test's broker). Returns its report."""
    out = io.StringIO()
    call_command("tick", now=(timezone.now() + datetime.timedelta(**ahead)).isoformat(), stdout=out)
    return out.getvalue()


def wait_idle(broker: Broker, harness: Harness, *, timeout: float = DELIVERY_TIMEOUT) -> None:
    """The broker holds nothing for this test (no queued, prefetched or countdown message),
    three polls in a row 0.2 s apart: whatever the worker was asked to do, it has done."""
    streak = {"n": 0}

    def idle():
        streak["n"] = streak["n"] + 1 if not broker.pending() else 0
        return streak["n"] >= 3

    wait_until(
        idle,
        timeout=timeout,
        interval=0.2,
        what="the broker to be idle",
        details=lambda: f"pending: {broker.pending()}\n{harness.logs()}",
    )


def wait_outbox_settled(harness: Harness, *, timeout: float = DELIVERY_TIMEOUT) -> None:
    """No e-mail row waits to be sent (READY) or is being sent (SENDING)."""
    open_states = [Notification.State.READY, Notification.State.SENDING]

    def settled():
        return not emails(state__in=open_states).exists()

    wait_until(
        settled,
        timeout=timeout,
        interval=0.2,
        what="every e-mail of the outbox to be sent or failed",
        details=lambda: (
            f"open rows: {list(emails(state__in=open_states).values_list('pk', 'state', 'attempts', 'last_error'))}\n"
            f"{harness.logs()}"
        ),
    )


def assert_each_email_delivered_once(mailbox: Mailbox) -> None:
    """Every SENT e-mail row is in the mailbox exactly once, to its recipient; nothing else is."""
    rows = list(emails().select_related("recipient"))
    received = Counter(m.message_id for m in mailbox.messages())
    duplicates = {k: n for k, n in received.items() if n > 1}
    assert not duplicates, f"delivered more than once: {duplicates}"
    sent = {message_id(n): n for n in rows if n.state == Notification.State.SENT}
    assert set(received) == set(sent), (
        f"missing: {sorted(set(sent) - set(received))}, unexpected: {sorted(set(received) - set(sent))}"
    )
    for msg in mailbox.messages():
        assert msg.rcpt_tos == [sent[msg.message_id].recipient.email]


def inbox(user) -> list[str]:
    """The kinds of a user's in-app notifications, oldest first."""
    return list(
        Notification.objects.filter(recipient=user, channel=INAPP)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def mailed(user, mailbox: Mailbox) -> list[str]:
    """The kinds of the letters the SMTP server received for a user, in the order of the rows."""
    ids = {m.message_id for m in mailbox.messages_to(user.email)}
    return [n.kind for n in emails(recipient=user) if message_id(n) in ids]


# --- 1. A decision reaches the people it concerns --------------------------------------------


def test_a_returned_application_reaches_the_school_by_email_and_in_app(
    real_celery, smtp, program, school, coordinator, methodist, secretary, other_coordinator
):
    """The methodist returns the application with a comment. The worker delivers the letter to
    the school's coordinator: in Russian, with the comment and an absolute link to the case; the
    bell has it too. The methodist was told about the new check; nobody else hears anything."""
    harness = real_celery
    harness.worker(harness.publish_broker, name="w")
    application = submitted(coordinator=coordinator, school=school, program=program)
    comment = "Уточните план мероприятий на второй год: нет сроков проведения семинаров."
    act(methodist, application, decision="return", comment=comment)
    assert application.state == State.RETURNED

    wait_outbox_settled(harness)
    wait_idle(harness.publish_broker, harness)
    assert mail.outbox == []  # this process sent nothing: every letter below is the worker's

    returned = emails(kind=Kind.APPLICATION_RETURNED).get()
    assert returned.recipient == coordinator
    assert returned.state == Notification.State.SENT and returned.attempts == 1
    [letter] = [m for m in smtp.mailbox.messages() if m.message_id == message_id(returned)]
    assert letter.rcpt_tos == [coordinator.email]
    assert application.reg_number in letter.subject
    assert "возвращена на доработку" in letter.subject.lower()
    assert comment in letter.text and case_url(application) in letter.text
    assert comment in letter.html and f'href="{case_url(application)}"' in letter.html
    assert "Здравствуйте" in letter.text  # Russian, addressed to the person

    assert Kind.APPLICATION_RETURNED in inbox(coordinator)
    bell = Notification.objects.get(
        recipient=coordinator, channel=INAPP, kind=Kind.APPLICATION_RETURNED
    )
    assert bell.url == case_url(application) and comment in bell.body_text and bell.read_at is None

    # The revision step is not announced again: the letter about the return is the one that matters.
    assert inbox(coordinator) == mailed(coordinator, smtp.mailbox) == [Kind.APPLICATION_RETURNED]
    assert inbox(methodist) == mailed(methodist, smtp.mailbox) == [Kind.TASK_ASSIGNED]
    assert inbox(secretary) == inbox(other_coordinator) == []
    assert_each_email_delivered_once(smtp.mailbox)


def test_the_whole_core_case_tells_each_actor_what_concerns_them(
    real_celery, smtp, program, school, coordinator, methodist, secretary, official
):
    """Return, resubmission, acceptance, the council's decision, the order and the status grant
    (the background job, run by the worker too): each actor gets, by e-mail and in the bell,
    exactly the events that concern them, each once, each with a link to the case or the step."""
    harness = real_celery
    harness.worker(harness.publish_broker, name="w")
    application = submitted(coordinator=coordinator, school=school, program=program)
    act(methodist, application, decision="return", comment="Уточните цели")
    services.application_submit(application_id=application.pk, user=coordinator)
    to_the_department(application, methodist=methodist, secretary=secretary)
    approve(application, official=official)

    wait_until(
        lambda: Status.objects.filter(application=application).exists(),
        timeout=DELIVERY_TIMEOUT,
        what="the worker to grant the status",
        details=harness.logs,
    )
    wait_outbox_settled(harness)
    wait_idle(harness.publish_broker, harness)

    expected = {
        coordinator: [
            Kind.APPLICATION_RETURNED,  # (the revision step itself is not announced twice)
            Kind.DECISION_TAKEN,
            Kind.ORDER_SIGNED,
            Kind.TASK_ASSIGNED,  # sign the cooperation agreement for the school
            Kind.STATUS_GRANTED,
        ],
        # The first check and the second; then the agreement, signed for the methodical office.
        methodist: [Kind.TASK_ASSIGNED, Kind.TASK_ASSIGNED, Kind.TASK_ASSIGNED],
        secretary: [Kind.TASK_ASSIGNED, Kind.TASK_ASSIGNED],  # the waiting case, the protocol
        official: [Kind.TASK_ASSIGNED],
    }
    for person, kinds in expected.items():
        assert inbox(person) == mailed(person, smtp.mailbox) == kinds, person.username
    assert_each_email_delivered_once(smtp.mailbox)
    for notification in emails(recipient=coordinator).exclude(kind=Kind.TASK_ASSIGNED):
        assert notification.url == case_url(application)
    staff_steps = [
        task
        for task in Task.objects.filter(process_id=application.process_id, flow_task_type="HUMAN")
        if task.flow_task.name != "revise"
    ]
    protocol = Protocol.objects.get()
    steps = emails(kind=Kind.TASK_ASSIGNED).exclude(dedup_key__startswith="agreement:")
    assert emails(kind=Kind.TASK_ASSIGNED, dedup_key__startswith="agreement:").count() == 2
    assert sorted(steps.values_list("url", flat=True)) == sorted(
        [SITE_URL + reverse("task-detail", args=[task.pk]) for task in staff_steps]
        + [SITE_URL + reverse("council-list")]
        + [SITE_URL + reverse("protocol-detail", args=[protocol.pk])] * 2
    )  # check, check again, approve: each letter links to its own step; the case waiting for
    # the council links to the councils (none is set up yet when the case arrives there); the
    # chair and the secretary are asked to sign the protocol
    granted = emails(kind=Kind.STATUS_GRANTED).get()
    [letter] = [m for m in smtp.mailbox.messages() if m.message_id == message_id(granted)]
    status = Status.objects.get(application=application)
    assert status.valid_until.strftime("%d.%m.%Y") in letter.text
    assert case_url(application) in letter.text


def test_make_run_on_another_port_reaches_the_links_the_worker_writes(
    real_celery, smtp, program, school, coordinator, methodist, secretary, official
):
    """`make run PORT=8001`: the supervisor's environment gives the worker SITE_URL on port 8001
    (this process keeps its own), and what the worker writes itself, the status grant of the
    background job, links there, in the row and in the letter."""
    from scripts import run

    served = run.service_env({}, host="127.0.0.1", port=8001, dotenv_vars={})["SITE_URL"]
    assert served == "http://127.0.0.1:8001"
    harness = real_celery
    harness.worker(harness.publish_broker, name="w", SITE_URL=served)
    application = submitted(coordinator=coordinator, school=school, program=program)
    to_the_department(application, methodist=methodist, secretary=secretary)
    approve(application, official=official)
    wait_until(
        lambda: Status.objects.filter(application=application).exists(),
        timeout=DELIVERY_TIMEOUT,
        what="the worker to grant the status",
        details=harness.logs,
    )
    wait_outbox_settled(harness)

    granted = emails(kind=Kind.STATUS_GRANTED).get()
    link = served + reverse("application-detail", args=[application.pk])
    assert granted.url == link
    [letter] = [
        m
        for m in smtp.mailbox.messages()
        if m.message_id == f"<notification.{granted.pk}@127.0.0.1>"
    ]
    assert link in letter.text and f'href="{link}"' in letter.html
    # A letter written by this process (the order signed, in the official's request) keeps this
    # process's SITE_URL: the worker only delivers it.
    assert emails(kind=Kind.ORDER_SIGNED).first().url.startswith(SITE_URL + "/")


# --- 2. A worker killed in the middle of a job --------------------------------------------------


@pytest.mark.parametrize("recovery", ["redelivery", "sweep"])
def test_worker_killed_in_the_middle_of_the_grant_job_completes_it_exactly_once(
    recovery, real_celery, smtp, program, school, coordinator, methodist, secretary, official
):
    """The department's order enqueues the background "grant the status" job. Its body is made
    slow for real: this test holds a SHARE lock on the status table, so after the job is claimed
    (STARTED) its INSERT of the status waits in PostgreSQL. Then the worker and its pool get
    SIGKILL; the killed transaction rolls back. The message was not acknowledged (acks_late),
    so it stays in Redis. A new worker finishes the step, and it is done once: one status, one
    DONE task, one "status granted" e-mail; the sweeps run an hour later add nothing.

    - redelivery: the broker's visibility timeout is short (8 s): the new worker restores the
      very same message and runs it.
    - sweep: Redis's default visibility timeout (an hour) holds the message back; the operators'
      `tick` (sweep_flow_jobs) re-sends the STARTED job, and when the broker finally restores the
      original message, it finds the step done and does nothing.
    """
    harness = real_celery
    visibility = 8
    options = (
        {
            "visibility_timeout": visibility,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        }
        if recovery == "redelivery"
        else {}
    )
    broker = harness.broker(harness.publish_broker.url, **options)
    first = harness.worker(broker, name="doomed")
    application = submitted(coordinator=coordinator, school=school, program=program)
    to_the_department(application, methodist=methodist, secretary=secretary)

    blocker = pg_connect(connection.settings_dict, application_name=f"blocker-{harness.run}")
    try:
        blocker.execute("LOCK TABLE workflows_status IN SHARE MODE")
        approve(application, official=official)
        job = Task.objects.get(process_id=application.process_id, flow_task_type="JOB")
        waiting = wait_until(
            lambda: [
                q
                for _pid, q in harness.worker_backends(waiting_on_lock=True)
                if "workflows_status" in q
            ],
            timeout=DELIVERY_TIMEOUT,
            what="the grant job to block on the status table",
            details=harness.logs,
        )
        assert waiting[0].lstrip().upper().startswith("INSERT")
        job.refresh_from_db()
        assert job.status == STATUS.STARTED  # claimed; the body is in progress
        # The order's letter went out meanwhile (the other pool process); only the job is left.
        wait_outbox_settled(harness)
        killed_at = time.monotonic()
        # Only the job's message is in flight (the extract's rendering was acknowledged).
        wait_until(
            lambda: broker.pending() == {"unacked": 1},
            timeout=DELIVERY_TIMEOUT,
            what="only the job's message to be in flight",
            details=lambda: f"{broker.pending()}\n{harness.logs()}",
        )
        first.kill()
        assert not first.alive
        assert broker.pending() == {"unacked": 1}  # the job's message, not acknowledged
    finally:
        blocker.rollback()
        blocker.close()
    [message] = JOB_RECEIVED.findall(first.log())

    # The killed worker's transaction never commits: PostgreSQL rolls it back when it finds the
    # client gone, right after our lock is released.
    wait_until(lambda: not harness.worker_backends(), timeout=15, what="the dead worker's backends")
    assert not Status.objects.filter(application=application).exists()
    assert not emails(kind=Kind.STATUS_GRANTED).exists()
    job.refresh_from_db()
    assert job.status == STATUS.STARTED

    heir = harness.worker(broker, name="heir")
    if recovery == "sweep":
        assert broker.pending() == {"unacked": 1}  # held back by the broker for an hour
        stuck_for = settings.FLOW_JOB_STUCK_AFTER_SECONDS + 60
        assert "sweep-flow-jobs: 1" in tick(seconds=stuck_for)
    wait_until(
        lambda: Task.objects.get(pk=job.pk).status == STATUS.DONE,
        timeout=visibility + DELIVERY_TIMEOUT,
        what=f"the job to finish ({recovery})",
        details=harness.logs,
    )
    print(f"\n[kill/{recovery}] job done {time.monotonic() - killed_at:.1f}s after SIGKILL")
    wait_outbox_settled(harness)
    if recovery == "redelivery":
        assert job_outcomes(heir, message) == ["done"]  # the very message the dead worker had
    else:
        wait_until(
            lambda: broker.pending() == {"unacked": 1},
            timeout=DELIVERY_TIMEOUT,
            what="only the dead worker's message to be left",
            details=lambda: f"{broker.pending()}\n{harness.logs()}",
        )
        broker.expire_unacked()  # the hour is up: the broker hands the original message out
        wait_until(
            lambda: job_outcomes(heir, message),
            timeout=DELIVERY_TIMEOUT,
            what="the original message to come back",
            details=harness.logs,
        )
        assert job_outcomes(heir, message) == ["skipped"]

    # The operators' sweeps, an hour later: neither the job nor its letters go out again.
    tick(hours=1)
    wait_idle(broker, harness)

    application.refresh_from_db()
    assert Status.objects.filter(application=application).count() == 1
    assert AuditEvent.objects.filter(action="status.grant").count() == 1
    jobs = Task.objects.filter(process_id=application.process_id, flow_task_type="JOB")
    assert [t.status for t in jobs] == [STATUS.DONE]
    ends = Task.objects.filter(process_id=application.process_id, flow_task_type="END")
    assert [t.status for t in ends] == [STATUS.DONE]
    assert application.process.status == STATUS.DONE
    granted = emails(kind=Kind.STATUS_GRANTED).get()
    assert (granted.recipient, granted.state) == (coordinator, Notification.State.SENT)
    assert [m.message_id for m in smtp.mailbox.messages_to(coordinator.email)].count(
        message_id(granted)
    ) == 1
    assert_each_email_delivered_once(smtp.mailbox)


JOB_RECEIVED = re.compile(r"Task workflows\.tasks\.run_flow_job\[([0-9a-f-]+)\] received")


def job_outcomes(worker: CeleryWorker, message: str) -> list[str]:
    """What run_flow_job returned for that message id in that worker, from its log."""
    pattern = rf"run_flow_job\[{re.escape(message)}\] succeeded in [0-9.]+s: '(\w+)'"
    return re.findall(pattern, worker.log())


# --- 3. The broker is down when the state changes --------------------------------------------------


@pytest.mark.parametrize("change", ["return", "order"])
def test_broker_down_at_the_state_change_the_outbox_keeps_the_work_until_the_sweep(
    change, real_celery, smtp, program, school, coordinator, methodist, secretary, official
):
    """A private redis-server is the broker. It is stopped (losing the messages it held) just
    before a step: the methodist returns the application ("return"), or the department signs
    the order, which also schedules the background grant ("order"). The change commits and the
    user gets no error; the letters wait READY in the outbox, the job waits SCHEDULED. The
    broker comes back empty on the same port, with a worker: nothing happens until the
    operators' sweep (`manage.py tick`) re-sends the rows and the job; then every letter
    arrives once and the status is granted once. A second sweep later sends nothing."""
    harness = real_celery
    if not shutil.which("redis-server"):
        require_server("this test needs the redis-server binary (apt-get install redis-server)")
    server = harness.redis_server(free_port())
    server.start()
    broker = harness.broker(server.url)
    with publishing_to(broker):
        application = submitted(coordinator=coordinator, school=school, program=program)
        if change == "order":
            to_the_department(application, methodist=methodist, secretary=secretary)
        server.stop()  # no persistence: the messages queued so far are gone with it

        started = time.monotonic()
        if change == "return":
            act(methodist, application, decision="return", comment="Приложите план на три года")
        else:
            approve(application, official=official)
        print(f"\n[outage/{change}] the step took {time.monotonic() - started:.2f}s, broker down")
        expected_state = State.RETURNED if change == "return" else State.GRANTED
        assert Application.objects.get(pk=application.pk).state == expected_state
        kind = Kind.APPLICATION_RETURNED if change == "return" else Kind.ORDER_SIGNED
        letter_row = emails(kind=kind).get()
        assert (letter_row.state, letter_row.attempts) == (Notification.State.READY, 0)
        assert set(emails().values_list("state", flat=True)) == {Notification.State.READY}
        jobs = Task.objects.filter(process_id=application.process_id, flow_task_type="JOB")
        assert [j.status for j in jobs] == ([STATUS.SCHEDULED] if change == "order" else [])

        server.start()
        harness.worker(broker, name="after-outage")
        assert broker.pending() == {}  # nothing was published: the database is all there is
        assert smtp.mailbox.messages() == []

        waiting = emails().count()
        report = tick(minutes=10)
        # The sweep re-sends every letter that waited; for an order, the flow-job sweep runs
        # first and a fast worker may already have granted the status, whose new letters the
        # outbox sweep may or may not find still READY: between the two counts, both included.
        requeued = int(re.search(r"'requeued': (\d+)", report).group(1))
        assert waiting <= requeued <= emails().count(), report
        assert f"sweep-flow-jobs: {len(jobs)}" in report, report
        if change == "order":
            wait_until(
                lambda: Status.objects.filter(application=application).exists(),
                timeout=DELIVERY_TIMEOUT,
                what="the worker to grant the status",
                details=harness.logs,
            )
        wait_outbox_settled(harness)
        wait_idle(broker, harness)
        assert set(emails().values_list("state", flat=True)) == {Notification.State.SENT}
        assert_each_email_delivered_once(smtp.mailbox)
        letter_row.refresh_from_db()
        assert letter_row.attempts == 1
        [letter] = [m for m in smtp.mailbox.messages() if m.message_id == message_id(letter_row)]
        assert letter.rcpt_tos == [coordinator.email]
        if change == "return":
            assert "Приложите план на три года" in letter.text
        else:
            assert Status.objects.filter(application=application).count() == 1
            assert [j.status for j in jobs.all()] == [STATUS.DONE]
            assert emails(kind=Kind.STATUS_GRANTED).get().state == Notification.State.SENT

        # Another sweep later finds nothing to do.
        delivered = len(smtp.mailbox.messages())
        report = tick(minutes=30)
        assert "'requeued': 0" in report and "sweep-flow-jobs: 0" in report, report
        wait_idle(broker, harness)
        assert len(smtp.mailbox.messages()) == delivered
        assert_each_email_delivered_once(smtp.mailbox)


# --- 4. SMTP refusing -------------------------------------------------------------------------------


def test_smtp_refusing_for_a_while_is_retried_with_backoff_and_a_bad_address_fails(
    real_celery, smtp, program, methodist
):
    """Two schools' applications are returned. The first school's mail server answers 421 twice
    (overloaded): the letter is retried with a growing pause and delivered once on the third
    attempt. The second school's address does not exist (550): the letter is FAILED at once
    with the server's reason, for an administrator, and never tried again."""
    harness = real_celery
    # Backoff base 1 s instead of 10 s so the test takes seconds; the doubling is the product's.
    harness.worker(harness.publish_broker, name="w", NOTIFICATION_RETRY_BACKOFF_SECONDS="1")
    busy = CoordinatorFactory(username="busy", email="coord@busy-school.example")
    bogus = CoordinatorFactory(username="bogus", email="nobody@bogus-school.example")
    for person in (busy, bogus):  # only the letter under test goes to these servers
        notification_preferences_set(user=person, email_by_kind={Kind.TASK_ASSIGNED: False})
    smtp.mailbox.refuse_transiently(busy.email, times=2, code=421)
    smtp.mailbox.refuse_permanently(bogus.email)

    for person in (busy, bogus):
        school = person.organisationmembership_set.get().organisation
        application = submitted(coordinator=person, school=school, program=program)
        act(methodist, application, decision="return", comment="Нет подписи директора")

    wait_outbox_settled(harness, timeout=DELIVERY_TIMEOUT + 15)
    wait_idle(harness.publish_broker, harness)

    retried = emails(recipient=busy).get()
    assert retried.state == Notification.State.SENT
    assert retried.attempts == 3
    assert "421" in retried.last_error
    assert len(smtp.mailbox.messages_to(busy.email)) == 1
    tries = smtp.mailbox.attempts_for(busy.email)
    assert [a.code for a in tries] == [421, 421, 250]
    pauses = [later.at - earlier.at for earlier, later in itertools.pairwise(tries)]
    print(f"\n[smtp] pauses between attempts: {', '.join(f'{p:.2f}s' for p in pauses)}")
    assert all(p >= 0.9 for p in pauses), pauses  # a countdown, not an immediate retry loop

    failed = emails(recipient=bogus).get()
    assert failed.state == Notification.State.FAILED
    assert failed.attempts == 1
    assert "550" in failed.last_error and bogus.email in failed.last_error
    assert [a.code for a in smtp.mailbox.attempts_for(bogus.email)] == [550]
    assert smtp.mailbox.messages_to(bogus.email) == []
    assert_each_email_delivered_once(smtp.mailbox)


# --- 5. A burst ---------------------------------------------------------------------------------


def test_a_thousand_notifications_at_once_are_all_delivered_once(real_celery, smtp, program):
    """1,000 people are told about one event in one transaction; the commit enqueues 1,000
    letters, which one worker (2 processes) delivers: every one arrives exactly once (counted
    by Message-ID, derived from the row), none is missing. Prints the throughput."""
    harness = real_celery
    harness.worker(harness.publish_broker, name="w")
    school = OrganisationFactory()
    application = ApplicationFactory(organisation=school, program=program)
    User.objects.bulk_create(
        User(username=f"reader{i:04d}", email=f"reader{i:04d}@example.org", first_name="Читатель")
        for i in range(BURST)
    )
    people = list(User.objects.filter(username__startswith="reader").order_by("pk"))
    assert len(people) == BURST

    started = time.monotonic()
    with transaction.atomic():
        notify(
            recipients=people,
            kind=Kind.TASK_ASSIGNED,
            subject=f"Новая задача по заявке {application.pk}",
            template="task_assigned",
            context={"application": application, "step": "Проверка", "assigned": False},
            url=case_url(application),
            dedup_key=f"burst:{application.pk}",
        )
    committed = time.monotonic()
    assert emails().count() == BURST

    wait_until(
        lambda: len(smtp.mailbox.messages()) >= BURST,
        timeout=BURST_TIMEOUT,
        interval=0.5,
        what=f"{BURST} letters to arrive",
        details=lambda: f"{len(smtp.mailbox.messages())} arrived\n{harness.logs()}",
    )
    delivered = time.monotonic()
    wait_outbox_settled(harness)
    wait_idle(harness.publish_broker, harness)

    assert emails(state=Notification.State.SENT).count() == BURST
    assert len(smtp.mailbox.messages()) == BURST
    assert_each_email_delivered_once(smtp.mailbox)
    assert set(emails().values_list("attempts", flat=True)) == {1}
    total = delivered - started
    print(
        f"\n[burst] {BURST} notifications: written and enqueued in {committed - started:.1f}s, "
        f"all delivered {total:.1f}s after the transaction began: "
        f"{BURST / total:.0f} e-mails/s end to end, "
        f"{BURST / (delivered - committed):.0f}/s after the commit (1 worker, 2 processes)"
    )


# --- 6. A background step that keeps failing ------------------------------------------------------

REFUSE_STATUS_SQL = """
CREATE SEQUENCE IF NOT EXISTS docket_test_grant_attempts;
CREATE OR REPLACE FUNCTION docket_test_refuse_status() RETURNS trigger AS $$
BEGIN
    PERFORM nextval('docket_test_grant_attempts');
    RAISE EXCEPTION 'реестр статусов недоступен';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER docket_test_refuse_status BEFORE INSERT ON workflows_status
    FOR EACH ROW EXECUTE FUNCTION docket_test_refuse_status();
"""
ALLOW_STATUS_SQL = """
DROP TRIGGER IF EXISTS docket_test_refuse_status ON workflows_status;
DROP FUNCTION IF EXISTS docket_test_refuse_status();
"""


def grant_attempts() -> int:
    """How many times the job's body reached the INSERT of the status (a sequence: its value
    survives the rollback of each failed attempt)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value, is_called FROM docket_test_grant_attempts")
        last_value, is_called = cursor.fetchone()
    return last_value if is_called else 0


@pytest.fixture
def registry_refuses_statuses(postgres):
    """The registry table refuses every new status, for real: a PostgreSQL trigger raises on
    each INSERT, so the grant job's body fails every time it runs, in any process."""
    with connection.cursor() as cursor:
        cursor.execute(ALLOW_STATUS_SQL + "DROP SEQUENCE IF EXISTS docket_test_grant_attempts;")
        cursor.execute(REFUSE_STATUS_SQL)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(ALLOW_STATUS_SQL + "DROP SEQUENCE IF EXISTS docket_test_grant_attempts;")


def test_a_grant_job_that_always_fails_ends_in_error_and_the_administrators_are_told(
    real_celery,
    registry_refuses_statuses,
    smtp,
    client,
    program,
    school,
    coordinator,
    methodist,
    secretary,
    official,
):
    """The department signs the order; the background grant fails on every attempt (the
    registry table refuses the row). With FLOW_JOB_MAX_RETRIES=4 the step runs exactly 5
    times in all, with a growing pause, also when the operators' sweep runs in between; then it
    is ERROR with its error, audited once, listed on /monitoring/ with Retry and Cancel, and the
    administrator is told in the bell and by e-mail. The school's page says the entry is
    delayed and the staff know. Later sweeps run it no more. Once the registry accepts rows
    again, the administrator's Retry grants the status and the school's page says so."""
    harness = real_celery
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    harness.worker(
        harness.publish_broker,
        name="w",
        FLOW_JOB_MAX_RETRIES="4",
        FLOW_JOB_RETRY_BACKOFF_SECONDS="1",
    )
    application = submitted(coordinator=coordinator, school=school, program=program)
    to_the_department(application, methodist=methodist, secretary=secretary)
    approve(application, official=official)
    job = Task.objects.get(process_id=application.process_id, flow_task_type="JOB")

    # After the first failure, the operators' sweep runs as if the job had been stuck for long:
    # it may send the job again, but that spends the same attempts, it does not reset them.
    wait_until(lambda: grant_attempts() >= 1, timeout=DELIVERY_TIMEOUT, what="a first attempt")
    tick(seconds=settings.FLOW_JOB_STUCK_AFTER_SECONDS + 60)

    wait_until(
        lambda: Task.objects.get(pk=job.pk).status == STATUS.ERROR,
        timeout=60,
        what="the job to end in ERROR",
        details=lambda: (
            f"attempts: {grant_attempts()}, job: {Task.objects.get(pk=job.pk).status}\n"
            f"{harness.logs()}"
        ),
    )
    wait_outbox_settled(harness)
    wait_idle(harness.publish_broker, harness)
    assert grant_attempts() == 5
    job.refresh_from_db()
    assert job.data["_attempts"] == 5
    assert "реестр статусов недоступен" in job.data["_exception"]["title"]
    failed = AuditEvent.objects.filter(action="flow_job.failed", object_id=str(job.pk))
    assert failed.count() == 1
    assert not Status.objects.filter(application=application).exists()

    # The administrator: the bell and a letter, with a link to the monitoring page.
    assert Kind.JOB_FAILED in inbox(admin)
    assert mailed(admin, smtp.mailbox) == [Kind.JOB_FAILED]
    letter = emails(kind=Kind.JOB_FAILED, recipient=admin).get()
    assert application.reg_number in letter.subject
    assert letter.url == SITE_URL + reverse("monitoring")
    assert "реестр статусов недоступен" in letter.body_text
    for person in (coordinator, methodist, secretary, official):
        assert Kind.JOB_FAILED not in inbox(person)

    client.force_login(admin)
    page = client.get(reverse("monitoring")).content.decode()
    assert "реестр статусов недоступен" in page and application.reg_number in page
    assert 'value="retry"' in page and 'value="cancel"' in page

    client.force_login(coordinator)
    page = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "задерживается" in page and "Сотрудники знают об этом" in page
    assert "вносится в реестр" not in page

    # The sweeps an hour later: the failed job stays failed, nothing runs again.
    tick(hours=1)
    wait_idle(harness.publish_broker, harness)
    assert grant_attempts() == 5
    assert Task.objects.get(pk=job.pk).status == STATUS.ERROR

    # The registry is repaired; the administrator retries the step from the monitoring page.
    with connection.cursor() as cursor:
        cursor.execute(ALLOW_STATUS_SQL)
    client.force_login(admin)
    client.post(reverse("monitoring"), {"action": "retry", "task": job.pk})
    wait_until(
        lambda: Task.objects.get(pk=job.pk).status == STATUS.DONE,
        timeout=DELIVERY_TIMEOUT,
        what="the retried job to finish",
        details=harness.logs,
    )
    wait_outbox_settled(harness)
    status = Status.objects.get(application=application)
    assert emails(kind=Kind.STATUS_GRANTED, recipient=coordinator).get().state == (
        Notification.State.SENT
    )
    client.force_login(coordinator)
    page = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert status.valid_until.strftime("%d.%m.%Y") in page
    assert "задерживается" not in page


# --- 7. The broker goes away for a while, with work in flight ----------------------------------

OUTAGE_SECONDS = 30
HOLD_LOCK = 4242  # an advisory lock number of this test
GRANT_HOOK_SQL = """
CREATE SEQUENCE docket_test_second_fails;
CREATE FUNCTION docket_test_grant_hook() RETURNS trigger AS $$
BEGIN
    -- The first school's grant waits while the test holds the advisory lock.
    IF NEW.application_id = %(first)s THEN
        PERFORM pg_advisory_lock(%(lock)s);
        PERFORM pg_advisory_unlock(%(lock)s);
    END IF;
    -- The second school's grant fails once, then waits for its retry.
    IF NEW.application_id = %(second)s AND nextval('docket_test_second_fails') = 1 THEN
        RAISE EXCEPTION 'реестр занят';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER docket_test_grant_hook BEFORE INSERT ON workflows_status
    FOR EACH ROW EXECUTE FUNCTION docket_test_grant_hook();
"""
GRANT_UNHOOK_SQL = """
DROP TRIGGER IF EXISTS docket_test_grant_hook ON workflows_status;
DROP FUNCTION IF EXISTS docket_test_grant_hook();
DROP SEQUENCE IF EXISTS docket_test_second_fails;
"""


@pytest.fixture
def grant_hook(postgres):
    """Installs the trigger of GRANT_HOOK_SQL for two applications: hook(first, second)."""

    def hook(first, second):
        with connection.cursor() as cursor:
            cursor.execute(
                GRANT_HOOK_SQL % {"first": first.pk, "second": second.pk, "lock": HOLD_LOCK}
            )

    with connection.cursor() as cursor:
        cursor.execute(GRANT_UNHOOK_SQL)
    try:
        yield hook
    finally:
        with connection.cursor() as cursor:
            cursor.execute(GRANT_UNHOOK_SQL)


def test_the_broker_gone_for_30_seconds_with_jobs_in_flight_every_job_still_finishes(
    real_celery, grant_hook, smtp, program, methodist, secretary, official
):
    """The private redis-server (append-only file on, as in docker-compose.yml) is the broker
    of a worker that holds two grant jobs when Redis stops: the first school's is running
    (blocked in PostgreSQL on a lock this test holds), the second school's failed once and
    waits for its retry (a countdown message the worker keeps); the worker's other process is
    free, so it is also waiting for the next message. The lock is released while Redis is away
    (the running job finishes; its acknowledgement cannot reach the broker) and Redis stays
    down 30 s. The worker must stay up the whole time, reconnect when Redis is back on the same
    port, and get the messages it held back from the broker: both statuses are granted, each
    once, and nobody runs a command or restarts anything. (The broker gives back what a worker
    held after its visibility timeout: 8 s here instead of an hour, which is what the flow-job
    sweep's five minutes cover in production.)"""
    harness = real_celery
    if not shutil.which("redis-server"):
        require_server("this test needs the redis-server binary (apt-get install redis-server)")
    server = harness.redis_server(free_port(), persistent=True)
    server.start()
    broker = harness.broker(
        server.url, visibility_timeout=8, unacked_restore_interval=1, unacked_restore_throttle=1
    )
    with publishing_to(broker):
        worker = harness.worker(broker, name="through-outage", FLOW_JOB_RETRY_BACKOFF_SECONDS="5")
        first, second = [], []
        for n, group in enumerate((first, second)):
            school = OrganisationFactory()
            coordinator = CoordinatorFactory(username=f"coord{n}", organisation=school)
            application = submitted(coordinator=coordinator, school=school, program=program)
            to_the_department(application, methodist=methodist, secretary=secretary)
            group.append(application)
        [first], [second] = first, second
        grant_hook(first, second)
        wait_outbox_settled(harness)

        def job_of(application):
            return Task.objects.get(process_id=application.process_id, flow_task_type="JOB")

        blocker = pg_connect(connection.settings_dict, application_name=f"blocker-{harness.run}")
        try:
            blocker.execute("SELECT pg_advisory_lock(%s)", [HOLD_LOCK])
            approve(second, official=official)
            wait_until(
                lambda: (
                    job_of(second).data.get("_attempts") == 1
                    and job_of(second).status == STATUS.SCHEDULED
                ),
                timeout=DELIVERY_TIMEOUT,
                what="the second school's grant to fail once and wait for its retry",
                details=harness.logs,
            )
            approve(first, official=official)
            wait_until(
                lambda: harness.worker_backends(waiting_on_lock=True),
                timeout=DELIVERY_TIMEOUT,
                what="the first school's grant to wait on the lock",
                details=harness.logs,
            )
            assert job_of(first).status == STATUS.STARTED
            wait_outbox_settled(harness)
            assert broker.pending().get("unacked") == 2, broker.pending()  # both held
            server.stop()
            down_at = time.monotonic()
        finally:
            blocker.rollback()  # the running job goes on while the broker is away
            blocker.close()

        while time.monotonic() - down_at < OUTAGE_SECONDS:
            assert worker.alive, f"the worker exited during the outage:\n{worker.tail(12000)}"
            time.sleep(0.5)
        server.start()
        print(f"\n[broker outage] Redis was down {time.monotonic() - down_at:.1f}s")

        wait_until(
            lambda: {job_of(first).status, job_of(second).status} == {STATUS.DONE},
            timeout=60,
            what="both grant jobs to finish after the outage",
            details=lambda: (
                f"{job_of(first).status}, {job_of(second).status}, "
                f"alive: {worker.alive}\n{broker.pending()}\n{harness.logs()}"
            ),
        )
        up = time.monotonic() - down_at - OUTAGE_SECONDS
        print(f"[broker outage] both jobs done {up:.1f}s after Redis came back")
        assert worker.alive
        for application in (first, second):
            assert Status.objects.filter(application=application).count() == 1
        assert AuditEvent.objects.filter(action="status.grant").count() == 2
        assert job_of(second).data["_attempts"] == 2
