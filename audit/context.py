"""Who is acting, for audit events written by signal receivers that see no request.

A receiver (for example on the deletion of a login lockout row) cannot know whether an
administrator in the admin or a command line caused it; the admin code that does it wraps the
call in `acting(...)`, and the receiver reads `current_actor()`.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Acting:
    user: object
    channel: str


_acting: ContextVar[Acting | None] = ContextVar("audit_acting", default=None)


@contextmanager
def acting(user, *, channel: str):
    token = _acting.set(Acting(user=user, channel=channel))
    try:
        yield
    finally:
        _acting.reset(token)


def current_actor() -> Acting | None:
    return _acting.get()
