"""The audit log is a hash chain: an edited, removed or reordered event is found by the check."""

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditChainHead, AuditEvent
from audit.services import GENESIS, audit_record, audit_verify_chain
from tests.audit_helpers import unkeyed_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_events(coordinator, school):
    return [
        audit_record(actor=coordinator, action="application.create", obj=school, to_state="draft"),
        audit_record(
            actor=coordinator,
            action="application.update",
            obj=school,
            comment="Уточнены цели",
            data={"fields": ["goals"], "nested": {"b": 1, "a": [1, 2]}},
        ),
        audit_record(
            actor=None,
            action="application.submit",
            obj=school,
            from_state="draft",
            to_state="at_methodist",
        ),
    ]


def test_each_event_carries_the_hash_of_the_one_before(three_events):
    first, second, third = three_events
    assert AuditEvent.objects.order_by("id").first() == first
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert AuditChainHead.objects.get(id=1).last_hash == third.hash


def test_an_untouched_chain_verifies(three_events):
    assert audit_verify_chain() == (True, 3, None)


def test_an_empty_chain_verifies():
    assert audit_verify_chain() == (True, 0, None)


def test_a_stored_event_hashes_the_same_as_when_written(three_events):
    """Round trip through the database (time zone, JSON key order) must not change the digest."""
    from audit.services import _digest

    for event in AuditEvent.objects.order_by("id"):
        assert _digest(event.prev_hash, event) == event.hash


@pytest.mark.parametrize(
    "change",
    [
        {"comment": "Цели не уточнялись"},
        {"action": "application.accept"},
        {"to_state": "granted"},
        {"data": {"fields": ["topic"]}},
        {"actor": None},
    ],
)
def test_editing_an_event_breaks_the_chain_at_that_event(three_events, change):
    second = three_events[1]
    AuditEvent.objects.filter(pk=second.pk).update(**change)
    ok, checked, broken = audit_verify_chain()
    assert (ok, checked, broken) == (False, 1, second)


def test_rehashing_an_edited_event_still_breaks_the_next_link(three_events):
    from audit.services import _digest

    _first, second, third = three_events
    AuditEvent.objects.filter(pk=second.pk).update(comment="Подмена")
    second.refresh_from_db()
    AuditEvent.objects.filter(pk=second.pk).update(hash=_digest(second.prev_hash, second))
    assert audit_verify_chain() == (False, 2, third)


def test_deleting_the_last_event_is_noticed_through_the_head(three_events):
    AuditEvent.objects.filter(pk=three_events[-1].pk).delete()
    assert audit_verify_chain() == (False, 2, None)


def test_deleting_an_event_in_the_middle_breaks_at_the_next(three_events):
    AuditEvent.objects.filter(pk=three_events[1].pk).delete()
    assert audit_verify_chain() == (False, 1, three_events[2])


def test_verify_audit_command_reports_an_intact_chain(three_events):
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "3" in out.getvalue()


def test_verify_audit_command_fails_on_an_edited_event(three_events):
    AuditEvent.objects.filter(pk=three_events[0].pk).update(comment="Подмена")
    with pytest.raises(CommandError, match=f"#{three_events[0].pk}"):
        call_command("verify_audit")


def test_verify_audit_command_fails_when_the_last_event_is_removed(three_events):
    AuditEvent.objects.filter(pk=three_events[-1].pk).delete()
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_verify_audit_exits_non_zero_from_the_shell(three_events):
    """What an operator's cron job sees: exit status 1 and the reason on stderr."""
    from django.core.management import execute_from_command_line

    AuditEvent.objects.filter(pk=three_events[1].pk).update(comment="Подмена")
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "verify_audit"])
    assert exited.value.code == 1


def test_a_wiped_log_starts_a_new_chain():
    """After `manage.py flush` (and pytest-django's teardown of every transactional test) both
    the events and the head row are gone; the migration that made the head does not run again.
    Appending must start a new chain rather than fail with AuditChainHead.DoesNotExist."""
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    from tests.factories import UserFactory

    user = UserFactory()
    event = audit_record(actor=user, action="user.create", obj=user)
    assert event.prev_hash == GENESIS
    assert audit_verify_chain() == (True, 1, None)


_unkeyed = unkeyed_hash


def test_an_edit_with_the_whole_chain_recomputed_without_the_key_is_detected(three_events):
    """Issue 11, finding 4: with plain SHA-256 an attacker recomputed every link after an
    edited event and the check said "intact". Without AUDIT_HMAC_KEY the links cannot be
    recomputed."""
    first, second, third = three_events
    AuditEvent.objects.filter(pk=second.pk).update(comment="Подмена")
    prev = first.hash
    for event in AuditEvent.objects.filter(pk__in=[second.pk, third.pk]).order_by("id"):
        digest = _unkeyed(prev, event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=prev, hash=digest)
        prev = digest
    AuditChainHead.objects.filter(id=1).update(last_hash=prev)
    assert audit_verify_chain() == (False, 1, AuditEvent.objects.get(pk=second.pk))
    with pytest.raises(CommandError, match=f"#{second.pk}"):
        call_command("verify_audit")


def test_the_chain_depends_on_the_key(three_events, settings):
    """Verified with another key, the same log fails at its first event: the key, not the
    database, is what vouches for it."""
    settings.AUDIT_HMAC_KEY = "another-key"
    assert audit_verify_chain() == (False, 0, three_events[0])


def test_without_a_key_the_log_refuses_to_be_written(coordinator, school, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.AUDIT_HMAC_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="AUDIT_HMAC_KEY"):
        audit_record(actor=coordinator, action="x", obj=school)


def test_the_migration_rechains_a_legacy_sha256_log_and_records_it(coordinator, school):
    """Events written before the key existed are re-chained under it in id order, content
    untouched, with one event that keeps the old SHA-256 head; the reverse restores it."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("audit.migrations.0003_keyed_chain_and_checkpoints")
    for n in range(3):
        audit_record(actor=coordinator, action="legacy", obj=school, data={"n": n})
    # Turn the log into what the old code wrote.
    prev = GENESIS
    for event in AuditEvent.objects.order_by("id"):
        digest = _unkeyed(prev, event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=prev, hash=digest)
        prev = digest
    AuditChainHead.objects.filter(id=1).update(last_hash=prev)
    legacy_head = prev
    assert audit_verify_chain()[0] is False  # the new check does not accept the old chain

    migration.rechain(apps, None)
    assert audit_verify_chain() == (True, 4, None)
    note = AuditEvent.objects.order_by("-id").first()
    assert note.action == "audit.rechain"
    assert note.data == {"events": 3, "legacy_sha256_head": legacy_head}
    assert [e.data for e in AuditEvent.objects.filter(action="legacy").order_by("id")] == [
        {"n": 0},
        {"n": 1},
        {"n": 2},
    ]

    migration.unchain(apps, None)
    assert AuditChainHead.objects.get(id=1).last_hash == legacy_head
    assert not AuditEvent.objects.filter(action="audit.rechain").exists()
