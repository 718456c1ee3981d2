"""Celery tasks of the outbox: thin, keyed by ids, safe to run again."""

import logging
import uuid

from celery import shared_task

from core.clock import parse_now

from . import delivery, services

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_notification(self, *, notification_id: int) -> str:
    """Send one e-mail row of the outbox.

    Safe to run twice: nothing is sent before the row is claimed by one conditional UPDATE
    (READY, or SENDING under this task's own id, which a redelivered message keeps), so a second
    message for a row that is sent, failed or held by another worker returns without sending.
    What remains is at-least-once, not exactly-once: a worker that dies after the SMTP server
    accepted the letter and before SENT is written gets its message redelivered and sends again.

    Transient errors release the row to READY and retry with exponential backoff; the bound is
    the row's `attempts` (NOTIFICATION_MAX_RETRIES), not Celery's counter, so it holds across
    redeliveries and sweeps. Permanent errors and used-up retries leave the row FAILED with the
    reason, for an administrator to retry.
    """
    # Called as a plain function (no Celery request) it still needs a token of its own.
    token = self.request.id or f"direct-{uuid.uuid4()}"
    notification = services.notification_claim(notification_id=notification_id, token=token)
    if notification is None:
        return "skipped"
    try:
        delivery.send(notification)
    except Exception as exc:
        transient, reason = delivery.classify(exc)
        countdown = services.notification_attempt_failed(
            notification_id=notification_id, token=token, reason=reason, transient=transient
        )
        if countdown is None:
            return "failed"
        log.info("Notification %s: %s; retry in %ss", notification_id, reason, countdown)
        raise self.retry(countdown=countdown, exc=exc) from exc
    services.notification_mark_sent(notification_id=notification_id, token=token)
    return "sent"


@shared_task
def sweep_outbox(*, now: str | None = None) -> dict[str, int]:
    """Re-enqueue e-mail rows left READY (the broker was down at commit) and take back rows
    stuck SENDING (the worker died), as of `now` (ISO-8601; default: the current time).

    Safe to run twice: it only sends messages, and the claim makes the extra ones no-ops.
    """
    return services.outbox_sweep(now=parse_now(now))
