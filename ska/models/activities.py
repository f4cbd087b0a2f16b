"""Activities (*aktiviteter*) on a goal and their follow-ups with process data.

An activity must be able to move one or more of its own goal's indicators; the link is a
model of its own (``ActivityIndicator``) so that rule is checked on every save.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import RecordModel
from .goals import Goal
from .indicators import Indicator
from .organisation import SchoolForm


class Activity(RecordModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")

    goal = models.ForeignKey(Goal, models.PROTECT, related_name="activities", verbose_name=_("goal"))
    title = models.CharField(_("activity"), max_length=300)
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("Why the activity is done."))
    aim = models.TextField(_("aim of the activity"), blank=True, help_text=_("What the activity should lead to."))
    actions = models.TextField(_("actions"), blank=True, help_text=_("What is done, step by step."))
    # The administration's insatser are written per school form (Svenljunga's plan: Syfte / Mål
    # / Åtgärder for förskola, grundskola …); a unit's activity leaves it empty.
    school_form = models.ForeignKey(
        SchoolForm, models.PROTECT, null=True, blank=True, related_name="activities", verbose_name=_("school form")
    )
    owner = models.CharField(_("responsible"), max_length=150, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    indicators = models.ManyToManyField(
        Indicator, through="ActivityIndicator", blank=True, related_name="activities", verbose_name=_("indicators it should move")
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["sort_order", "start", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="activity_ends_after_start",
                violation_error_message=_("The activity must end on or after its start."),
            ),
        ]

    def __str__(self):
        return self.title


class ActivityIndicator(models.Model):
    activity = models.ForeignKey(Activity, models.CASCADE, related_name="indicator_links")
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="activity_links")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("linked indicator")
        verbose_name_plural = _("linked indicators")
        constraints = [models.UniqueConstraint(fields=["activity", "indicator"], name="activity_indicator_unique")]

    def clean(self):
        if self.activity.goal_id != self.indicator.goal_id:
            raise ValidationError(_("An activity can only be linked to indicators of its own goal."))

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)


class ActivityFollowUp(RecordModel):
    class OnTrack(models.TextChoices):
        YES = "yes", _("On track")
        PARTLY = "partly", _("Partly on track")
        NO = "no", _("Not on track")

    activity = models.ForeignKey(Activity, models.PROTECT, related_name="follow_ups", verbose_name=_("activity"))
    date = models.DateField(_("date"))
    process_data = models.TextField(
        _("process data"), help_text=_("What was done and observed: the formative data the follow-up rests on.")
    )
    on_track = models.CharField(_("judgement"), max_length=10, choices=OnTrack.choices)
    comment = models.TextField(_("next step"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity follow-up")
        verbose_name_plural = _("activity follow-ups")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.activity} ({self.date})"
