"""The background "grant the status" step: on commit, idempotent, retried, failed, recovered."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit.models import AuditEvent
from tests.factories import UserFactory
from tests.story import act, council_decides, submitted
from workflows import jobs, selectors
from workflows.models import Application, Status

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
    with mock.patch("workflows.tasks.run_flow_job.apply_async") as send:
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
    from workflows.tasks import run_flow_job

    application, job = approved_without_running_the_job
    settings.FLOW_JOB_MAX_RETRIES = 0
    with mock.patch(
        "workflows.services.status_grant", side_effect=RuntimeError("registry unavailable")
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
    from workflows.errors import NotAllowed

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
