"""Issue 11, finding 4: someone who can write the database, but holds neither the audit key
(the environment) nor the files (the media storage), attacks the audit log the three ways the
review found, and `verify_audit` exits non-zero for each; a clean log passes."""

import datetime
import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from audit.services import (
    GENESIS,
    audit_checkpoint_create,
    audit_record,
    audit_verify,
    checkpoint_file,
)
from documents import pki
from documents.models import Document
from documents.services import trust_roots
from tests.audit_helpers import unkeyed_hash

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC)


def events(actor, obj, n):
    for i in range(n):
        audit_record(actor=actor, action="application.update", obj=obj, data={"step": i})


@pytest.fixture
def checkpointed(coordinator, school, django_capture_on_commit_callbacks):
    """60 events, then a checkpoint (its file is written after commit), then 5 more events."""
    events(coordinator, school, 60)
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = audit_checkpoint_create(now=NOW)
    events(coordinator, school, 5)
    return checkpoint


def verify_fails(*fragments):
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", stdout=io.StringIO())
    message = str(failure.value)
    for fragment in fragments:
        assert fragment in message
    return message


def test_a_clean_log_with_a_checkpoint_verifies(checkpointed):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue() and "checkpoint 1" in out.getvalue()
    report = audit_verify()
    assert report.ok and report.checkpoint == checkpointed


def test_the_checkpoint_is_sealed_printed_registered_signed_and_kept_outside_the_database(
    checkpointed,
):
    cp = checkpointed
    assert cp.number == 1 and cp.event_count == 60 and cp.prev_mac == GENESIS
    assert cp.head_mac == AuditEvent.objects.get(pk=cp.head_id).hash
    kept = json.loads(checkpoint_file().read_text())
    assert kept["number"] == 1 and kept["mac"] == cp.mac and kept["event_count"] == 60
    document = Document.objects.get(pk=cp.document_id)
    assert document.kind == Document.Kind.AUDIT_CHECKPOINT
    assert document.reg_number == "АУД-2027/0001"
    with document.current_version.file.open("rb") as handle:
        signed = handle.read()
    assert hashlib.sha256(signed).hexdigest() == cp.document_sha256
    [signature] = pki.pades_validate(pdf=signed, trust_roots=trust_roots())
    assert signature.ok
    from tests.documents_helpers import pdf_text

    text = pdf_text(signed)
    assert "КОНТРОЛЬНАЯ ТОЧКА" in text and "60" in text and cp.head_mac[:16] in text


def test_a_second_run_with_nothing_new_makes_no_checkpoint_and_the_next_one_chains(
    checkpointed, coordinator, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        second = audit_checkpoint_create(now=NOW + datetime.timedelta(hours=1))
    assert second.number == 2 and second.prev_mac == checkpointed.mac
    with django_capture_on_commit_callbacks(execute=True):
        assert audit_checkpoint_create(now=NOW + datetime.timedelta(hours=2)) is None
    assert audit_verify().ok


def test_deleting_the_last_50_events_and_the_head_is_detected(checkpointed):
    """The issue's first attack: the remaining chain is valid on its own, the checkpoint is not."""
    last_50 = AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:50]
    AuditEvent.objects.filter(id__in=list(last_50)).delete()
    AuditChainHead.objects.all().delete()
    verify_fails("NOT intact", "Checkpoint 1 covers 60 events")


def test_deleting_everything_is_detected_by_the_file_outside_the_database(checkpointed):
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    AuditCheckpoint.objects.all().delete()
    verify_fails("Checkpoint 1", "is not in the database")


def test_editing_an_event_and_recomputing_the_chain_without_the_key_is_detected(checkpointed):
    """The attacker rewrites one event, then recomputes every later link and the head the way
    the old, unkeyed chain was computed (plain SHA-256)."""
    rows = list(AuditEvent.objects.order_by("id"))
    target = rows[10]
    target.comment = "Никаких изменений не было"
    prev = rows[9].hash
    for event in rows[10:]:
        if event.pk == target.pk:
            event.comment = target.comment
        event.prev_hash = prev
        event.hash = unkeyed_hash(prev, event)
        AuditEvent.objects.filter(pk=event.pk).update(
            comment=event.comment, prev_hash=event.prev_hash, hash=event.hash
        )
        prev = event.hash
    AuditChainHead.objects.filter(id=1).update(last_hash=prev)
    verify_fails(f"Event #{target.pk}", "without the key")


def test_deleting_the_checkpoints_and_recent_events_is_detected(checkpointed):
    AuditCheckpoint.objects.all().delete()
    verify_fails("is not in the database")


def test_a_forged_checkpoint_file_is_detected(checkpointed):
    path = checkpoint_file()
    kept = json.loads(path.read_text())
    kept["event_count"] = 3
    path.write_text(json.dumps(kept))
    verify_fails("not sealed with this AUDIT_HMAC_KEY")


def test_a_replaced_checkpoint_pdf_is_detected(checkpointed):
    document = Document.objects.get(pk=checkpointed.document_id)
    version = document.current_version
    with open(version.file.path, "ab") as handle:
        handle.write(b"\n%tampered\n")
    verify_fails("is not the one sealed into the checkpoint")


def test_a_missing_checkpoint_file_fails_once_checkpoints_exist(checkpointed):
    checkpoint_file().unlink()
    verify_fails("is missing")


def test_the_beat_schedule_and_tick_make_checkpoints(coordinator, school, settings):
    from django.conf import settings as live

    assert live.CELERY_BEAT_SCHEDULE["audit-checkpoint"]["task"] == "audit.tasks.audit_checkpoint"
    events(coordinator, school, 3)
    out = io.StringIO()
    call_command("tick", now=timezone.now().isoformat(), stdout=out)
    assert "audit-checkpoint: checkpoint 1" in out.getvalue()
    assert AuditCheckpoint.objects.get().event_count >= 3
