"""The administration's template for unit reports, one per school form (Ystad 5.1).

A template is a list of sections, each with guidance for the rektor and, where the section
is filled from the goal chain, which part of it. The rektor writes in every section; a data
part is placed under the written text.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ska.models import Administration, SchoolForm
from ska.models.base import RecordModel


class DataPart(models.TextChoices):
    """The parts of a unit report that are filled from the goal chain."""

    ADMINISTRATION_GOALS = "administration_goals", _("Administration-wide goals and the unit's goals under them")
    LOCAL_GOALS = "local_goals", _("The unit's local goals")
    INDICATORS = "indicators", _("Indicators: current state, latest value and desired state")
    ACTIVITIES = "activities", _("Activities carried out and their follow-ups")
    ANALYSIS = "analysis", _("Analysis, goal attainment and validity review")
    DEVELOPMENT_AREAS = "development_areas", _("New development areas")
    PARTICIPATION = "participation", _("Who took part in the follow-up and analysis")


class ReportTemplate(RecordModel):
    administration = models.ForeignKey(
        Administration, models.PROTECT, related_name="report_templates", verbose_name=_("administration")
    )
    school_form = models.ForeignKey(
        SchoolForm, models.PROTECT, related_name="report_templates", verbose_name=_("school form")
    )
    name = models.CharField(_("name"), max_length=150)
    introduction = models.TextField(_("introduction"), blank=True, help_text=_("Shown to the rektor above the sections."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["administration", "school_form__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "school_form"],
                condition=Q(deleted_at__isnull=True),
                name="one_report_template_per_school_form",
                violation_error_message=_("The administration already has a report template for this school form."),
            )
        ]

    def __str__(self):
        return self.name


class TemplateSection(RecordModel):
    template = models.ForeignKey(ReportTemplate, models.CASCADE, related_name="sections", verbose_name=_("template"))
    title = models.CharField(_("heading"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True, help_text=_("What the rektor should write here."))
    data_part = models.CharField(
        _("filled from data"), max_length=30, choices=DataPart.choices, blank=True,
        help_text=_("Leave empty for a section that is only written."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("template section")
        verbose_name_plural = _("template sections")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.title
