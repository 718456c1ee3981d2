from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "councils"
    label = "councils"
    verbose_name = _("Councils and meetings")

    def ready(self):
        from applications.models import Application
        from documents.selectors import case_access_register

        from . import selectors, services, subjects
        from .models import AgendaItem, Meeting

        # A meeting's documents (its protocols, extracts of free items) are seen by whoever
        # sees the meeting: the council's members and staff who see every case.
        case_access_register(
            Meeting,
            lambda user, meeting: selectors.meeting_visible_qs(user).filter(pk=meeting.pk).exists(),
        )

        # The core case: an application waiting at the flow's council node.
        subjects.register(
            subjects.AgendaSubject(
                model=Application,
                kind=AgendaItem.Kind.APPLICATION,
                waiting=selectors.applications_waiting,
                title=selectors.application_item_title,
                release=services.release_application,
                organisation_id=lambda application: application.organisation_id,
                url=lambda application: reverse("application-detail", args=[application.pk]),
                locks=selectors.application_release_locks,
            )
        )
