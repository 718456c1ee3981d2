"""Writing and verifying the audit log. Call `audit_record` inside the transaction of the
change, as its last write.

The log is a keyed chain: each event stores HMAC-SHA256(AUDIT_HMAC_KEY, previous MAC + the
event), so whoever can write the database but does not hold the key (it lives in the
environment, never in the database) can neither edit an event nor recompute the chain after
an edit. Deleting events at the end, or all of them, keeps a shorter chain valid; checkpoints
catch that: `audit_checkpoint_create` (hourly, from beat and `manage.py tick`) records the
chain's length and head, sealed with the key, chained to the previous checkpoint, printed as a
registered and signed PDF (documents registers that paper here), and writes the latest one to
a file outside the database. `audit_verify` checks all of it (docs/decisions.md, entry
"The audit log is a keyed chain with signed checkpoints").
"""

import datetime
import hashlib
import hmac
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Max

from core.transactions import lock

from .models import AuditChainHead, AuditCheckpoint, AuditEvent

log = logging.getLogger(__name__)
GENESIS = "0" * 64


def audit_key() -> bytes:
    """The chain's key, from the environment (settings). Production refuses to start without
    one; the embedded default and the tests use keys marked as demo keys."""
    key = settings.AUDIT_HMAC_KEY
    if not key:
        raise ImproperlyConfigured(
            "AUDIT_HMAC_KEY is not set: the audit log cannot be written or verified."
        )
    return key.encode()


def _mac(payload: list) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hmac.new(audit_key(), text.encode(), hashlib.sha256).hexdigest()


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def _digest(prev_hash: str, event: AuditEvent) -> str:
    """The event's MAC: the previous MAC and every field of the event, under the key."""
    return _mac(
        [
            prev_hash,
            _utc(event.at),
            event.actor_id,
            event.action,
            event.object_type,
            str(event.object_id),
            event.from_state,
            event.to_state,
            event.comment,
            event.data,
        ]
    )


def _locked_head() -> AuditChainHead:
    """The migration creates the head; recreate it race-free if a flush removed it."""
    head = lock(AuditChainHead.objects).filter(id=1).first()
    if head is None:
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(id=1, last_hash=_chain_tail_hash())
        except IntegrityError:
            pass  # a concurrent writer created it first
        head = lock(AuditChainHead.objects).get(id=1)
    return head


def _chain_tail_hash() -> str:
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS


def audit_record(
    *,
    actor,
    action: str,
    obj,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append one event; the head row lock orders concurrent appends into one chain.

    No savepoint: the event belongs to the caller's transaction and fails or commits with it.
    """
    with transaction.atomic(savepoint=False):
        return _append(
            actor=actor,
            action=action,
            obj=obj,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            data=data,
        )


def _append(*, actor, action, obj, from_state, to_state, comment, data) -> AuditEvent:
    head = _locked_head()
    event = AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        from_state=from_state or "",
        to_state=to_state or "",
        comment=comment or "",
        data=json.loads(json.dumps(data or {}, default=str)),
        prev_hash=head.last_hash,
    )
    event.hash = _digest(head.last_hash, event)
    event.save()
    head.last_hash = event.hash
    head.save(update_fields=["last_hash"])
    return event


PERSONAL_DATA_READ = "personal_data.read"


def audit_personal_data_read(*, actor, obj, fields: list[str], channel: str) -> AuditEvent:
    """152-ФЗ: record who saw which personal data of which record, and through what (page, API)."""
    return audit_record(
        actor=actor, action=PERSONAL_DATA_READ, obj=obj, data={"fields": fields, "channel": channel}
    )


class _ListOf:
    """What a list read is about: the model as the object type, "list" as the object id."""

    def __init__(self, model):
        self._meta = model._meta
        self.pk = "list"


def audit_personal_data_list_read(
    *, actor, model, ids: list, fields: list[str], channel: str
) -> AuditEvent:
    """152-ФЗ: a page listing several people's data is one read, naming the records it showed
    (object id "list", the ids in the data), not one event per row."""
    return audit_record(
        actor=actor,
        action=PERSONAL_DATA_READ,
        obj=_ListOf(model),
        data={"fields": fields, "channel": channel, "ids": ids},
    )


# --- Verifying the chain --------------------------------------------------------------------------


@dataclass
class _Walk:
    ok: bool
    count: int
    broken: AuditEvent | None
    last_mac: str
    # head id -> (position in the chain, MAC) for the ids asked about
    positions: dict[int, tuple[int, str]] = field(default_factory=dict)


def _walk(marks: set[int] = frozenset()) -> _Walk:
    prev, count = GENESIS, 0
    positions: dict[int, tuple[int, str]] = {}
    for event in AuditEvent.objects.order_by("id").iterator():
        if event.prev_hash != prev or not hmac.compare_digest(_digest(prev, event), event.hash):
            return _Walk(False, count, event, prev, positions)
        prev = event.hash
        count += 1
        if event.pk in marks:
            positions[event.pk] = (count, event.hash)
    return _Walk(True, count, None, prev, positions)


def audit_verify_chain() -> tuple[bool, int, AuditEvent | None]:
    """Walk the chain in order. Returns (ok, events checked, first broken event); a head row
    that does not name the last event (events removed at the end) is (False, n, None)."""
    walk = _walk()
    if not walk.ok:
        return False, walk.count, walk.broken
    head = AuditChainHead.objects.filter(id=1).first()
    if head and head.last_hash != walk.last_mac:
        return False, walk.count, None
    return True, walk.count, None


# --- Checkpoints ------------------------------------------------------------------------------

# The signed PDF of a checkpoint is the documents app's business; it registers two callables
# here at start-up (audit imports no other app): issue(checkpoint, now) -> (document id,
# sha256 of the signed PDF), and verify(checkpoint) -> list of problems.
_PAPER: dict[str, Callable] = {}


def checkpoint_paper_register(*, issue: Callable, verify: Callable) -> None:
    _PAPER["issue"], _PAPER["verify"] = issue, verify


def _checkpoint_mac(cp: AuditCheckpoint) -> str:
    # "checkpoint" first: an event's MAC can never pass for a checkpoint's.
    return _mac(
        [
            "checkpoint",
            cp.number,
            _utc(cp.at),
            cp.event_count,
            cp.head_id,
            cp.head_mac,
            cp.prev_mac,
            cp.paper_until_id,
            cp.document_id,
            cp.document_sha256,
        ]
    )


def checkpoint_file() -> Path:
    """Where the latest checkpoint is kept outside the database: AUDIT_CHECKPOINT_FILE, else
    audit/checkpoint.json under MEDIA_ROOT (the same storage as the signed documents)."""
    configured = settings.AUDIT_CHECKPOINT_FILE
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "audit/checkpoint.json"


def _checkpoint_dict(cp: AuditCheckpoint) -> dict:
    return {
        "number": cp.number,
        "at": _utc(cp.at),
        "event_count": cp.event_count,
        "head_id": cp.head_id,
        "head_mac": cp.head_mac,
        "prev_mac": cp.prev_mac,
        "paper_until_id": cp.paper_until_id,
        "document_id": cp.document_id,
        "document_sha256": cp.document_sha256,
        "mac": cp.mac,
    }


def _checkpoint_file_write(checkpoint_id: int) -> None:
    """After commit: replace the file atomically (a crash leaves the old one, never half)."""
    cp = AuditCheckpoint.objects.filter(pk=checkpoint_id).first()
    if cp is None:
        return
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as tmp:
        json.dump(_checkpoint_dict(cp), tmp, ensure_ascii=False, indent=1)
        tmp.flush()
        os.fsync(tmp.fileno())
    os.replace(tmp.name, path)


@transaction.atomic
def audit_checkpoint_create(*, now: datetime.datetime) -> AuditCheckpoint | None:
    """Record the chain as it stands: count, last event, its MAC; print and sign it; write it to
    the file after commit. Safe to run twice: the head row is locked (so concurrent runs queue
    and the chain cannot grow meanwhile), and nothing is made when no event followed the last
    checkpoint's own paperwork, or when the log is empty."""
    _locked_head()
    last = AuditCheckpoint.objects.order_by("-number").first()
    tail = AuditEvent.objects.aggregate(last=Max("id"))["last"]
    if tail is None or (last is not None and tail <= last.paper_until_id):
        return None
    head = AuditEvent.objects.only("id", "hash").get(pk=tail)
    cp = AuditCheckpoint.objects.create(
        number=(last.number + 1) if last else 1,
        at=now,
        event_count=AuditEvent.objects.filter(id__lte=head.pk).count(),
        head_id=head.pk,
        head_mac=head.hash,
        prev_mac=last.mac if last else GENESIS,
    )
    if "issue" in _PAPER:
        cp.document_id, cp.document_sha256 = _PAPER["issue"](cp, now=now)
    audit_record(
        actor=None,
        action="audit.checkpoint",
        obj=cp,
        data={"number": cp.number, "event_count": cp.event_count, "head_id": cp.head_id},
    )
    cp.paper_until_id = AuditEvent.objects.aggregate(last=Max("id"))["last"]
    cp.mac = _checkpoint_mac(cp)
    cp.save()
    transaction.on_commit(partial(_checkpoint_file_write, cp.pk))
    return cp


@dataclass
class AuditReport:
    """What `verify_audit` found: ok only when `problems` is empty."""

    events: int
    checkpoint: AuditCheckpoint | None
    problems: list[str]
    notes: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _read_checkpoint_file(problems: list[str]) -> dict | None:
    """The sealed checkpoint of the file; None when there is no file or it is not Docket's
    (then a problem says so)."""
    path = checkpoint_file()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        fields = AuditCheckpoint(
            number=int(data["number"]),
            at=datetime.datetime.fromisoformat(data["at"]),
            event_count=int(data["event_count"]),
            head_id=int(data["head_id"]),
            head_mac=str(data["head_mac"]),
            prev_mac=str(data["prev_mac"]),
            paper_until_id=int(data["paper_until_id"]),
            document_id=data["document_id"],
            document_sha256=str(data["document_sha256"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"The checkpoint file {path} cannot be read: {exc}.")
        return None
    if not hmac.compare_digest(_checkpoint_mac(fields), str(data.get("mac", ""))):
        problems.append(
            f"The checkpoint file {path} is not sealed with this AUDIT_HMAC_KEY: it was forged "
            "or edited, or the key is not the one the log was written with."
        )
        return None
    return data


def audit_verify() -> AuditReport:
    """Check the keyed chain, every checkpoint (numbering, seal, chaining, and that the chain
    still holds the event each one names at the position it names), the checkpoint file kept
    outside the database, and the signed PDF of the latest checkpoint."""
    problems: list[str] = []
    notes: list[str] = []
    checkpoints = list(AuditCheckpoint.objects.order_by("number"))
    walk = _walk({cp.head_id for cp in checkpoints})
    if not walk.ok:
        problems.append(
            f"Event #{walk.broken.pk} (after {walk.count} valid events) does not match its MAC or "
            "does not follow the event before it: an event was edited, inserted or removed, or "
            "the chain was recomputed without the key."
        )
    head = AuditChainHead.objects.filter(id=1).first()
    if walk.ok and walk.count and head is None:
        problems.append("The chain head row is missing: it was deleted.")
    elif walk.ok and head is not None and head.last_hash != walk.last_mac:
        problems.append(
            "The chain head does not name the last event: events at the end were removed."
        )

    prev_mac, expected = GENESIS, 1
    for cp in checkpoints:
        if cp.number != expected:
            problems.append(
                f"Checkpoint {expected} is missing (the numbers jump to {cp.number}): "
                "checkpoints were deleted."
            )
        if not hmac.compare_digest(_checkpoint_mac(cp), cp.mac):
            problems.append(f"Checkpoint {cp.number} does not match its seal: it was edited.")
        elif cp.prev_mac != prev_mac:
            problems.append(f"Checkpoint {cp.number} does not follow the checkpoint before it.")
        if walk.ok and cp.event_count:
            position = walk.positions.get(cp.head_id)
            if position != (cp.event_count, cp.head_mac):
                problems.append(
                    f"Checkpoint {cp.number} covers {cp.event_count} events up to event "
                    f"#{cp.head_id}, and the chain no longer holds them: events were deleted "
                    "or the log was rewritten."
                )
        prev_mac, expected = cp.mac, cp.number + 1

    latest = checkpoints[-1] if checkpoints else None
    pinned = _read_checkpoint_file(problems)
    if checkpoint_file().exists() and pinned is None:
        pass  # unreadable or forged: reported by _read_checkpoint_file
    elif pinned is not None:
        row = next((cp for cp in checkpoints if cp.number == pinned["number"]), None)
        if row is None or row.mac != pinned["mac"]:
            problems.append(
                f"Checkpoint {pinned['number']} of {pinned['at']} ({pinned['event_count']} "
                f"events), kept in {checkpoint_file()}, is not in the database: events and "
                "checkpoints were deleted, or the database is older than the file."
            )
        else:
            latest = row
    elif checkpoints:
        problems.append(
            f"The checkpoint file {checkpoint_file()} is missing, so the last checkpoint cannot "
            "be confirmed outside the database. Restore it from the backup of the media files."
        )
    elif not checkpoints:
        notes.append("No checkpoint yet: removal of events at the end cannot be detected.")
    if latest is not None and latest.document_id and "verify" in _PAPER:
        problems.extend(_PAPER["verify"](latest))
    return AuditReport(events=walk.count, checkpoint=latest, problems=problems, notes=notes)
