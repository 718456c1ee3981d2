from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "councils"
    label = "councils"
    verbose_name = _("Councils and meetings")

    def ready(self):
        from documents.selectors import case_access_register

        from . import selectors
        from .models import Meeting

        # A meeting's documents (its protocols, extracts of free items) are seen by whoever
        # sees the meeting: the council's members and staff who see every case.
        case_access_register(
            Meeting,
            lambda user, meeting: selectors.meeting_visible_qs(user).filter(pk=meeting.pk).exists(),
        )
