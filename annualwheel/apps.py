from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnualwheelConfig(AppConfig):
    name = "annualwheel"
    verbose_name = _("Annual wheel")
