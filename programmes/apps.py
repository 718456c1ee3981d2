from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    """The definitions every case is filed under: programmes and the organisations applying."""

    name = "programmes"
    verbose_name = _("Programmes")
