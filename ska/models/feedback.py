"""Reports of accessibility problems, sent from the accessibility statement page.

Kept as rows (not only e-mailed) so that none is lost and the municipality can show how it
answered each one, as the law on accessibility of digital public services expects.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AccessibilityReport(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    page = models.CharField(_("page"), max_length=300, blank=True)
    description = models.TextField(_("description of the problem"), max_length=5000)
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("user")
    )
    handled = models.BooleanField(_("handled"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("accessibility report")
        verbose_name_plural = _("accessibility reports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d} {self.description[:60]}"
