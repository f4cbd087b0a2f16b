from django.apps import AppConfig
from axes import apps as axes_apps
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SkaConfig(AppConfig):
    default = True
    name = "ska"
    verbose_name = _("Organisation and people")

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from django.db.models.signals import m2m_changed

        from .models import Activity
        from .signals import check_activity_indicators, update_last_login_without_history

        m2m_changed.connect(check_activity_indicators, sender=Activity.indicators.through)

        # A login is not a change to the person's record: keep it out of their history.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login_without_history, dispatch_uid="update_last_login")

        from . import audit

        audit.connect()


class SkaAdminConfig(admin_apps.AdminConfig):
    """The Django admin with SKA's site: system administrators only, the app's own login."""

    default = False
    default_site = "ska.admin_site.SkaAdminSite"


class AxesConfig(axes_apps.AppConfig):
    """django-axes (failed-login throttling), with a Swedish name in the admin."""

    default = False
    verbose_name = _("Login attempts")
