"""What the start page shows of the quality dialogues: the person's coming dialogues, the ones
they should book a time for, and the evaluations waiting for their answer. Three queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from ska.access import hosted_rounds, visible_dialogues

from ..models import Dialogue, EvaluationInvitation, Round
from .booking import upcoming_for

LIMIT = 10


@dataclass
class DialogueSummary:
    upcoming: list[Dialogue] = field(default_factory=list)
    to_book: list[Dialogue] = field(default_factory=list)
    to_evaluate: list[EvaluationInvitation] = field(default_factory=list)

    def __bool__(self):
        return bool(self.upcoming or self.to_book or self.to_evaluate)


def dialogue_summary(user) -> DialogueSummary:
    to_book = (
        visible_dialogues(user)
        .filter(round__status=Round.Status.OPEN, slot__isnull=True, held_at__isnull=True)
        .exclude(round__in=hosted_rounds(user))
        .select_related("round", "unit", "provider", "committee")
        .order_by("round__ends_on", "pk")[:LIMIT]
    )
    evaluations = EvaluationInvitation.objects.filter(user=user, answered_at__isnull=True).order_by("-school_year", "kind")
    return DialogueSummary(
        upcoming=upcoming_for(user, limit=LIMIT), to_book=list(to_book), to_evaluate=list(evaluations[:LIMIT])
    )
