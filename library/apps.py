from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Bank of best practice")

    def ready(self):
        """Who opens a practice's documents (its materials, the consent): its author and the
        programme's staff; a signed consent is recorded on the practice."""
        from documents.selectors import case_access_register
        from documents.services import case_signed_register

        from . import selectors, services
        from .models import Practice

        case_access_register(Practice, selectors.practice_can_view)
        case_signed_register(Practice, services.consent_signed)
