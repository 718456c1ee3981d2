"""The outbox: written with the change, delivered once, retried when the server hiccups, failed
with a reason when it refuses for good, repaired by the sweep, and sent again by an admin."""

import datetime
import smtplib
from io import StringIO

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.checks import Error
from django.core.management import call_command
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notifications import delivery, services
from notifications.checks import stuck_after_exceeds_task_time_limit
from notifications.models import Kind, Notification, NotificationPreference
from notifications.tasks import deliver_notification, sweep_outbox
from tests.factories import UserFactory

State = Notification.State
Channel = Notification.Channel


def announce(recipients, *, key="event:1", comment='Уточните план "на 2027 год" <срочно>'):
    """A state change's transaction announcing itself to `recipients`."""
    with transaction.atomic():
        services.notify(
            recipients=recipients,
            kind=Kind.APPLICATION_RETURNED,
            subject="Заявка ЗСП-2026/0001 возвращена на доработку",
            template="application_returned",
            context={
                "application": {
                    "reg_number": "ЗСП-2026/0001",
                    "reg_date": datetime.date(2026, 11, 20),
                    "organisation": "МАОУ СОШ № 7",
                },
                "comment": comment,
                "actor_name": "Петрова Анна Сергеевна",
            },
            url="http://127.0.0.1:8000/applications/7/",
            dedup_key=key,
        )


def email_row(user, **fields) -> Notification:
    defaults = {
        "recipient": user,
        "kind": Kind.APPLICATION_RETURNED,
        "channel": Channel.EMAIL,
        "subject": "Тема",
        "body_text": "Текст",
        "body_html": "<p>Текст</p>",
        "url": "http://127.0.0.1:8000/applications/7/",
        "dedup_key": f"test:{Notification.objects.count()}",
        "state": State.READY,
    }
    return Notification.objects.create(**{**defaults, **fields})


@pytest.fixture
def anna(db):
    return UserFactory(
        username="anna", last_name="Смирнова", first_name="Анна", middle_name="Сергеевна"
    )


@pytest.fixture
def smtp_fails(monkeypatch):
    """The mail backend raises the given errors, one per send, then delivers normally."""
    from django.core.mail.backends.locmem import EmailBackend

    errors: list[BaseException] = []
    deliver = EmailBackend.send_messages

    def send_messages(self, messages):
        if errors:
            raise errors.pop(0)
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return errors


# --- Writing -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_notify_writes_both_channels_with_the_change_and_delivers_after_commit(anna):
    announce([anna])

    inapp = Notification.objects.get(channel=Channel.INAPP)
    assert (inapp.recipient, inapp.state, inapp.read_at) == (anna, State.SENT, None)
    assert inapp.url == "http://127.0.0.1:8000/applications/7/"
    # The in-app text is the substance only, not the letter's greeting and footer.
    assert inapp.body_text.startswith("Заявка № ЗСП-2026/0001 от 20.11.2026 (МАОУ СОШ № 7)")
    assert "Здравствуйте" not in inapp.body_text

    letter = Notification.objects.get(channel=Channel.EMAIL)
    assert (letter.state, letter.attempts) == (State.SENT, 1)
    assert letter.body_text.startswith("Здравствуйте, Анна Сергеевна!")
    # Plain text is not HTML-escaped; the HTML part is.
    assert 'Уточните план "на 2027 год" <срочно>' in letter.body_text
    assert "&quot;на 2027 год&quot; &lt;срочно&gt;" in letter.body_html
    assert "http://127.0.0.1:8000/notifications/settings/" in letter.body_text

    (sent,) = mail.outbox
    assert sent.to == ["anna@example.org"]
    assert sent.subject == "Заявка ЗСП-2026/0001 возвращена на доработку"
    assert sent.body == letter.body_text
    assert sent.alternatives[0][1] == "text/html"
    assert 'href="http://127.0.0.1:8000/applications/7/"' in sent.alternatives[0][0]
    assert sent.extra_headers["Message-ID"] == f"<notification.{letter.pk}@127.0.0.1>"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_notification_and_sends_nothing(anna):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(
            recipients=[anna],
            kind=Kind.DECISION_TAKEN,
            subject="Решение",
            template="application_returned",
            context={"application": {}},
            url="http://127.0.0.1:8000/",
            dedup_key="event:rolled-back",
        )
        raise RuntimeError("the state change failed after notifying")
    assert not Notification.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_notify_outside_a_transaction_is_refused(anna):
    with pytest.raises(TransactionManagementError):
        services.notify(
            recipients=[anna],
            kind=Kind.DECISION_TAKEN,
            subject="Решение",
            template="application_returned",
            context={},
            url="http://127.0.0.1:8000/",
            dedup_key="event:no-transaction",
        )
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_event_twice_writes_and_sends_once(anna):
    announce([anna, anna], key="event:twice")
    announce([anna], key="event:twice")
    assert Notification.objects.count() == 2  # one in-app, one e-mail
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_who_gets_an_email(anna):
    quiet = UserFactory(username="quiet")
    NotificationPreference.objects.create(user=quiet, kind=Kind.APPLICATION_RETURNED, email=False)
    # Another kind turned off does not matter.
    NotificationPreference.objects.create(user=anna, kind=Kind.TASK_ASSIGNED, email=False)
    no_address = UserFactory(username="no_address", email="")
    gone = UserFactory(username="gone", is_active=False)

    announce([anna, quiet, no_address, gone])

    rows = set(Notification.objects.values_list("recipient__username", "channel"))
    assert rows == {
        ("anna", Channel.INAPP),
        ("anna", Channel.EMAIL),
        ("quiet", Channel.INAPP),
        ("no_address", Channel.INAPP),
    }
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]


# --- Delivering --------------------------------------------------------------------------------


def test_deliver_sends_once_and_a_second_run_sends_nothing(anna):
    row = email_row(anna)
    assert deliver_notification.apply(kwargs={"notification_id": row.pk}).get() == "sent"
    assert deliver_notification.apply(kwargs={"notification_id": row.pk}).get() == "skipped"

    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.SENT, 1)
    assert row.sent_at is not None


def test_a_row_claimed_by_another_worker_is_not_sent(anna):
    row = email_row(anna, state=State.SENDING, claim_token="other-task", claimed_at=timezone.now())
    result = deliver_notification.apply(kwargs={"notification_id": row.pk}, task_id="this-task")
    assert result.get() == "skipped"
    assert mail.outbox == []
    row.refresh_from_db()
    assert (row.state, row.claim_token) == (State.SENDING, "other-task")


def test_a_redelivered_message_takes_back_its_own_claim(anna):
    """The worker died while sending; the broker redelivers the same message (same task id)."""
    row = email_row(anna, state=State.SENDING, claim_token="task-1", claimed_at=timezone.now())
    result = deliver_notification.apply(kwargs={"notification_id": row.pk}, task_id="task-1")
    assert result.get() == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("state", [State.SENT, State.FAILED])
def test_sent_and_failed_rows_are_left_alone(anna, state):
    row = email_row(anna, state=state)
    assert deliver_notification.apply(kwargs={"notification_id": row.pk}).get() == "skipped"
    assert mail.outbox == []


def test_a_missing_row_is_skipped(db):
    assert deliver_notification.apply(kwargs={"notification_id": 999_999}).get() == "skipped"


def test_a_transient_error_releases_the_row_and_schedules_a_retry_with_backoff(anna, smtp_fails):
    row = email_row(anna)
    smtp_fails.append(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    before = timezone.now()

    # Eager tasks propagate in the test settings: retry() surfaces as the Retry exception.
    with pytest.raises(Retry) as retry:
        deliver_notification.apply(kwargs={"notification_id": row.pk}, task_id="task-1")

    assert 5 <= retry.value.when <= 10  # the first backoff: 10 s with jitter down to half
    row.refresh_from_db()
    assert (row.state, row.attempts, row.claim_token) == (State.READY, 1, "")
    assert "SMTPServerDisconnected" in row.last_error
    assert row.next_attempt_at >= before + datetime.timedelta(seconds=retry.value.when)
    assert mail.outbox == []

    # The retry message (same task id) claims the row like any other and delivers it.
    result = deliver_notification.apply(kwargs={"notification_id": row.pk}, task_id="task-1")
    assert result.get() == "sent"
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.SENT, 2)
    assert len(mail.outbox) == 1


def test_retries_run_until_the_server_accepts(anna, smtp_fails, settings):
    """With eager propagation off, Celery runs the retries at once (ignoring the countdown)."""
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    row = email_row(anna)
    smtp_fails.extend(
        [
            smtplib.SMTPDataError(451, b"Requested action aborted: local error"),
            ConnectionRefusedError(111, "Connection refused"),
        ]
    )
    deliver_notification.apply(kwargs={"notification_id": row.pk}, throw=False)
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.SENT, 3)
    assert "Connection refused" in row.last_error  # the last failure stays visible
    assert len(mail.outbox) == 1


def test_used_up_retries_leave_the_row_failed_with_the_last_error(anna, smtp_fails, settings):
    settings.NOTIFICATION_MAX_RETRIES = 6
    row = email_row(anna, attempts=6)  # six attempts already failed
    smtp_fails.append(TimeoutError("timed out"))
    result = deliver_notification.apply(kwargs={"notification_id": row.pk}, task_id="task-7")
    assert result.get() == "failed"
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.FAILED, 7)
    assert row.last_error == "TimeoutError: timed out"


def test_a_permanent_refusal_fails_at_once_with_the_reason(anna, smtp_fails):
    row = email_row(anna)
    smtp_fails.append(
        smtplib.SMTPRecipientsRefused({"anna@example.org": (550, b"5.1.1 No such user")})
    )
    result = deliver_notification.apply(kwargs={"notification_id": row.pk}, task_id="task-1")
    assert result.get() == "failed"  # no retry
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.FAILED, 1)
    assert row.last_error == "recipient refused: anna@example.org: 550 5.1.1 No such user"
    assert mail.outbox == []


def test_a_recipient_without_an_address_fails_with_the_reason(anna):
    row = email_row(anna)
    anna.email = ""
    anna.save()
    assert deliver_notification.apply(kwargs={"notification_id": row.pk}).get() == "failed"
    row.refresh_from_db()
    assert row.state == State.FAILED
    assert "has no e-mail address" in row.last_error


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPServerDisconnected("closed"), True),
        (smtplib.SMTPConnectError(421, b"Too many connections"), True),
        (smtplib.SMTPDataError(451, b"Try again later"), True),
        (smtplib.SMTPResponseException(452, b"Insufficient storage"), True),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (450, b"Mailbox busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"No such user")}), False),
        (smtplib.SMTPSenderRefused(553, b"Sender not allowed", "docket@localhost"), False),
        (smtplib.SMTPDataError(554, b"Message rejected"), False),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), False),
        (smtplib.SMTPNotSupportedError("STARTTLS not supported"), False),
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (OSError(101, "Network is unreachable"), True),
        (ValueError("a bug"), False),
    ],
)
def test_transient_and_permanent_errors(error, transient):
    assert delivery.classify(error)[0] is transient


def test_backoff_doubles_with_jitter(settings):
    settings.NOTIFICATION_RETRY_BACKOFF_SECONDS = 10
    for attempts, full in [(1, 10), (2, 20), (3, 40), (6, 320)]:
        waits = {services.retry_backoff(attempts) for _ in range(50)}
        assert all(full / 2 <= wait <= full for wait in waits), (attempts, waits)


# --- Repairs -----------------------------------------------------------------------------------

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


def ago(**delta):
    return NOW - datetime.timedelta(**delta)


def test_the_sweep_resends_what_the_broker_lost_and_what_a_dead_worker_held(
    anna, django_capture_on_commit_callbacks
):
    lost = email_row(anna, next_attempt_at=ago(minutes=5))  # broker down at commit
    fresh = email_row(anna, next_attempt_at=ago(seconds=30))  # its message is on the way
    backing_off = email_row(anna, next_attempt_at=NOW + datetime.timedelta(seconds=40))
    dead = email_row(anna, state=State.SENDING, claim_token="dead", claimed_at=ago(minutes=11))
    busy = email_row(anna, state=State.SENDING, claim_token="busy", claimed_at=ago(minutes=1))
    failed = email_row(anna, state=State.FAILED, next_attempt_at=ago(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep_outbox.apply(kwargs={"now": NOW.isoformat()}).get()

    assert counts == {"requeued": 1, "unstuck": 1}
    states = {
        row: Notification.objects.get(pk=row.pk).state
        for row in (lost, fresh, backing_off, dead, busy, failed)
    }
    assert states == {
        lost: State.SENT,
        fresh: State.READY,
        backing_off: State.READY,
        dead: State.SENT,
        busy: State.SENDING,
        failed: State.FAILED,
    }
    assert len(mail.outbox) == 2

    # Nothing is sent twice by a second sweep.
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_outbox.apply(kwargs={"now": NOW.isoformat()}).get() == {
            "requeued": 0,
            "unstuck": 0,
        }
    assert len(mail.outbox) == 2


def test_a_row_the_sweep_requeued_waits_a_full_period_before_the_next(
    anna, django_capture_on_commit_callbacks, monkeypatch
):
    """A slow queue is not flooded: each sweep re-sends a waiting row at most once per period."""
    monkeypatch.setattr("notifications.services._enqueue", lambda pk: None)  # broker still down
    row = email_row(anna, next_attempt_at=ago(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_sweep(now=NOW)["requeued"] == 1
        assert services.outbox_sweep(now=NOW + datetime.timedelta(seconds=60))["requeued"] == 0
        assert services.outbox_sweep(now=NOW + datetime.timedelta(seconds=121))["requeued"] == 1
    row.refresh_from_db()
    assert row.state == State.READY


def test_a_letter_whose_worker_dies_on_every_attempt_ends_failed_not_round_again(
    anna, settings, monkeypatch
):
    """Each claim counts an attempt; the sweep takes back a row stuck SENDING only while it has
    attempts left, else it is FAILED with the reason, for an administrator."""
    monkeypatch.setattr("notifications.services._enqueue", lambda pk: None)
    settings.NOTIFICATION_MAX_RETRIES = 2
    spent = email_row(
        anna, state=State.SENDING, claim_token="dead", claimed_at=ago(minutes=11), attempts=3
    )
    left = email_row(
        anna, state=State.SENDING, claim_token="dead", claimed_at=ago(minutes=11), attempts=2
    )
    assert services.outbox_sweep(now=NOW) == {"requeued": 0, "unstuck": 1}
    spent.refresh_from_db()
    left.refresh_from_db()
    assert (left.state, left.attempts) == (State.READY, 2)
    assert (spent.state, spent.attempts) == (State.FAILED, 3)
    assert "worker was lost" in spent.last_error


def test_a_sent_letter_whose_claim_was_taken_back_is_not_marked_twice(anna):
    row = email_row(anna, state=State.SENDING, claim_token="slow", claimed_at=ago(minutes=20))
    services.outbox_sweep(now=timezone.now())  # takes it back (the on_commit never runs here)
    assert services.notification_mark_sent(notification_id=row.pk, token="slow") is False
    row.refresh_from_db()
    assert row.state == State.READY


def test_retry_by_an_administrator_sends_a_failed_letter_again_and_is_audited(
    anna, django_capture_on_commit_callbacks
):
    admin_user = UserFactory(username="boss", is_staff=True, is_superuser=True)
    row = email_row(anna, state=State.FAILED, attempts=7, last_error="550 No such user")
    sent = email_row(anna, state=State.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.notification_retry(notification_id=row.pk, actor=admin_user) is True
        assert services.notification_retry(notification_id=sent.pk, actor=admin_user) is False

    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.SENT, 1)
    assert len(mail.outbox) == 1
    event = AuditEvent.objects.get(action="notification.retry")
    assert (event.actor, event.object_id) == (admin_user, str(row.pk))
    assert (event.from_state, event.to_state, event.comment) == (
        "failed",
        "ready",
        "550 No such user",
    )
    assert event.data["attempts"] == 7


def test_the_admin_lists_failed_letters_with_the_reason_and_retries_them(
    client, anna, django_capture_on_commit_callbacks
):
    admin_user = UserFactory(username="boss", is_staff=True, is_superuser=True)
    failed = email_row(anna, state=State.FAILED, attempts=7, last_error="550 5.1.1 No such user")
    waiting = email_row(anna)
    client.force_login(admin_user)

    page = client.get(reverse("admin:notifications_failednotification_changelist"))
    assert page.status_code == 200
    assert "550 5.1.1 No such user" in page.content.decode()
    assert list(page.context["cl"].result_list) == [failed]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "retry", "_selected_action": [failed.pk, waiting.pk]},
            follow=True,
        )
    assert response.status_code == 200
    failed.refresh_from_db()
    waiting.refresh_from_db()
    assert failed.state == State.SENT
    assert waiting.state == State.READY  # not failed: left alone
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]


def test_a_stuck_threshold_shorter_than_the_task_time_limit_is_refused(settings):
    settings.CELERY_TASK_TIME_LIMIT = 180
    settings.NOTIFICATION_STUCK_AFTER_SECONDS = 600
    assert stuck_after_exceeds_task_time_limit(None) == []
    settings.NOTIFICATION_STUCK_AFTER_SECONDS = 120
    (error,) = stuck_after_exceeds_task_time_limit(None)
    assert isinstance(error, Error)
    assert error.id == "notifications.E001"


def test_tick_runs_the_outbox_sweep_as_of_the_given_moment(
    anna, django_capture_on_commit_callbacks
):
    email_row(anna, next_attempt_at=ago(minutes=5))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("tick", now=NOW.isoformat(), stdout=out)
    assert "sweep-outbox: {'requeued': 1, 'unstuck': 0}" in out.getvalue()
    assert len(mail.outbox) == 1
