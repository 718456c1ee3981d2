"""The background "grant the status" step: on commit, idempotent, retried, failed, recovered."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from applications import jobs, selectors
from applications.models import Application
from audit.models import AuditEvent
from statuses.models import Status
from tests.factories import UserFactory
from tests.story import act, council_decides, submitted

pytestmark = pytest.mark.django_db(transaction=True)
ORDER = {"decision": "approve", "order_number": "125-р", "order_date": datetime.date(2026, 11, 20)}


@pytest.fixture
def approved_without_running_the_job(
    coordinator, school, program, methodist, secretary, official, django_capture_on_commit_callbacks
):
    """Up to the department's order; the job's message is captured, not run."""
    application = submitted(coordinator=coordinator, school=school, program=program)
    council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="granted",
        reasons="ok",
        meeting_date=datetime.date(2026, 11, 19),
    )
    with mock.patch("applications.tasks.run_flow_job.apply_async") as send:
        act(official, application, **ORDER)
    job = Task.objects.get(process_id=application.process_id, flow_task_type="JOB")
    send.assert_called_once_with(kwargs={"task_id": job.pk}, retry=False)
    return application, job


def test_the_order_schedules_the_grant_job_and_the_applicant_sees_it_in_progress(
    approved_without_running_the_job,
):
    application, job = approved_without_running_the_job
    assert job.status == STATUS.SCHEDULED
    application.refresh_from_db()
    assert application.state == Application.State.GRANTED
    assert not Status.objects.exists()
    assert "вносится в реестр" in selectors.application_state_label(application)


def test_a_job_run_twice_grants_one_status(approved_without_running_the_job):
    application, job = approved_without_running_the_job
    assert jobs.job_run(task_id=job.pk) == "done"
    assert jobs.job_run(task_id=job.pk) == "skipped"
    assert Status.objects.filter(application=application).count() == 1
    job.refresh_from_db()
    assert job.status == STATUS.DONE
    application.refresh_from_db()
    assert application.process.status == "DONE"


def test_a_worker_dying_after_the_body_leaves_a_job_that_completes_once_when_redelivered(
    approved_without_running_the_job,
):
    _application, job = approved_without_running_the_job
    # First delivery of message "m1": claimed and the body ran, then the worker died before
    # finishing (the body commits on its own, so it is the finish that is lost).
    died = RuntimeError("worker killed")
    with mock.patch.object(jobs.JobActivation, "execute", side_effect=died):
        with pytest.raises(RuntimeError):
            jobs.job_run(task_id=job.pk, token="m1")
    assert Status.objects.count() == 1
    job.refresh_from_db()
    assert (job.status, job.data["_claim"], job.data["_attempts"]) == (STATUS.STARTED, "m1", 1)
    # Another message meanwhile (the sweep's, say) does not run it a second time at once.
    assert jobs.job_run(task_id=job.pk, token="m2") == "busy"
    # The broker redelivers "m1" (acks_late): the same message takes its claim back.
    assert jobs.job_run(task_id=job.pk, token="m1") == "done"
    assert Status.objects.count() == 1
    job.refresh_from_db()
    assert job.status == STATUS.DONE and job.data["_attempts"] == 2 and "_claim" not in job.data


def test_final_failure_marks_error_then_an_administrator_retries_it(
    approved_without_running_the_job, settings, client
):
    from applications.tasks import run_flow_job

    application, job = approved_without_running_the_job
    settings.FLOW_JOB_MAX_RETRIES = 0
    with mock.patch(
        "applications.services.status_grant", side_effect=RuntimeError("registry unavailable")
    ):
        assert run_flow_job.apply(kwargs={"task_id": job.pk}).result == "failed"
    job.refresh_from_db()
    assert job.status == STATUS.ERROR
    assert job.data["_exception"]["title"] == "registry unavailable"
    assert AuditEvent.objects.filter(action="flow_job.failed", object_id=str(job.pk)).exists()

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("monitoring")).content.decode()
    assert "registry unavailable" in page and application.reg_number in page
    client.post(reverse("monitoring"), {"action": "retry", "task": job.pk})
    job.refresh_from_db()
    assert job.status == STATUS.DONE  # eager Celery in tests runs the re-sent job at once
    assert Status.objects.filter(application=application).count() == 1
    assert job.data["_errors"][0]["title"] == "registry unavailable"
    assert AuditEvent.objects.filter(action="flow_job.retry", actor=admin).exists()


def test_only_administrators_see_monitoring_and_manage_jobs(
    approved_without_running_the_job, client, methodist
):
    _application, job = approved_without_running_the_job
    client.force_login(methodist)
    assert client.get(reverse("monitoring")).status_code == 404
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        jobs.job_cancel(task_id=job.pk, actor=methodist)


def test_a_lost_message_is_sent_again_by_the_sweep_and_tick(approved_without_running_the_job):
    application, job = approved_without_running_the_job
    later = (job.scheduled + datetime.timedelta(minutes=10)).isoformat()
    assert jobs.jobs_requeue_stuck(now=job.scheduled) == 0  # not stuck yet
    call_command("tick", "--now", later)  # eager in tests: the re-sent job runs at once
    job.refresh_from_db()
    assert job.status == STATUS.DONE
    assert Status.objects.filter(application=application).count() == 1


def test_cancel_by_an_administrator(approved_without_running_the_job):
    _application, job = approved_without_running_the_job
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    jobs.job_cancel(task_id=job.pk, actor=admin)
    job.refresh_from_db()
    assert job.status == STATUS.CANCELED
    assert jobs.job_run(task_id=job.pk) == "skipped"
    assert not Status.objects.exists()


def _attempt(job, token: str):
    """One delivery of message `token`, as run_flow_job does it: run, and report a failure.
    Returns what the runner said, or the seconds until the next attempt (None: no more)."""
    try:
        return jobs.job_run(task_id=job.pk, token=token)
    except Exception as exc:
        return jobs.job_attempt_failed(task_id=job.pk, token=token, exc=exc)


def test_attempts_are_counted_on_the_row_across_sweeps_then_error_and_administrators_told(
    approved_without_running_the_job, settings, client, coordinator
):
    """FLOW_JOB_MAX_RETRIES=2: three attempts in all, whoever sends them (Celery's retry
    message, the sweep), each waiting longer; then ERROR, audited once, the administrator told
    by bell and e-mail, the school told it is delayed. An administrator's retry starts afresh."""
    from notifications.models import Kind, Notification

    application, job = approved_without_running_the_job
    settings.FLOW_JOB_MAX_RETRIES = 2
    settings.FLOW_JOB_RETRY_BACKOFF_SECONDS = 10
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    clerk = UserFactory(username="clerk", is_staff=True)  # no permission to manage the flow
    broken = mock.patch(
        "applications.services.status_grant", side_effect=RuntimeError("registry unavailable")
    )
    with broken, mock.patch("applications.tasks.run_flow_job.apply_async") as send:
        assert _attempt(job, "m1") == 10
        job.refresh_from_db()
        assert (job.status, job.data["_attempts"]) == (STATUS.SCHEDULED, 1)
        assert "_claim" not in job.data and job.data["_last_error"] == "registry unavailable"
        # Long after it was due, the sweep sends one more message and moves the due time, so
        # the next sweep does not send it again; that message spends attempt 2.
        later = job.scheduled + datetime.timedelta(minutes=10)
        assert jobs.jobs_requeue_stuck(now=later) == 1
        assert jobs.jobs_requeue_stuck(now=later) == 0
        assert send.call_count == 1
        assert _attempt(job, "sweep-1") == 20
        # Celery's retry of m1 comes now: the third and last attempt.
        assert _attempt(job, "m1") is None
        # Whatever comes after finds the step failed.
        assert _attempt(job, "sweep-2") == "skipped"
        assert jobs.jobs_requeue_stuck(now=later + datetime.timedelta(hours=1)) == 0
    job.refresh_from_db()
    assert (job.status, job.data["_attempts"]) == (STATUS.ERROR, 3)
    assert job.data["_exception"]["title"] == "registry unavailable"
    audit = AuditEvent.objects.filter(object_id=str(job.pk)).values_list("action", flat=True)
    assert sorted(audit) == [
        "flow_job.attempt_failed",
        "flow_job.attempt_failed",
        "flow_job.failed",
    ]
    told = Notification.objects.filter(kind=Kind.JOB_FAILED)
    assert set(told.values_list("recipient__username", "channel")) == {
        ("root", "inapp"),
        ("root", "email"),
    }
    letter = told.get(channel="email")
    assert application.reg_number in letter.subject and "registry unavailable" in letter.body_text
    assert letter.url.endswith(reverse("monitoring"))
    assert clerk.notifications.count() == 0

    application.refresh_from_db()
    label = selectors.application_state_label(application)
    assert "задерживается" in label and "Сотрудники знают" in label
    assert selectors.application_holder(application) == "администраторы Docket"

    client.force_login(admin)
    page = client.get(reverse("monitoring")).content.decode()
    assert "registry unavailable" in page and application.reg_number in page
    client.post(reverse("monitoring"), {"action": "retry", "task": job.pk})
    job.refresh_from_db()
    assert job.status == STATUS.DONE  # eager Celery in tests runs the re-sent job at once
    assert job.data["_attempts"] == 1  # a fresh set of attempts
    assert job.data["_errors"][0]["attempts"] == 3
    application.refresh_from_db()
    assert "задерживается" not in selectors.application_state_label(application)
    assert selectors.application_holder(application) != "администраторы Docket"


def test_a_job_whose_worker_is_lost_every_time_ends_in_error_through_the_sweep(
    approved_without_running_the_job, settings
):
    """Each attempt is claimed and never reports back (the worker is killed mid-step). The
    sweep takes the claim back after FLOW_JOB_STUCK_AFTER_SECONDS, each time spending an
    attempt; with none left it ends the step in ERROR instead of sending it once more."""
    _application, job = approved_without_running_the_job
    settings.FLOW_JOB_MAX_RETRIES = 1
    hangs = mock.patch("applications.services.status_grant", side_effect=RuntimeError("killed"))
    with hangs, mock.patch("applications.tasks.run_flow_job.apply_async") as send:
        for n, token in enumerate(["m1", "m2"], start=1):
            with pytest.raises(RuntimeError):
                jobs.job_run(task_id=job.pk, token=token)  # ... and nobody hears of it
            job.refresh_from_db()
            assert (job.status, job.data["_claim"], job.data["_attempts"]) == (
                STATUS.STARTED,
                token,
                n,
            )
            moment = job.started + datetime.timedelta(seconds=10)
            assert jobs.jobs_requeue_stuck(now=moment) == 0  # could still be running
            moment = job.started + datetime.timedelta(minutes=10)
            sent = jobs.jobs_requeue_stuck(now=moment)
            job.refresh_from_db()
            if n == 1:
                assert (sent, job.status) == (1, STATUS.SCHEDULED)
            else:
                assert (sent, job.status) == (0, STATUS.ERROR)
        assert send.call_count == 1
    assert "не завершилась: обработчик был потерян" in job.data["_exception"]["title"]
    actions = AuditEvent.objects.filter(object_id=str(job.pk)).values_list("action", flat=True)
    assert sorted(actions) == ["flow_job.failed", "flow_job.taken_back"]


def test_the_sweep_may_not_take_back_a_job_that_could_still_be_running(settings):
    from applications.checks import job_stuck_after_exceeds_task_time_limit

    settings.CELERY_TASK_TIME_LIMIT = 180
    settings.FLOW_JOB_STUCK_AFTER_SECONDS = 120
    [error] = job_stuck_after_exceeds_task_time_limit(None)
    assert error.id == "workflows.E002"
    settings.FLOW_JOB_STUCK_AFTER_SECONDS = 300
    assert job_stuck_after_exceeds_task_time_limit(None) == []
