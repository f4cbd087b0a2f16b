"""Indicators and their check-ins (*avstämningar*).

An indicator is output data tied to one goal: how it measures, where the data comes from,
the current state (*nuläge*) and the desired state (*önskat läge*), and any number of
check-ins along the way (DOMAIN.md, "Indicator").
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import RecordModel
from .goals import Goal
from .organisation import SchoolForm


class Indicator(RecordModel):
    class Source(models.TextChoices):
        EXISTING = "existing", _("Existing data")
        SURVEY = "survey", _("Survey")
        NEW = "new", _("New instrument")
        KOLADA = "kolada", _("Kolada")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    goal = models.ForeignKey(Goal, models.PROTECT, related_name="indicators", verbose_name=_("goal"))
    title = models.CharField(_("indicator"), max_length=300)
    measures = models.TextField(_("how it measures"), blank=True)
    source_kind = models.CharField(_("data source"), max_length=10, choices=Source.choices, default=Source.EXISTING)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("For example the pupil survey, grades in Skolverket's statistics, or the new instrument used."),
    )
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40, blank=True, help_text=_("For example %, points or number."))
    direction = models.CharField(_("desired direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    baseline_value = models.DecimalField(_("current state (value)"), max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(_("current state measured on"), null=True, blank=True)
    baseline_comment = models.TextField(_("comment on the current state"), blank=True)
    target_value = models.DecimalField(_("desired state (value)"), max_digits=12, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(_("desired state by"), null=True, blank=True)
    # The group the current state was measured on: a baseline from a small group is shown as
    # ".." like any check-in (ska.suppression).
    baseline_group_size = models.PositiveIntegerField(_("current state: group size"), null=True, blank=True)
    # An administration-wide indicator is defined once on an administration-wide goal and
    # measured by every unit it applies to: each unit's goal under it gets a copy of its own
    # (``definition``), with the definition's wording and source and the unit's own current
    # and desired state. ``school_forms`` narrows it down within the goal's school forms.
    administration_wide = models.BooleanField(
        _("every unit measures it"),
        default=False,
        help_text=_("An administration-wide indicator: each unit under the goal gets it, with its own current and desired state."),
    )
    school_forms = models.ManyToManyField(
        SchoolForm,
        blank=True,
        related_name="indicators",
        verbose_name=_("applies to school forms"),
        help_text=_("None chosen: every school form the goal applies to."),
    )
    definition = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="unit_indicators",
        verbose_name=_("administration-wide indicator"),
    )
    continued_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="continuations", verbose_name=_("continues")
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    history = HistoricalRecords(m2m_fields=[school_forms])

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_date__isnull=True) | Q(target_date__isnull=True) | Q(target_date__gte=models.F("baseline_date")),
                name="indicator_target_after_baseline",
                violation_error_message=_("The desired state must be dated on or after the current state."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_unit_copy(self) -> bool:
        """A unit's copy of an administration-wide indicator: its wording comes from above."""
        return self.definition_id is not None

    @property
    def has_baseline_and_target(self) -> bool:
        return self.baseline_value is not None and self.target_value is not None

    def progress(self, latest: Decimal | None) -> float | None:
        """How far ``latest`` has come from the baseline towards the target, 0–1 (may exceed
        either end); None when there is nothing to measure against."""
        if latest is None or not self.has_baseline_and_target or self.target_value == self.baseline_value:
            return None
        return float((latest - self.baseline_value) / (self.target_value - self.baseline_value))


class CheckIn(RecordModel):
    class Origin(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        IMPORT = "import", _("Imported from Excel")
        KOLADA = "kolada", _("Fetched from Kolada")

    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="check_ins", verbose_name=_("indicator"))
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    group_size = models.PositiveIntegerField(_("group size"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    origin = models.CharField(_("how it was entered"), max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    # For values fetched from an outside source (Kolada): when they were fetched. Such a
    # check-in is kept by the source, not edited by hand.
    fetched_at = models.DateTimeField(_("fetched"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["indicator", "date"])]

    def __str__(self):
        from ..display import display_value

        return f"{self.indicator}: {display_value(self.value)} ({display_value(self.date)})"

    @property
    def from_kolada(self) -> bool:
        return self.origin == self.Origin.KOLADA

    @property
    def kept_by_source(self) -> bool:
        """Fetched for an indicator that is still fed from Kolada: only a refresh changes it."""
        return self.from_kolada and hasattr(self.indicator, "kolada")
