"""Demo: a förvaltningens kvalitetsdialog with a grundskola that has been held, with attendance,
notes on each topic, agreed actions, and notes shared and then locked. Idempotent: a dialogue
whose notes are already locked is left as it is."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from ska.models import User

from .models import Dialogue, NoteComment, Participant
from .services import actions as action_services
from .services import holding as services

# Notes for the usual topics of a förvaltning dialogue; other topics get a general note.
NOTES = {
    "resultat": (
        "Rektor presenterade kvalitetsrapporten. Andelen elever i åk 9 med godkänt i alla ämnen har ökat "
        "från 74 till 79 procent, men matematik i åk 6 ligger kvar under målet. Skillnaden mellan flickor "
        "och pojkar i svenska har minskat.\n\nEnheten ser ett samband med att matematiklärarna nu planerar "
        "tillsammans varannan vecka. Skolchefen frågade hur resultaten följs upp för elever med stöd."
    ),
    "självskattning": (
        "Enheten skattar sig på nivå 3 av 4 i undervisningens kvalitet och på nivå 2 i systematisk "
        "uppföljning av extra anpassningar. Förstelärarna beskrev kollegiala observationer i åk 4–6."
    ),
    "trygghet": (
        "Elevrepresentanterna berättade att rastverksamheten upplevs tryggare sedan vuxna finns på "
        "skolgården vid alla raster. Omklädningsrummen vid idrotten upplevs fortfarande otrygga. "
        "Trygghetsenkäten visar 86 procent trygga elever (88 procent förra året)."
    ),
    "utveckling": (
        "Enheten vill fortsätta med läsförståelse i alla ämnen och behöver stöd från förvaltningen "
        "med kompetensutveckling i specialpedagogik. Skolchefen tar med frågan till ledningsgruppen."
    ),
}
GENERAL_NOTE = (
    "Samtalet utgick från enhetens kvalitetsrapport och självskattning. Enheten och förvaltningen "
    "är överens om att fortsätta följa området i nästa dialog."
)
FOLLOW_UP_NOTE = "Åtgärderna från förra dialogen gicks igenom; se uppföljningen av varje åtgärd."

ACTIONS = [
    ("Ta fram en plan för vuxennärvaro i omklädningsrummen vid idrottslektionerna.", 0, 30),
    ("Följa upp matematikresultaten i åk 6 per klass efter höstterminens kartläggning.", 0, 75),
    ("Undersöka möjligheten till gemensam kompetensutveckling i specialpedagogik för enheterna.", 1, 60),
]


def _note_text(topic: str) -> str:
    lowered = topic.casefold()
    for key, text in NOTES.items():
        if key in lowered:
            return text
    if "bedöm" in lowered or "kvalitet" in lowered:
        return NOTES["resultat"]
    if "framåt" in lowered or "prioriter" in lowered or "område" in lowered:
        return NOTES["utveckling"]
    return GENERAL_NOTE


def seed_held_dialogue(
    dialogue: Dialogue,
    hosts: Sequence[User],
    owner_users: Sequence[User],
    *,
    pupil_names: Sequence[str] = ("Elin Berg", "Omar Haddad"),
    held_at: datetime.datetime | None = None,
) -> Dialogue:
    """Hold ``dialogue`` (booked, in the past): attendance for everyone invited plus two pupil
    representatives without an account, notes on every agenda topic, one action per entry in
    ``ACTIONS`` owned in turn by ``owner_users`` (the first is usually the rektor), a comment
    from the counterpart, then the notes shared and locked. Returns the dialogue."""
    dialogue = Dialogue.objects.select_related("round", "slot").get(pk=dialogue.pk)
    if dialogue.notes_state == Dialogue.NotesState.LOCKED:
        return dialogue
    host = hosts[0] if hosts else (owner_users[0] if owner_users else None)
    owners = list(owner_users) or list(hosts)
    with transaction.atomic():
        when = held_at or (dialogue.slot.starts_at if dialogue.slot_id else timezone.now() - datetime.timedelta(days=7))
        dialogue = services.dialogue_mark_held(dialogue=dialogue, user=host, held_at=when)
        for name in pupil_names:
            if not dialogue.participants.filter(user__isnull=True, name=name).exists():
                services.participant_add(
                    dialogue=dialogue, name=name, role="Elevrepresentant", side=Participant.Side.COUNTERPART, user=host
                )
        services.attendance_set(
            dialogue=dialogue, attended={p.pk: True for p in dialogue.participants.all()}, user=host
        )
        for note in services.dialogue_start_notes(dialogue=dialogue, user=host):
            if not note.notes:
                text = FOLLOW_UP_NOTE if note.position == services.FOLLOW_UP_POSITION else _note_text(note.topic)
                services.topic_note_save(note=note, version=note.version, notes=text, user=host)
        if not dialogue.actions.exists():
            for what, owner_index, days in ACTIONS:
                owner = owners[min(owner_index, len(owners) - 1)] if owners else None
                action_services.action_create(
                    dialogue=dialogue,
                    what=what,
                    owner=owner,
                    owner_name="" if owner else "Rektor",
                    due_on=timezone.localdate(when) + datetime.timedelta(days=days),
                    user=host,
                )
        if dialogue.notes_state == Dialogue.NotesState.DRAFT:
            dialogue = services.notes_share(dialogue=dialogue, user=host)
        counterpart = next(
            (p.user for p in dialogue.participants.filter(side=Participant.Side.COUNTERPART, user__isnull=False)),
            None,
        )
        if counterpart is not None and not NoteComment.objects.filter(dialogue=dialogue).exists():
            services.note_comment_add(
                dialogue=dialogue,
                text="Tack för ett bra samtal. Vi vill förtydliga att planen för omklädningsrummen tas fram "
                "tillsammans med elevrådet.",
                user=counterpart,
            )
        return services.notes_lock(dialogue=dialogue, user=host)
