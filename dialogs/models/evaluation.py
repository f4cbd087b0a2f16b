"""The year-end evaluation of the dialogues by everyone who took part, on both sides (Tyresö).

Answers are anonymous: an ``EvaluationInvitation`` records that a person was asked and has
answered; the ``EvaluationResponse`` holds the answers without saying whose they are.
Results are shown per kind and school year only when at least ``MIN_RESPONSES`` answered.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ska.fields import SchoolYearField
from ska.models import Municipality

from .kinds import DialogueKind

MIN_RESPONSES = 3


class EvaluationQuestion(models.Model):
    class Answer(models.TextChoices):
        SCALE = "scale", _("Scale 1–5")
        TEXT = "text", _("Free text")

    municipality = models.ForeignKey(
        Municipality, models.PROTECT, related_name="evaluation_questions", verbose_name=_("municipality")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=DialogueKind.choices, blank=True, help_text=_("Empty: every kind.")
    )
    text = models.CharField(_("question"), max_length=300)
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, default=Answer.SCALE)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation question")
        verbose_name_plural = _("evaluation questions")
        ordering = ["municipality", "position", "pk"]

    def __str__(self):
        return self.text


class EvaluationInvitation(models.Model):
    """That a person is asked to evaluate one kind of dialogue for a school year, and whether
    they have answered (not what)."""

    municipality = models.ForeignKey(Municipality, models.PROTECT, related_name="+", verbose_name=_("municipality"))
    kind = models.CharField(_("kind"), max_length=20, choices=DialogueKind.choices)
    school_year = SchoolYearField(_("school year"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="dialogue_evaluations", verbose_name=_("person")
    )
    side = models.CharField(_("side"), max_length=12, choices=[("host", _("Host")), ("counterpart", _("Counterpart"))])
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation invitation")
        verbose_name_plural = _("evaluation invitations")
        ordering = ["school_year", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "school_year", "user"], name="evaluation_invitation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()} {self.school_year}"


class EvaluationResponse(models.Model):
    """One anonymous set of answers: ``{question id: 1–5 or text}``."""

    municipality = models.ForeignKey(Municipality, models.PROTECT, related_name="+", verbose_name=_("municipality"))
    kind = models.CharField(_("kind"), max_length=20, choices=DialogueKind.choices)
    school_year = SchoolYearField(_("school year"))
    side = models.CharField(_("side"), max_length=12, choices=[("host", _("Host")), ("counterpart", _("Counterpart"))])
    answers = models.JSONField(_("answers"), default=dict)

    class Meta:
        verbose_name = _("evaluation response")
        verbose_name_plural = _("evaluation responses")
        indexes = [models.Index(fields=["municipality", "kind", "school_year"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.school_year}"
