"""Two workers holding messages for the same letter at the same moment: one sends, on PostgreSQL
for real (row locks), each worker in its own thread and database connection."""

import threading

import pytest
from django.core import mail
from django.db import connection

from notifications.models import Kind, Notification
from notifications.tasks import deliver_notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_racing_for_one_letter_send_it_once(postgres):
    anna = UserFactory(username="anna")
    row = Notification.objects.create(
        recipient=anna,
        kind=Kind.DECISION_TAKEN,
        channel=Notification.Channel.EMAIL,
        subject="Решение совета",
        body_text="Текст",
        url="http://127.0.0.1:8000/",
        dedup_key="race",
        state=Notification.State.READY,
    )
    start = threading.Barrier(8)
    results, errors = [], []

    def worker(n):
        try:
            start.wait()
            result = deliver_notification.apply(
                kwargs={"notification_id": row.pk}, task_id=f"task-{n}"
            )
            # Not .get(): Celery's "join would block" guard is a process-wide flag that another
            # thread's eager task sets while it runs.
            results.append(result.result)
        except Exception as exc:  # reported below; a thread must not die silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(results) == ["sent"] + ["skipped"] * 7
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (Notification.State.SENT, 1)
