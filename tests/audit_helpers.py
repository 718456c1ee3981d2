"""What an attacker who writes the database but lacks the key can compute: the chain as it was
before it was keyed (plain SHA-256)."""

import hashlib
import json


def unkeyed_hash(prev: str, event) -> str:
    """How the chain was computed before it was keyed: plain SHA-256, anyone can redo it."""
    payload = json.dumps(
        [
            prev,
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
