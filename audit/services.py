"""Writing audit events. Call inside the transaction of the change, as its last write."""

import hashlib
import json

from django.db import IntegrityError, transaction

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _digest(prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        [
            prev_hash,
            event.at.isoformat(),
            event.actor_id,
            event.action,
            event.object_type,
            str(event.object_id),
            event.from_state,
            event.to_state,
            event.comment,
            event.data,
        ],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _locked_head() -> AuditChainHead:
    """The migration creates the head; recreate it race-free if a flush removed it."""
    head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(id=1, last_hash=_chain_tail_hash())
        except IntegrityError:
            pass  # a concurrent writer created it first
        head = AuditChainHead.objects.select_for_update().get(id=1)
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


def audit_verify_chain() -> tuple[bool, int, AuditEvent | None]:
    """Walk the chain in order. Returns (ok, events checked, first broken event)."""
    prev = GENESIS
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator():
        if event.prev_hash != prev or _digest(prev, event) != event.hash:
            return False, count, event
        prev = event.hash
        count += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head and head.last_hash != prev:
        return False, count, None
    return True, count, None


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
