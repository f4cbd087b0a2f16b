"""The four kinds of quality dialogue and each municipality's template for them
(DOMAIN.md, "Quality dialogues"; seed 000, seed 001 ch. 6, seed 004)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ska.models import Municipality


class DialogueKind(models.TextChoices):
    COMMITTEE = "committee", _("Committee's quality dialogue")  # huvudmannens: committee ↔ administration
    ADMINISTRATION = "administration", _("Administration's quality dialogue")  # förvaltningens: ↔ each unit
    UNIT = "unit", _("Quality dialogue within the unit")  # på enheten, led by the rektor
    PROVIDER = "provider", _("Quality dialogue with independent providers")  # med fristående


class DialogueTemplate(models.Model):
    """A municipality's own wording of one kind: what a new round starts from. Without a row,
    the built-in defaults (``dialogs.services.templates.DEFAULTS``) apply."""

    municipality = models.ForeignKey(
        Municipality, models.PROTECT, related_name="dialogue_templates", verbose_name=_("municipality")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DialogueKind.choices)
    purpose = models.TextField(_("purpose"), blank=True)
    participant_roles = models.TextField(
        _("participants"), blank=True, help_text=_("Who takes part, one role per line.")
    )
    agenda_topics = models.JSONField(_("agenda"), default=list, blank=True)
    information_letter = models.TextField(_("information letter"), blank=True)
    question_guide = models.JSONField(_("question guide"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dialogue template")
        verbose_name_plural = _("dialogue templates")
        ordering = ["municipality", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind"], name="dialogue_template_unique_kind"),
        ]

    def __str__(self):
        return f"{self.municipality}: {self.get_kind_display()}"
