"""`manage.py check --deploy` fails while an account keeps a publicly known demo password."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core import checks
from django.db import DatabaseError
from django.db.models import Q


@checks.register(checks.Tags.security, deploy=True)
def demo_passwords_in_use(app_configs, **kwargs):
    """The accounts seed_demo creates (by username) are tried against the password it gave
    them, every superuser against all the demo passwords of the README: one or two hashes per
    account, however large the user table (a hash costs about half a second with Django's
    PBKDF2 at its default work). The stored hash is only read (hashers.check_password), so the
    check never upgrades it in place."""
    from core.demo import (
        ADMIN_PASSWORD,
        ADMIN_USERNAME,
        DEMO_PASSWORD,
        KNOWN_DEMO_PASSWORDS,
    )
    from demo.management.commands.seed_demo import DEMO_USERNAMES

    def tried(username: str, is_superuser: bool) -> tuple[str, ...]:
        if is_superuser:
            return KNOWN_DEMO_PASSWORDS
        return (ADMIN_PASSWORD,) if username == ADMIN_USERNAME else (DEMO_PASSWORD,)

    users = get_user_model().objects.filter(is_active=True)
    try:
        candidates = list(
            users.filter(Q(username__in=DEMO_USERNAMES) | Q(is_superuser=True)).values_list(
                "username", "is_superuser", "password"
            )
        )
    except DatabaseError:
        # No database yet, or not migrated (a check before the first migrate): no accounts.
        return []
    found = sorted(
        username
        for username, is_superuser, encoded in candidates
        if any(check_password(raw, encoded) for raw in tried(username, is_superuser))
    )
    if not found:
        return []
    return [
        checks.Error(
            f"These active accounts have a publicly known demo password: {', '.join(found)}.",
            hint=(
                "Demo data (seed_demo) is not for production. Change their passwords "
                "(manage.py changepassword USERNAME) or deactivate them in the admin."
            ),
            id="workflows.E001",
        )
    ]
