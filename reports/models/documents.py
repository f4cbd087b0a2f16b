"""Generated report documents: the build job and, once built, the archived PDF.

One row is one version of one report. ``key`` names the report (its kind and what it is
about: the unit, the administration, the round, the school year); each build of the same
report gets the next ``version``. The database refuses a second queued or running build of
the same report, so two clicks never build it twice at once.

A build moves queued → running → done (or failed, and may be retried). While it runs the
worker writes its progress and a heartbeat; a build whose heartbeat has stopped (its worker
died) is queued again by the sweeper (``reports.services.jobs.jobs_sweep``). A finished
file is never changed: its SHA-256 checksum proves that what the committee got is what is
still stored, and the data snapshot records what it was built from.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ska.fields import SchoolYearField
from ska.models import Administration, Committee, Municipality, Unit

class ReportKind(models.TextChoices):
    UNIT = "unit", _("Unit quality report")
    OVERALL = "overall", _("Overall quality report")
    FORSKOLA = "forskola", _("Quality report for förskola")
    GRUNDSKOLA = "grundskola", _("Quality report for grundskola")
    ANALYSIS = "analysis", _("Analysis report of a dialogue round")
    PLAN = "plan", _("Plan for systematic quality work")

class ReportDocument(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", pgettext_lazy("report build", "Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    key = models.CharField(_("report"), max_length=120, db_index=True)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    school_year = SchoolYearField(_("school year"), db_index=True)
    municipality = models.ForeignKey(Municipality, models.PROTECT, related_name="+", verbose_name=_("municipality"))
    committee = models.ForeignKey(Committee, models.PROTECT, related_name="+", verbose_name=_("committee"))
    administration = models.ForeignKey(
        Administration, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("administration")
    )
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit"))
    unit_report = models.ForeignKey(
        "reports.UnitReport", models.PROTECT, null=True, blank=True, related_name="documents",
        verbose_name=_("unit quality report"),
    )
    round = models.ForeignKey(
        "dialogs.Round", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("dialogue round")
    )

    # The job
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(_("steps done"), default=0)
    progress_total = models.PositiveIntegerField(_("steps"), default=1)
    progress_label = models.CharField(_("now doing"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # When a queued build's task last could not be sent (the broker was down); cleared once it is.
    send_failed_at = models.DateTimeField(_("could not be sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    # The archived result
    file = models.FileField(_("file"), upload_to="reports/%Y/", blank=True, max_length=300)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    snapshot = models.JSONField(_("data it was built from"), default=dict, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("published by")
    )

    class Meta:
        verbose_name = _("report document")
        verbose_name_plural = _("report documents")
        ordering = ["-school_year", "kind", "key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="report_document_unique_version"),
            # The same report is never built twice at once.
            models.UniqueConstraint(
                fields=["key"], condition=Q(status__in=["queued", "running"]), name="report_document_one_active_build"
            ),
        ]
        indexes = [
            models.Index(fields=["committee", "school_year"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self):
        return reverse("reports:document", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_delayed(self) -> bool:
        """Queued, but its task could not be sent: the build waits for the broker to come back."""
        return self.status == self.Status.QUEUED and self.send_failed_at is not None

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, round(100 * self.progress_done / max(self.progress_total, 1)))
