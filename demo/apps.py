from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data of the embedded default (`seed_demo`) and the deploy check that no account
    keeps its public password. At the top of the layers: it seeds every app."""

    name = "demo"
    verbose_name = _("Demo data")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)
