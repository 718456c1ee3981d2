from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YearworkConfig(AppConfig):
    name = "yearwork"
    verbose_name = _("The programme's year of work")

    def ready(self):
        """The plan of work is a subject the council decides at a meeting."""
        from . import council

        council.register_subjects()
