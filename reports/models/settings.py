"""The municipality's settings for its report documents."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ska.models import Municipality


class ReportSettings(models.Model):
    municipality = models.OneToOneField(
        Municipality, models.CASCADE, related_name="report_settings", verbose_name=_("municipality")
    )
    logo = models.ImageField(_("logo"), upload_to="reports/logos/", blank=True)
    logo_alt = models.CharField(
        _("text alternative of the logo"),
        max_length=200,
        blank=True,
        help_text=_("What the logo says, for those who cannot see it, e.g. “Ystads kommun”."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self):
        return str(self.municipality)

    def clean(self):
        if self.logo and not self.logo_alt.strip():
            raise ValidationError({"logo_alt": _("Give the logo a text alternative.")})
