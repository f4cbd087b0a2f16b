"""A unit's quality report for a school year (DOMAIN.md, "Quality reports").

Its structure is copied from the administration's template for the unit's school form, or
from the unit's report of the year before, when the report is started; after that the report
keeps its own sections, so later changes to the template do not rewrite it. The rektor writes
each section and marks it done; förvaltningsledning approves the submitted report or returns
it with comments. An approved report is locked: the services refuse every change to it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ska.fields import SchoolYearField
from ska.models import Unit
from ska.models.base import RecordModel

from .templates import DataPart, ReportTemplate


class UnitReport(RecordModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned with comments")
        APPROVED = "approved", _("Approved")

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="quality_reports", verbose_name=_("unit"))
    school_year = SchoolYearField(_("school year"), db_index=True)
    template = models.ForeignKey(
        ReportTemplate, models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name=_("template")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("submitted by")
    )
    decided_at = models.DateTimeField(_("approved or returned at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("approved or returned by"),
    )
    return_comment = models.TextField(_("comments when returned"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit quality report")
        verbose_name_plural = _("unit quality reports")
        ordering = ["-school_year", "unit__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "school_year"],
                condition=Q(deleted_at__isnull=True),
                name="one_unit_report_per_year",
                violation_error_message=_("The unit already has a quality report for this school year."),
            )
        ]

    def __str__(self):
        return f"{self.unit} {self.school_year}"

    def get_absolute_url(self):
        return reverse("reports:unit_report", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class ReportSection(RecordModel):
    report = models.ForeignKey(UnitReport, models.CASCADE, related_name="sections", verbose_name=_("report"))
    title = models.CharField(_("heading"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    data_part = models.CharField(_("filled from data"), max_length=30, choices=DataPart.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    done = models.BooleanField(_("done"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.title


class SectionImage(RecordModel):
    """An image the rektor adds to a section. It must have a text alternative (PDF/UA)."""

    section = models.ForeignKey(ReportSection, models.CASCADE, related_name="images", verbose_name=_("section"))
    image = models.ImageField(_("image"), upload_to="reports/images/%Y/")
    alt_text = models.CharField(
        _("text alternative"), max_length=500, help_text=_("What the image shows, for those who cannot see it.")
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("section image")
        verbose_name_plural = _("section images")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(alt_text=""), name="section_image_has_alt_text",
                violation_error_message=_("An image must have a text alternative."),
            )
        ]

    def __str__(self):
        return self.alt_text
