"""Indicators fed from Kolada, the municipalities' and regions' open database of key figures.

A ``KoladaSource`` ties an indicator to one key figure for the municipality or for one of
Kolada's organisational units (a school unit). Refreshing it (``ska.kolada.services``) stores
every fetched value as a ``KoladaValue`` (the unit's or municipality's own series and the
reference series: the municipality, a group of similar municipalities, the country), and turns
the own series' published values into check-ins marked with their source. Revised values
replace the old ones; the history tables keep what was there before.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .indicators import Indicator

PENDING_FOR = datetime.timedelta(minutes=10)


class KoladaSource(models.Model):
    class Level(models.TextChoices):
        MUNICIPALITY = "municipality", _("The municipality")
        UNIT = "ou", _("The unit")

    class Gender(models.TextChoices):
        TOTAL = "T", _("Total")
        FEMALE = "K", _("Girls/women")
        MALE = "M", _("Boys/men")

    indicator = models.OneToOneField(
        Indicator, models.CASCADE, related_name="kolada", verbose_name=_("indicator")
    )
    kpi_id = models.CharField(_("key figure"), max_length=12, help_text=_("Kolada's id, e.g. N15505."))
    kpi_title = models.CharField(_("key figure's title"), max_length=400)
    divided_by_gender = models.BooleanField(_("divided by gender"), default=False)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.UNIT)
    municipality_id = models.CharField(_("Kolada's municipality id"), max_length=8)
    municipality_title = models.CharField(_("municipality"), max_length=150, blank=True)
    ou_id = models.CharField(_("Kolada's unit id"), max_length=20, blank=True)
    ou_title = models.CharField(_("Kolada's unit"), max_length=200, blank=True)
    gender = models.CharField(_("values for"), max_length=1, choices=Gender.choices, default=Gender.TOTAL)
    compare_municipality = models.BooleanField(_("compare with the municipality"), default=True)
    group_id = models.CharField(_("group of similar municipalities"), max_length=20, blank=True)
    group_title = models.CharField(_("group's title"), max_length=300, blank=True)
    compare_country = models.BooleanField(_("compare with the whole country"), default=True)
    # When values were last fetched, when a fetch was last tried, and why it failed (empty when
    # the last try succeeded). A page says "could not be reached" when the last try failed.
    fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last tried"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    refresh_requested_at = models.DateTimeField(_("fetch requested"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Kolada source")
        verbose_name_plural = _("Kolada sources")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="municipality") | ~Q(ou_id=""),
                name="kolada_source_unit_level_has_ou",
                violation_error_message=_("Choose Kolada's unit for a figure at unit level."),
            ),
        ]

    def __str__(self):
        return f"{self.kpi_id} {self.entity_title}"

    @property
    def entity_id(self) -> str:
        return self.ou_id if self.level == self.Level.UNIT else self.municipality_id

    @property
    def entity_title(self) -> str:
        return self.ou_title if self.level == self.Level.UNIT else self.municipality_title

    @property
    def unreachable(self) -> bool:
        """Did the latest try to fetch fail (so the values shown may be out of date)?"""
        return bool(self.last_error) and (self.fetched_at is None or self.last_attempt_at > self.fetched_at)

    @property
    def refresh_pending(self) -> bool:
        """Has someone asked for a fetch that has not been tried yet? A request older than
        PENDING_FOR is no longer waited for (its task may never have been sent)."""
        requested = self.refresh_requested_at
        return (
            requested is not None
            and timezone.now() - requested < PENDING_FOR
            and (self.last_attempt_at is None or self.last_attempt_at < requested)
        )

    def reference_series(self):
        """The reference lines the chart draws beside the indicator's own values."""
        from ..kolada.series import reference_series

        return reference_series(self)


class KoladaValue(models.Model):
    """One fetched value of a source: its own series or a reference series, one year, one
    gender. ``value`` is None when Kolada publishes the year as missing or suppressed."""

    class Series(models.TextChoices):
        OWN = "own", _("Own values")
        MUNICIPALITY = "municipality", _("The municipality")
        GROUP = "group", _("Similar municipalities")
        COUNTRY = "country", _("The whole country")

    class State(models.TextChoices):
        PUBLISHED = "published", _("Published")
        MISSING = "missing", _("Missing")
        SUPPRESSED = "suppressed", _("Suppressed")

    source = models.ForeignKey(KoladaSource, models.CASCADE, related_name="values", verbose_name=_("source"))
    series = models.CharField(_("series"), max_length=12, choices=Series.choices)
    period = models.PositiveSmallIntegerField(_("year"))
    gender = models.CharField(_("gender"), max_length=1, choices=KoladaSource.Gender.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PUBLISHED)
    status = models.CharField(_("Kolada's status"), max_length=40, blank=True)
    fetched_at = models.DateTimeField(_("fetched"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Kolada value")
        verbose_name_plural = _("Kolada values")
        ordering = ["source", "series", "period", "gender"]
        constraints = [
            models.UniqueConstraint(fields=["source", "series", "period", "gender"], name="kolada_value_unique"),
        ]

    def __str__(self):
        return f"{self.source.kpi_id} {self.series} {self.period} {self.gender}: {self.value}"
