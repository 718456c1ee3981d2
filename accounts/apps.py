from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.middleware import session_started

        user_logged_in.connect(session_started, dispatch_uid="core.session_started")

        from axes.models import AccessAttempt
        from axes.signals import user_locked_out
        from django.core import checks
        from django.db.models.signals import post_delete

        from . import lockout, schema  # noqa: F401  schema: registers the OpenAPI extension
        from .checks import check_api_authentication_is_guarded

        checks.register(check_api_authentication_is_guarded, checks.Tags.security)

        # Every lockout and every unlock goes to the audit log (issue 11, finding 3).
        user_locked_out.connect(lockout.on_locked_out, dispatch_uid="accounts.lockout.audit")
        post_delete.connect(
            lockout.on_attempt_deleted, sender=AccessAttempt, dispatch_uid="accounts.unlock.audit"
        )
