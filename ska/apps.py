from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SkaConfig(AppConfig):
    default = True
    name = "ska"
    verbose_name = _("Organisation and people")


class SkaAdminConfig(admin_apps.AdminConfig):
    """The Django admin with SKA's site: system administrators only, the app's own login."""

    default = False
    default_site = "ska.admin_site.SkaAdminSite"
