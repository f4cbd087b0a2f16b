"""Preparing a dialogue: answers to the round's question guide, and the unit's
self-assessment against the quality matrix of its school form (Ystad 6.2)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ska.fields import SchoolYearField
from ska.models import Activity, Goal, Municipality, SchoolForm, Unit
from ska.models.base import RecordModel

from .rounds import Dialogue


class GuideAnswer(models.Model):
    """The counterpart's answer to one question of the round's question guide."""

    dialogue = models.ForeignKey(Dialogue, models.CASCADE, related_name="guide_answers", verbose_name=_("dialogue"))
    position = models.PositiveSmallIntegerField(_("position"))
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("updated by")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer to the question guide")
        verbose_name_plural = _("answers to the question guide")
        ordering = ["dialogue", "position"]
        constraints = [models.UniqueConstraint(fields=["dialogue", "position"], name="guide_answer_unique_position")]

    def __str__(self):
        return self.question


class QualityMatrix(models.Model):
    """A municipality's quality matrix for one school form: areas × levels, with a
    descriptor of what each level looks like in each area."""

    municipality = models.ForeignKey(
        Municipality, models.PROTECT, related_name="quality_matrices", verbose_name=_("municipality")
    )
    school_form = models.ForeignKey(SchoolForm, models.PROTECT, related_name="+", verbose_name=_("school form"))
    name = models.CharField(_("name"), max_length=150)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quality matrix")
        verbose_name_plural = _("quality matrices")
        ordering = ["municipality", "school_form__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "school_form"], name="quality_matrix_unique_form"),
        ]

    def __str__(self):
        return self.name


class MatrixLevel(models.Model):
    matrix = models.ForeignKey(QualityMatrix, models.CASCADE, related_name="levels", verbose_name=_("quality matrix"))
    number = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["matrix", "number"]
        constraints = [models.UniqueConstraint(fields=["matrix", "number"], name="matrix_level_unique_number")]

    def __str__(self):
        return f"{self.number}. {self.name}"


class MatrixArea(models.Model):
    matrix = models.ForeignKey(QualityMatrix, models.CASCADE, related_name="areas", verbose_name=_("quality matrix"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("area"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["matrix", "position", "pk"]

    def __str__(self):
        return self.title


class MatrixDescriptor(models.Model):
    """What level ``level`` looks like in ``area``."""

    area = models.ForeignKey(MatrixArea, models.CASCADE, related_name="descriptors", verbose_name=_("area"))
    level = models.ForeignKey(MatrixLevel, models.CASCADE, related_name="descriptors", verbose_name=_("level"))
    text = models.TextField(_("descriptor"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")
        ordering = ["area", "level__number"]
        constraints = [models.UniqueConstraint(fields=["area", "level"], name="matrix_descriptor_unique_cell")]

    def __str__(self):
        return self.text


class SelfAssessment(RecordModel):
    """A unit's self-assessment for one school form and school year."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="self_assessments", verbose_name=_("unit"))
    school_form = models.ForeignKey(SchoolForm, models.PROTECT, related_name="+", verbose_name=_("school form"))
    school_year = SchoolYearField(_("school year"))
    matrix = models.ForeignKey(QualityMatrix, models.PROTECT, related_name="assessments", verbose_name=_("quality matrix"))
    dialogue = models.ForeignKey(
        Dialogue, models.SET_NULL, null=True, blank=True, related_name="self_assessments", verbose_name=_("dialogue")
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("submitted by")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["unit", "-school_year", "school_form__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "school_form", "school_year"],
                condition=Q(deleted_at__isnull=True),
                name="self_assessment_unique_year",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.school_form} {self.school_year}"


class AreaAssessment(models.Model):
    """The level a unit gives itself in one area, why, and what it turned into."""

    assessment = models.ForeignKey(
        SelfAssessment, models.CASCADE, related_name="areas", verbose_name=_("self-assessment")
    )
    area = models.ForeignKey(MatrixArea, models.PROTECT, related_name="+", verbose_name=_("area"))
    level = models.ForeignKey(
        MatrixLevel, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("level")
    )
    justification = models.TextField(_("justification"), blank=True)
    goal = models.ForeignKey(
        Goal, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("goal created from it")
    )
    activity = models.ForeignKey(
        Activity, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("activity created from it")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment of an area")
        verbose_name_plural = _("assessments of areas")
        ordering = ["assessment", "area__position", "area__pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "area"], name="area_assessment_unique_area")]

    def __str__(self):
        return f"{self.assessment}: {self.area}"
