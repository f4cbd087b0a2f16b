"""The administration's analysis of a round (seed 004): what came up, why, and what it
proposes — the input for the round's analysis report."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ska.models.base import RecordModel

from .rounds import Round


class RoundAnalysis(RecordModel):
    round = models.OneToOneField(Round, models.PROTECT, related_name="analysis", verbose_name=_("round"))
    summary = models.TextField(_("summary"), blank=True)
    analysis = models.TextField(_("analysis"), blank=True)
    proposed_actions = models.TextField(
        _("proposed actions"), blank=True, help_text=_("One action per line.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("round analysis")
        verbose_name_plural = _("round analyses")

    def __str__(self):
        return str(self.round)

    @property
    def proposed_action_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.proposed_actions.splitlines() if line.strip(" -•\t")]
