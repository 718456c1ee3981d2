"""Celery tasks of documents (queue `documents`): thin, keyed by ids, safe to run again."""

from celery import shared_task

from core.clock import parse_now

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_print_form(*, request_id: int) -> str:
    """Render one print-form request. Safe to run twice: the request row is locked and a
    request that is no longer pending returns at once; a failure is recorded on the document
    (staff retry it), not retried blindly, since a template error fails the same way again."""
    return services.print_form_render(request_id=request_id)


@shared_task
def sweep_print_forms(*, now: str | None = None) -> int:
    """Re-enqueue rendering requests still pending well after they were made (the broker was
    down at commit, or the message was lost). Duplicates are harmless: the task returns at once
    for a request that is no longer pending."""
    return services.print_forms_requeue_stale(now=parse_now(now))
