"""Periodic work of the audit log (queue `celery`)."""

from celery import shared_task

from core.clock import parse_now

from . import services


@shared_task
def audit_checkpoint(*, now: str | None = None) -> str:
    """A signed checkpoint of the chain. Safe to run twice: the head row lock queues
    concurrent runs, and a run after which no event followed makes nothing."""
    checkpoint = services.audit_checkpoint_create(now=parse_now(now))
    return f"checkpoint {checkpoint.number}" if checkpoint else "nothing new"
