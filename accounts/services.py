"""Writes about accounts: API tokens and password changes. Each is an audit event."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from audit.services import audit_record
from core.transactions import lock

API_TOKEN_ISSUE = "user.api_token_issue"
API_TOKEN_REVOKE = "user.api_token_revoke"
PASSWORD_CHANGE = "user.password_change"


@transaction.atomic
def api_token_issue(*, user) -> tuple[AuthToken, str]:
    """A new API token for `user`, expiring after REST_KNOX["TOKEN_TTL"]. Only its digest is
    stored (knox), so the returned text is the one and only time anyone sees it. Beyond
    API_TOKENS_PER_USER live tokens the oldest are revoked: a client that forgets its tokens
    is never locked out, and the table never grows without bound."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    keep = max(settings.API_TOKENS_PER_USER - 1, 0)
    oldest = user.auth_token_set.order_by("-created").values_list("digest", flat=True)[keep:]
    api_tokens_revoke(
        user=user,
        actor=user,
        reason="limit",
        tokens=AuthToken.objects.filter(digest__in=list(oldest)),
    )
    instance, token = AuthToken.objects.create(user=user)
    audit_record(
        actor=user,
        action=API_TOKEN_ISSUE,
        obj=user,
        data={"token_key": instance.token_key, "expiry": instance.expiry},
    )
    return instance, token


@transaction.atomic
def api_tokens_revoke(*, user, actor, reason: str, tokens=None) -> int:
    """Delete `tokens` (default: every token of `user`); returns how many there were."""
    rows = list(lock(tokens if tokens is not None else user.auth_token_set.all()))
    if not rows:
        return 0
    AuthToken.objects.filter(digest__in=[row.digest for row in rows]).delete()
    audit_record(
        actor=actor,
        action=API_TOKEN_REVOKE,
        obj=user,
        data={"reason": reason, "token_keys": sorted(row.token_key for row in rows)},
    )
    return len(rows)


def user_password_change_record(*, user, actor, channel: str) -> None:
    """Audit a password change made on a page (`channel`: "page" or "admin"). The change
    itself revoked the user's API tokens (User.save) and ended their other sessions (Django
    keeps a hash of the password in each session and drops those that no longer match)."""
    audit_record(actor=actor, action=PASSWORD_CHANGE, obj=user, data={"channel": channel})
