from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YearworkConfig(AppConfig):
    name = "yearwork"
    verbose_name = _("The programme's year of work")
