from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    # The label stays "workflows": it names the tables, content types, permissions and the
    # flows' stored references ("workflows/flows.ApplicationFlow") of every running case.
    label = "workflows"
    verbose_name = _("Applications")

    def ready(self):
        from documents.selectors import case_access_register

        from . import checks, council, selectors  # noqa: F401  (checks registers the system checks)
        from .models import Application, Order
        from .roles import roles_sync

        # Documents of a case are seen by whoever sees the case (documents knows no workflows).
        case_access_register(
            Application,
            lambda user, application: (
                selectors.application_visible_qs(user).filter(pk=application.pk).exists()
            ),
            # An unsent draft's attachments are its school's alone (decision 43).
            private=selectors.application_is_private,
            private_ids=selectors.application_private_ids,
        )

        # An order's document is seen by whoever sees one of the cases it lists (one order may
        # grant several schools; each finds it through its own application).
        case_access_register(
            Order,
            lambda user, order: (
                selectors.application_visible_qs(user).filter(listed_in_orders=order).exists()
            ),
        )

        # What the council decides of a case (councils knows no applications).
        council.register()

        # After migrate, because permissions are created by post_migrate of the auth app.
        post_migrate.connect(roles_sync, sender=self, dispatch_uid="workflows.roles_sync")
