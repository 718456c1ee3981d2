"""Periodic work of the programme's year: thin, takes `now`, safe to run twice."""

from celery import shared_task

from core.clock import parse_now

from . import services


@shared_task(name="yearwork.tasks.assignments_remind")
def assignments_remind(*, now: str | None = None) -> dict:
    """Remind of assignments falling due and tell of overdue ones; each row is marked when its
    letter is written, so a second run writes nothing."""
    return services.assignments_sweep(now=parse_now(now))
