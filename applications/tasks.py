"""Celery tasks: thin, keyed by ids, safe to run again.

Their names are the wire names of messages that may sit in the broker across a deployment, so
they keep the names they had before the app moved (docs/decisions.md).
"""

import logging
import uuid

from celery import shared_task

from core.clock import as_of, parse_now

from . import jobs

log = logging.getLogger(__name__)


@shared_task(name="workflows.tasks.fire_flow_timers")
def fire_flow_timers(*, now: str | None = None) -> int:
    """Fire viewflow timers that are due (as of `now`); each is re-checked under its flow lock,
    so a second run fires nothing twice."""
    from viewflow.workflow import timers

    with as_of(now):
        return timers.fire_due_timers()


@shared_task(
    name="workflows.tasks.run_flow_job",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
)
def run_flow_job(self, *, task_id: int) -> str:
    """Run one attempt of a background step of a flow.

    Safe to run twice: the runner claims the step under the flow lock for this message (its
    task id, which a retry or a redelivery keeps) and returns at once when it is done,
    cancelled, failed or held by another message; the body it runs is idempotent.

    The bound on attempts is the row's count (FLOW_JOB_MAX_RETRIES + 1 in all), not Celery's
    `max_retries` (None here, so Celery never cuts it short and never re-raises past
    `job_attempt_failed`): it holds across retries, redeliveries and sweeps. A failed attempt
    with attempts left waits with exponential backoff; the last one leaves the step in ERROR.
    """
    token = self.request.id or f"direct-{uuid.uuid4()}"
    try:
        return jobs.job_run(task_id=task_id, token=token)
    except Exception as exc:
        try:
            countdown = jobs.job_attempt_failed(task_id=task_id, token=token, exc=exc)
        except Exception:
            # The failure cannot even be recorded (the database is away): try again later,
            # the claim and the count on the row are untouched, and the sweep is the net.
            log.warning("Flow job %s: its failure could not be recorded", task_id, exc_info=True)
            countdown = jobs.job_retry_backoff(self.request.retries + 1)
        if countdown is None:
            return "failed"
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="workflows.tasks.sweep_flow_jobs")
def sweep_flow_jobs(*, now: str | None = None) -> int:
    """Re-send jobs whose message was lost or whose worker died; duplicates are no-ops."""
    return jobs.jobs_requeue_stuck(now=parse_now(now))
