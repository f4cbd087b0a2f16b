"""Follow-up and analysis of a goal for a period (*uppföljning och analys*): results, causes,
who took part (Skollagen 4 kap. 4 §), the effect of the activities, the three validity
questions for each indicator, an attainment judgement, and the development areas that seed
next year's goals (DOMAIN.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import TermField
from .base import RecordModel
from .goals import Goal
from .indicators import Indicator


class Participant(models.TextChoices):
    TEACHERS = "teachers", _("Teachers and other staff")
    STUDENT_HEALTH = "student_health", _("Student health")
    PUPILS = "pupils", _("Children and pupils")
    GUARDIANS = "guardians", _("Guardians")


class Attainment(models.IntegerChoices):
    NOT = 1, _("Not attained")
    PARTLY = 2, _("Partly attained")
    LARGELY = 3, _("Largely attained")
    FULLY = 4, _("Attained")


class Analysis(RecordModel):
    goal = models.ForeignKey(Goal, models.PROTECT, related_name="analyses", verbose_name=_("goal"))
    term = TermField(_("term"))
    results = models.TextField(_("results"), blank=True, help_text=_("What the indicators and other data show."))
    causes = models.TextField(_("analysis of causes"), blank=True, help_text=_("Why the results are as they are."))
    participants = models.JSONField(_("took part in the analysis"), default=list, blank=True)
    activity_effect = models.TextField(_("effect of the activities"), blank=True)
    attainment = models.PositiveSmallIntegerField(_("goal attainment"), choices=Attainment.choices, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up and analysis")
        verbose_name_plural = _("follow-ups and analyses")
        ordering = ["term", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "term"], condition=models.Q(deleted_at__isnull=True), name="one_analysis_per_goal_and_term"
            )
        ]

    def __str__(self):
        return f"{self.goal} ({self.term})"

    def get_participants_display(self) -> list[str]:
        labels = dict(Participant.choices)
        return [str(labels[p]) for p in self.participants if p in labels]


class ValidityReview(RecordModel):
    """The three questions asked of every indicator at follow-up (DOMAIN.md)."""

    analysis = models.ForeignKey(Analysis, models.CASCADE, related_name="validity_reviews", verbose_name=_("analysis"))
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="validity_reviews", verbose_name=_("indicator"))
    reliability = models.TextField(_("How reliable is the data the indicator uses?"), blank=True)
    measures_intended = models.TextField(_("Does the indicator measure what it is meant to measure?"), blank=True)
    reflects_reality = models.TextField(_("Does it reflect the real situation?"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("validity review")
        verbose_name_plural = _("validity reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "indicator"], condition=models.Q(deleted_at__isnull=True), name="one_review_per_indicator"
            )
        ]

    @property
    def is_complete(self) -> bool:
        return all([self.reliability.strip(), self.measures_intended.strip(), self.reflects_reality.strip()])


class DevelopmentArea(RecordModel):
    analysis = models.ForeignKey(Analysis, models.CASCADE, related_name="development_areas", verbose_name=_("analysis"))
    title = models.CharField(_("development area"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    goal = models.OneToOneField(
        Goal, models.SET_NULL, null=True, blank=True, related_name="from_development_area", verbose_name=_("became goal")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("development area")
        verbose_name_plural = _("development areas")
        ordering = ["pk"]

    def __str__(self):
        return self.title
