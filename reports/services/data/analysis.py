"""The analysis report of a dialogue round (seed 004, *Analysrapport*): summary, what came up
in the dialogues (notes grouped by agenda topic), the administration's analysis, proposed
actions, the actions agreed, and appendices (the information letter, the question guide and
the dialogues held, with dates and participants).

Only notes that have been shared with the counterpart or locked go in: draft notes are the
hosts' working notes. Agreed actions follow the same rule, as they belong to the notes.
People without an account (pupil representatives) are listed by role only, never by name:
a municipality publishes this report.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogs.models import Dialogue, DialogueKind, Participant
from dialogs.services.analysis import analysis_of, notes_by_topic, round_actions
from dialogs.services.templates import template_values
from reports.models import ReportKind
from ska.suppression import threshold_of

from ..progress import NO_PROGRESS
from .common import day
from .header import header

SHARED = (Dialogue.NotesState.SHARED, Dialogue.NotesState.LOCKED)


def gather(*, kind=ReportKind.ANALYSIS, school_year=None, administration=None, unit_report=None, round_=None,
           progress=NO_PROGRESS) -> dict:
    if round_ is None:
        raise ValueError("An analysis report needs a dialogue round.")
    administration = round_.administration
    municipality = round_.municipality
    progress.expect(5)
    progress.say(_("Reading the round's dialogues"))
    doc = header(
        kind=ReportKind.ANALYSIS.value,
        title=_("Analysis report: %(round)s") % {"round": round_.title},
        subtitle=_("%(administration)s · School year %(year)s") % {"administration": administration,
                                                                   "year": round_.school_year},
        school_year=round_.school_year, municipality=municipality, committee=administration.committee,
        administration=administration, threshold=threshold_of(municipality),
    )
    doc["round"] = {
        "id": round_.pk, "title": round_.title, "kind": round_.kind, "kind_label": str(DialogueKind(round_.kind).label),
        "term": str(round_.term), "starts_on": day(round_.starts_on), "ends_on": day(round_.ends_on),
        "purpose": round_.purpose, "participant_roles": _lines(round_.participant_roles),
    }

    dialogues = _dialogues(round_)
    shared_ids = {d.pk for d in dialogues if d.notes_state in SHARED}
    held = [d for d in dialogues if d.held_at is not None]
    progress.step(_("What came up"))
    groups = [
        {
            "topic": group.topic,
            "notes": [
                {"dialogue_id": note.dialogue_id, "counterpart": note.dialogue.counterpart_name, "text": note.notes}
                for note in group.notes
                if note.dialogue_id in shared_ids
            ],
        }
        for group in notes_by_topic(round_)
    ]
    groups = [group for group in groups if group["notes"]]
    for i, group in enumerate(groups, start=1):
        group["id"] = f"topic-{i}"
    progress.step(_("Actions"))
    actions = [
        {
            "what": action.what,
            "counterpart": action.dialogue.counterpart_name,
            "owner": action.owner_label,
            "due_on": day(action.due_on),
            "done": action.done_at is not None,
            "follow_up": action.follow_up,
        }
        for action in round_actions(round_)
        if action.dialogue_id in shared_ids
    ]
    analysis = analysis_of(round_)
    if analysis is not None and analysis.is_deleted:
        analysis = None
    progress.step(_("Analysis"))

    letter, guide = round_.information_letter, list(round_.question_guide or [])
    if not letter.strip() and not guide:
        defaults = template_values(municipality=municipality, kind=round_.kind)
        letter, guide = defaults["information_letter"], list(defaults["question_guide"] or [])

    summary_text = analysis.summary if analysis else ""
    doc["sections"] = [
        {
            "id": "summary",
            "title": _("Summary"),
            "text": summary_text,
            "purpose": round_.purpose,
            "facts": [
                {"label": _("Dialogues in the round"), "value": len(dialogues)},
                {"label": _("Dialogues held"), "value": len(held)},
                {"label": _("Dialogues with shared notes"), "value": len(shared_ids)},
                {"label": _("Agreed actions"), "value": len(actions)},
            ],
            "period": [day(round_.starts_on), day(round_.ends_on)],
        },
        {
            "id": "came-up",
            "title": _("What came up"),
            "children": [{"id": group["id"], "title": group["topic"]} for group in groups],
            "groups": groups,
        },
        {"id": "analysis", "title": _("Analysis"), "text": analysis.analysis if analysis else ""},
        {
            "id": "proposed-actions",
            "title": _("Proposed actions"),
            "items": analysis.proposed_action_list if analysis else [],
        },
        {"id": "agreed-actions", "title": _("Agreed actions"), "actions": actions},
        {
            "id": "appendices",
            "title": _("Appendices"),
            "children": [
                {"id": "information-letter", "title": _("Appendix 1: Information letter")},
                {"id": "question-guide", "title": _("Appendix 2: Question guide")},
                {"id": "dialogues-held", "title": _("Appendix 3: Dialogues held")},
            ],
            "information_letter": letter,
            "question_guide": guide,
            "dialogues": [_dialogue_entry(d) for d in held],
        },
    ]
    progress.step(_("Appendices"))
    doc["sources"] = {
        "round": [round_.pk, round_.version],
        "round_analysis": None if analysis is None else [analysis.pk, analysis.version],
        "dialogues": [[d.pk, d.version, d.notes_state] for d in dialogues],
    }
    doc["tables"] = [
        {
            "id": "came-up",
            "name": _("What came up"),
            "columns": [_("Topic"), _("Dialogue with"), _("Notes")],
            "rows": [[g["topic"], n["counterpart"], n["text"]] for g in groups for n in g["notes"]],
        },
        {
            "id": "agreed-actions",
            "name": _("Agreed actions"),
            "columns": [_("What"), _("With"), _("Who"), _("By when"), _("Done"), _("Follow-up")],
            "rows": [[a["what"], a["counterpart"], a["owner"], a["due_on"], _("Yes") if a["done"] else _("No"),
                      a["follow_up"]] for a in actions],
        },
        {
            "id": "proposed-actions",
            "name": _("Proposed actions"),
            "columns": [_("Proposed action")],
            "rows": [[item] for item in (analysis.proposed_action_list if analysis else [])],
        },
        {
            "id": "dialogues-held",
            "name": _("Dialogues held"),
            "columns": [_("Dialogue with"), _("Held"), _("Participants")],
            "rows": [[d["counterpart"], d["held_on"], "; ".join(d["participants"])] for d in doc["sections"][-1]["dialogues"]],
        },
    ]
    progress.step(_("Tables composed"))
    return doc


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _dialogues(round_) -> list[Dialogue]:
    return list(
        Dialogue.objects.filter(round=round_)
        .select_related("unit", "provider", "committee")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("user").order_by("side", "name", "pk"))
        )
        .order_by("held_at", "pk")
    )


def _dialogue_entry(dialogue: Dialogue) -> dict:
    """A dialogue held: with whom, when, and who took part (attended, or attendance not noted).
    Named people are those with an account (staff, contacts); the others are counted by role."""
    named, unnamed = [], Counter()
    for participant in dialogue.participants.all():
        if participant.attended is False:
            continue
        if participant.user_id:
            role = participant.role or participant.user.title
            named.append(f"{participant.user.get_full_name() or participant.user} ({role})" if role else
                         str(participant.user.get_full_name() or participant.user))
        else:
            unnamed[participant.role or _("Other participant")] += 1
    participants = named + [f"{role} ({count})" for role, count in sorted(unnamed.items())]
    return {
        "id": dialogue.pk,
        "counterpart": dialogue.counterpart_name,
        "held_on": day(timezone.localdate(dialogue.held_at)),
        "participants": participants,
    }
