from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogsConfig(AppConfig):
    name = "dialogs"
    verbose_name = _("Quality dialogues")

    def ready(self):
        from . import signals  # noqa: F401  (connects the annual wheel's dialogue-round events)
