"""Periodic work of councils: thin, takes `now`, safe to run twice."""

from celery import shared_task

from core.clock import parse_now

from . import services


@shared_task(name="councils.tasks.meetings_minimum")
def meetings_minimum(*, now: str | None = None) -> int:
    """Warn the councils whose yearly minimum of meetings is at risk, as of `now`."""
    return services.meetings_minimum_sweep(now=parse_now(now))
