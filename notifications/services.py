"""Writes of the outbox. Rows change only here.

The rule (DESIGN.md, "Reliability rules"): a notification row is written in the transaction of
the state change it announces; Celery is asked to deliver it only after that commits; a periodic
sweep re-enqueues what the broker lost; a row is claimed before it is sent.
"""

import logging
import random
import re
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.transaction import TransactionManagementError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from audit.services import audit_record
from core.transactions import lock, service_transaction
from core.urls import absolute_url

from . import selectors
from .models import Kind, Notification, NotificationPreference

log = logging.getLogger(__name__)
State = Notification.State
Channel = Notification.Channel


# --- Writing the outbox ----------------------------------------------------------------------


def notify(
    *,
    recipients,
    kind: str,
    subject: str,
    template: str,
    context: dict,
    url: str,
    dedup_key: str,
) -> None:
    """Tell people about an event: one in-app row each, and an e-mail row for those who have an
    address and did not turn e-mail off for this kind.

    Call it inside the transaction of the state change: the rows commit or roll back with it,
    and the e-mails are handed to Celery only after the commit. A second call with the same
    `dedup_key` writes nothing (the unique key skips existing rows) and at most re-enqueues a
    letter not sent yet, which the claim in `deliver_notification` makes harmless.

    Texts come from `notifications/email/<template>.txt` and `.html`, always in Russian; the
    link `url` is absolute because it is read outside the site, in a mail client.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "notify() must run inside the transaction of the change it announces."
        )
    people = _distinct_active(recipients)
    if not people:
        return
    email_off = set(
        NotificationPreference.objects.filter(user__in=people, kind=kind, email=False).values_list(
            "user_id", flat=True
        )
    )
    now = timezone.now()
    rows = []
    with translation.override("ru"):
        subject = str(subject)
        shared = {
            **context,
            "subject": subject,
            "url": url,
            "settings_url": absolute_url(reverse("notification-settings")),
        }
        inapp_text = _render_text(template, {**shared, "inapp": True})
        for person in people:
            common = {
                "recipient": person,
                "kind": kind,
                "subject": subject,
                "url": url,
                "dedup_key": dedup_key,
            }
            rows.append(
                Notification(
                    **common,
                    channel=Channel.INAPP,
                    body_text=inapp_text,
                    state=State.SENT,
                    sent_at=now,
                )
            )
            if person.email and person.pk not in email_off:
                personal = {
                    **shared,
                    "recipient": person,
                    "addressed_as": _addressed_as(person),
                    "inapp": False,
                }
                rows.append(
                    Notification(
                        **common,
                        channel=Channel.EMAIL,
                        body_text=_render_text(template, personal),
                        body_html=render_to_string(
                            f"notifications/email/{template}.html", personal
                        ),
                        state=State.READY,
                        next_attempt_at=now,
                    )
                )
    # ON CONFLICT DO NOTHING: rows of this event that exist already are skipped, also when a
    # concurrent transaction is writing them (no IntegrityError to abort the caller's change).
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    emailed = [row.recipient_id for row in rows if row.channel == Channel.EMAIL]
    if emailed:
        for pk in Notification.objects.filter(
            dedup_key=dedup_key, channel=Channel.EMAIL, recipient_id__in=emailed, state=State.READY
        ).values_list("pk", flat=True):
            transaction.on_commit(partial(_enqueue, pk))


def _distinct_active(recipients) -> list:
    seen, people = set(), []
    for person in recipients:
        if person.is_active and person.pk not in seen:
            seen.add(person.pk)
            people.append(person)
    return people


def _addressed_as(person) -> str:
    """Russian business letters address people by first name and patronymic."""
    if person.first_name and getattr(person, "middle_name", ""):
        return f"{person.first_name} {person.middle_name}"
    return person.get_full_name()


def _render_text(template: str, context: dict) -> str:
    text = render_to_string(f"notifications/email/{template}.txt", context)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _enqueue(notification_id: int) -> None:
    """Runs after the commit. The change is committed and the row waits in the outbox, so a
    broker that cannot be reached must not turn the user's request into an error: log it and
    leave the row to the sweep."""
    from .tasks import deliver_notification  # tasks import this module

    try:
        # No publish retries: with the broker down each would stall the user's request; the
        # sweep is the safety net.
        deliver_notification.apply_async(kwargs={"notification_id": notification_id}, retry=False)
    except Exception:
        log.warning(
            "Notification %s stays in the outbox: it could not be enqueued; the sweep will "
            "send it.",
            notification_id,
            exc_info=True,
        )


# --- Delivering an e-mail row ----------------------------------------------------------------


def notification_claim(*, notification_id: int, token: str) -> Notification | None:
    """Take an e-mail row for sending, or None when it is not ours to send.

    One conditional UPDATE, so of two workers holding messages for the same row exactly one
    gets it. A row is free when READY; a SENDING row may be taken back only with the token
    that claimed it (the Celery task id, which a redelivered message keeps), because then the
    worker that claimed it is the one that died.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(
        Q(state=State.READY) | Q(state=State.SENDING, claim_token=token),
        pk=notification_id,
        channel=Channel.EMAIL,
    ).update(
        state=State.SENDING,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    if not claimed:
        return None
    return Notification.objects.select_related("recipient").get(pk=notification_id)


def notification_mark_sent(*, notification_id: int, token: str) -> bool:
    """The backend accepted the letter. False (and a warning) when the claim was taken back
    meanwhile, which NOTIFICATION_STUCK_AFTER_SECONDS > CELERY_TASK_TIME_LIMIT prevents."""
    now = timezone.now()
    done = Notification.objects.filter(
        pk=notification_id, state=State.SENDING, claim_token=token
    ).update(state=State.SENT, sent_at=now, updated_at=now)
    if not done:
        log.warning("Notification %s was sent but its claim had been taken back.", notification_id)
    return bool(done)


def notification_attempt_failed(
    *, notification_id: int, token: str, reason: str, transient: bool
) -> int | None:
    """Record a failed attempt. Returns the seconds to wait before the retry, or None when the
    row is FAILED (a permanent error, or the retries are used up) or no longer ours.

    A transient failure puts the row back to READY with `next_attempt_at` at the end of the
    backoff, so the retry message claims it like any other; if that message is lost the sweep
    finds the row READY past that moment.
    """
    notification = Notification.objects.filter(
        pk=notification_id, state=State.SENDING, claim_token=token
    ).first()
    if notification is None:
        return None
    now = timezone.now()
    mine = Notification.objects.filter(pk=notification_id, state=State.SENDING, claim_token=token)
    if transient and notification.attempts <= settings.NOTIFICATION_MAX_RETRIES:
        countdown = retry_backoff(notification.attempts)
        released = mine.update(
            state=State.READY,
            claim_token="",
            next_attempt_at=now + timedelta(seconds=countdown),
            last_error=reason,
            updated_at=now,
        )
        return countdown if released else None
    if mine.update(state=State.FAILED, last_error=reason, updated_at=now):
        log.warning("Notification %s failed for good: %s", notification_id, reason)
    return None


def retry_backoff(attempts: int) -> int:
    """Seconds before attempt `attempts + 1`: the base doubled per attempt (10, 20, 40, ...),
    with jitter between half and all of it, so that letters failing together do not come back
    together."""
    full = settings.NOTIFICATION_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return max(1, round(full * random.uniform(0.5, 1.0)))


# --- Repairs ---------------------------------------------------------------------------------


_WORKER_LOST = (
    "Sending never finished: the worker was lost during each of the allowed attempts "
    "(NOTIFICATION_MAX_RETRIES)."
)


def outbox_sweep(*, now: datetime, limit: int = 1000) -> dict[str, int]:
    """Re-enqueue e-mail rows the broker lost, and take back rows whose worker died.

    READY longer than NOTIFICATION_REQUEUE_AFTER_SECONDS past `next_attempt_at`: the message
    never came (broker down at commit, retry message lost); it is enqueued again and its
    `next_attempt_at` moves to `now`, so a long queue gets one extra message per row per period,
    not one per sweep. SENDING with a claim older than NOTIFICATION_STUCK_AFTER_SECONDS: the
    worker died and nothing will redeliver; back to READY and enqueued, or FAILED when its
    attempts are used up (each claim counts one). Running it twice sends nothing twice: extra
    messages find the row claimed or sent.
    """
    requeue_before = now - timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER_SECONDS)
    stuck_before = now - timedelta(seconds=settings.NOTIFICATION_STUCK_AFTER_SECONDS)
    with transaction.atomic():
        # SKIP LOCKED: two sweeps at once (a second beat, a `tick`) split the rows between them.
        stuck = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
            .filter(state=State.SENDING, claimed_at__lt=stuck_before)
            .order_by("claimed_at")
            .values_list("pk", flat=True)[:limit]
        )
        if stuck:
            # Each claim counted an attempt; a letter whose every attempt died with its worker
            # ends FAILED like any other that used up its attempts, instead of going round.
            spent = Q(attempts__gt=settings.NOTIFICATION_MAX_RETRIES)
            given_up = list(
                Notification.objects.filter(pk__in=stuck, state=State.SENDING)
                .filter(spent)
                .values_list("pk", flat=True)
            )
            if given_up:
                Notification.objects.filter(pk__in=given_up).update(
                    state=State.FAILED,
                    claim_token="",
                    last_error=_WORKER_LOST,
                    updated_at=now,
                )
                log.warning("Outbox sweep: %s letter(s) failed, their workers lost.", given_up)
                stuck = [pk for pk in stuck if pk not in set(given_up)]
            Notification.objects.filter(pk__in=stuck, state=State.SENDING).update(
                state=State.READY, claim_token="", next_attempt_at=now, updated_at=now
            )
        lost = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
            .filter(state=State.READY, channel=Channel.EMAIL, next_attempt_at__lt=requeue_before)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if lost:
            Notification.objects.filter(pk__in=lost, state=State.READY).update(
                next_attempt_at=now, updated_at=now
            )
        for pk in [*stuck, *lost]:
            transaction.on_commit(partial(_enqueue, pk))
    if stuck or lost:
        log.info(
            "Outbox sweep: %s re-enqueued, %s taken back from dead workers.", len(lost), len(stuck)
        )
    return {"requeued": len(lost), "unstuck": len(stuck)}


@service_transaction
def notification_retry(*, notification_id: int, actor) -> bool:
    """An administrator sends a FAILED letter again (say, after correcting the address): back to
    READY with a fresh set of attempts. False when the row is not FAILED (nothing to do)."""
    notification = lock(Notification.objects).filter(pk=notification_id, state=State.FAILED).first()
    if notification is None:
        return False
    previous_attempts = notification.attempts
    notification.state = State.READY
    notification.attempts = 0
    notification.claim_token = ""
    notification.claimed_at = None
    notification.next_attempt_at = timezone.now()
    notification.save(
        update_fields=[
            "state",
            "attempts",
            "claim_token",
            "claimed_at",
            "next_attempt_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="notification.retry",
        obj=notification,
        from_state=State.FAILED,
        to_state=State.READY,
        comment=notification.last_error,
        data={"attempts": previous_attempts, "recipient": notification.recipient_id},
    )
    transaction.on_commit(partial(_enqueue, notification.pk))
    return True


# --- In-app ----------------------------------------------------------------------------------


def notification_mark_read(*, notification_id: int, user) -> Notification:
    """Raises Notification.DoesNotExist for anything but the user's own in-app notification."""
    notification = selectors.notification_of(user=user, notification_id=notification_id)
    if notification is None:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now, updated_at=now
        )
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user) -> int:
    now = timezone.now()
    return selectors.notifications_unread_qs(user).update(read_at=now, updated_at=now)


@service_transaction
def notification_preferences_set(*, user, email_by_kind: dict[str, bool]) -> None:
    """Per kind, whether the user also wants an e-mail; in-app notifications are always on."""
    unknown = set(email_by_kind) - set(Kind.values)
    if unknown:
        raise ValueError(f"unknown notification kinds: {sorted(unknown)}")
    for kind, email in email_by_kind.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": bool(email)}
        )
