"""The committee's quality dialogue (Ystad 6.1): three to five topics per school year,
chosen by the committee, and suggested unit visits for its members."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ska.fields import SchoolYearField
from ska.models import Committee, Unit

from .rounds import Dialogue

MIN_TOPICS, MAX_TOPICS = 3, 5


class CommitteeTopic(models.Model):
    committee = models.ForeignKey(Committee, models.PROTECT, related_name="dialogue_topics", verbose_name=_("committee"))
    school_year = SchoolYearField(_("school year"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee's dialogue topic")
        verbose_name_plural = _("committee's dialogue topics")
        ordering = ["committee", "school_year", "position", "pk"]

    def __str__(self):
        return self.title


class VisitSuggestion(models.Model):
    """A unit the committee's members are suggested to visit, with the dialogue it belongs to."""

    dialogue = models.ForeignKey(
        Dialogue, models.CASCADE, related_name="visit_suggestions", verbose_name=_("dialogue")
    )
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    reason = models.CharField(_("why"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("suggested unit visit")
        verbose_name_plural = _("suggested unit visits")
        ordering = ["dialogue", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["dialogue", "unit"], name="visit_suggestion_unique_unit")]

    def __str__(self):
        return str(self.unit)


class CommitteeDialogueTopic(models.Model):
    """Which of the committee's topics a committee dialogue is about. (A nullable
    ``Dialogue.committee_topic`` would say the same; this keeps the rounds model untouched.)"""

    dialogue = models.OneToOneField(
        Dialogue, models.CASCADE, related_name="committee_topic", verbose_name=_("dialogue")
    )
    topic = models.ForeignKey(
        CommitteeTopic, models.CASCADE, related_name="dialogue_links", verbose_name=_("topic")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("topic of a committee dialogue")
        verbose_name_plural = _("topics of committee dialogues")

    def __str__(self):
        return str(self.topic)
