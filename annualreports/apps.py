from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnualreportsConfig(AppConfig):
    name = "annualreports"
    verbose_name = _("Annual reports of programmes")
