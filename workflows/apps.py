from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Programmes and applications")

    def ready(self):
        from .roles import roles_sync

        # After migrate, because permissions are created by post_migrate of the auth app.
        post_migrate.connect(roles_sync, sender=self, dispatch_uid="workflows.roles_sync")
