"""System checks of workflows: `manage.py check --deploy` fails while an account keeps a
publicly known demo password; any check fails when the sweep could run a flow job twice at once."""

from django.conf import settings
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
    from applications.demo import (
        ADMIN_PASSWORD,
        ADMIN_USERNAME,
        DEMO_PASSWORD,
        KNOWN_DEMO_PASSWORDS,
    )
    from applications.management.commands.seed_demo import DEMO_USERNAMES

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


@checks.register()
def job_stuck_after_exceeds_task_time_limit(app_configs, **kwargs):
    """The sweep takes back a job STARTED longer ago than FLOW_JOB_STUCK_AFTER_SECONDS. If that
    is shorter than a task may run, an attempt still in progress would be taken back and its
    body run a second time, at the same moment, by another worker."""
    stuck = settings.FLOW_JOB_STUCK_AFTER_SECONDS
    limit = settings.CELERY_TASK_TIME_LIMIT
    if limit and stuck <= limit:
        return [
            checks.Error(
                f"FLOW_JOB_STUCK_AFTER_SECONDS ({stuck}) must be longer than "
                f"CELERY_TASK_TIME_LIMIT ({limit}).",
                hint="A background step still running would be taken back and run twice.",
                id="workflows.E002",
            )
        ]
    return []
