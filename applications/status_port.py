"""What the application flow asks of the status it grants or renews.

`applications` sits below `statuses` in the layers (docs/decisions.md 49): statuses import
applications, never the reverse. The flow still has to grant a status, check a renewal and
quote a renewed term, so it calls this port, which the statuses app fills in when Django starts
(`StatusesConfig.ready`). A programme without statuses would register its own.
"""

from datetime import date
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class StatusLifecycle(Protocol):
    def grant(self, *, application) -> object:
        """Enter the status, or extend it for a renewal; safe to call twice."""

    def live_status(self, *, program, organisation):
        """The organisation's status of the programme that is in force or under renewal."""

    def renewal_refusal(self, status, *, today: date) -> str:
        """Why a renewal of `status` cannot be filed on `today` ('' if it can)."""

    def renewal_submitted(self, *, application, user, today: date) -> None:
        """Inside the submit of a renewal: the status goes under review."""

    def renewal_refused(self, *, application, actor, today: date) -> None:
        """The renewal was refused: the status runs to its end."""

    def renewal_grant_refusal(self, status, *, today: date) -> str:
        """Why a renewal of `status` cannot be approved on `today` ('' if it can)."""

    def renewed_term_end(self, status) -> date:
        """Where a renewal approved now would end."""


_lifecycle: StatusLifecycle | None = None


def register(lifecycle: StatusLifecycle) -> None:
    global _lifecycle
    _lifecycle = lifecycle


def status_lifecycle() -> StatusLifecycle:
    if _lifecycle is None:
        raise ImproperlyConfigured(
            "No status lifecycle is registered: add 'statuses' to INSTALLED_APPS."
        )
    return _lifecycle
