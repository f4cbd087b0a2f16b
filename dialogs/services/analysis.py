"""A round's analysis (seed 004, *Analysrapport*): what came up across its dialogues, grouped
by agenda topic, the actions agreed, and the administration's own analysis and proposed
actions — the input for the round's analysis report."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from ska.models import User
from ska.services.records import EditConflict, record_update

from ..models import AgreedAction, Round, RoundAnalysis, TopicNote

ANALYSIS_FIELDS = ("summary", "analysis", "proposed_actions")


@dataclass
class TopicGroup:
    topic: str
    notes: list[TopicNote] = field(default_factory=list)  # each with .dialogue loaded


def _dialogue_related():
    return ("dialogue__unit", "dialogue__provider", "dialogue__committee")


def notes_by_topic(round_: Round) -> list[TopicGroup]:
    """Every dialogue's notes, grouped by agenda topic: the round's agenda first, in its
    order, then topics added in single dialogues. One query."""
    notes = (
        TopicNote.objects.filter(dialogue__round=round_, dialogue__deleted_at__isnull=True)
        .exclude(notes="")
        .select_related(*_dialogue_related())
        .order_by("position", "dialogue_id")
    )
    order = {topic.strip().casefold(): i for i, topic in enumerate(round_.agenda_topics or [])}
    groups: dict[str, TopicGroup] = {}
    for note in notes:
        key = note.topic.strip().casefold()
        groups.setdefault(key, TopicGroup(topic=note.topic.strip())).notes.append(note)
    for group in groups.values():
        group.notes.sort(key=lambda n: n.dialogue.counterpart_name.casefold())
    return sorted(groups.values(), key=lambda g: (order.get(g.topic.casefold(), len(order)), g.topic.casefold()))


def round_actions(round_: Round) -> list[AgreedAction]:
    return list(
        AgreedAction.objects.filter(dialogue__round=round_, dialogue__deleted_at__isnull=True)
        .select_related("owner", *_dialogue_related())
        .order_by("due_on", "pk")
    )


def analysis_of(round_: Round) -> RoundAnalysis | None:
    return RoundAnalysis.all_objects.filter(round=round_).first()


def analysis_save(*, round_: Round, version: int | None, values: dict, user: User | None) -> RoundAnalysis:
    """Create the round's analysis, or save changes to it if nobody saved since ``version``
    (``EditConflict`` otherwise, also when someone else created it meanwhile)."""
    values = {k: v for k, v in values.items() if k in ANALYSIS_FIELDS}
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=round_.pk)
        current = RoundAnalysis.all_objects.filter(round=round_).first()
        if current is None:
            analysis = RoundAnalysis(round=round_, **values)
            if user is not None:
                analysis._history_user = user
            analysis.full_clean()
            analysis.save()
            return analysis
        if not version:
            # The form was opened before the analysis existed: somebody else created it.
            raise EditConflict(
                current=current,
                changes=[
                    (RoundAnalysis._meta.get_field(name).verbose_name, value, getattr(current, name))
                    for name, value in values.items()
                    if getattr(current, name) != value
                ],
                **dict(zip(("changed_by", "changed_at"), _latest(current), strict=True)),
            )
        return record_update(record=current, version=version, values=values, user=user)


def _latest(record):
    latest = record.history.order_by("-history_date").first()
    return (latest.history_user, latest.history_date) if latest else (None, None)
