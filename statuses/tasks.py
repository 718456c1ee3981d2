"""Periodic work of statuses: thin, takes `now`, safe to run twice."""

from celery import shared_task

from core.clock import parse_now

from . import services


@shared_task(name="workflows.statuses.tasks.sweep_status_lifecycle")
def sweep_status_lifecycle(*, now: str | None = None) -> dict:
    """Expire, invite to renew, remind, mark missed, escalate, as of `now`. Safe to run twice:
    each row is re-checked under its lock and each notice has a dedup key."""
    return services.lifecycle_sweep(now=parse_now(now))
