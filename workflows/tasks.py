"""Celery tasks: thin, keyed by ids, safe to run again."""

import logging

from celery import shared_task
from django.conf import settings

from core.clock import as_of, parse_now

from . import jobs

log = logging.getLogger(__name__)


@shared_task
def fire_flow_timers(*, now: str | None = None) -> int:
    """Fire viewflow timers that are due (as of `now`); each is re-checked under its flow lock,
    so a second run fires nothing twice."""
    from viewflow.workflow import timers

    with as_of(now):
        return timers.fire_due_timers()


def _backoff(retries: int) -> int:
    return min(10 * 2**retries, 600)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def run_flow_job(self, *, task_id: int) -> str:
    """Run one background step of a flow.

    Safe to run twice: the runner claims the step under the flow lock and returns at once when it
    is already done, cancelled or failed; the body it runs is idempotent. Failures are retried
    with exponential backoff; the last one puts the step in ERROR for the flow's error path or an
    administrator.
    """
    try:
        return jobs.job_run(task_id=task_id)
    except Exception as exc:
        if self.request.retries < settings.FLOW_JOB_MAX_RETRIES:
            log.warning("Flow job %s failed (%s); retrying", task_id, exc)
            raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
        jobs.job_fail(task_id=task_id, exc=exc)
        return "failed"


@shared_task
def sweep_flow_jobs(*, now: str | None = None) -> int:
    """Re-send jobs whose message was lost or whose worker died; duplicates are no-ops."""
    return jobs.jobs_requeue_stuck(now=parse_now(now))
