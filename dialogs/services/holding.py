"""Holding a dialogue: attendance, notes per agenda topic, marking it held, sharing the notes
with the counterpart for comments and locking them.

Rules:

- The notes have three states (``Dialogue.notes_state``): *draft* (only the hosts see them),
  *shared* (the counterpart reads them and both sides comment) and *locked* (the record: read
  only). Draft → shared → locked, never back.
- Once locked, nothing of what was recorded at the dialogue can change: attendance,
  participants, notes, comments and the agreed actions (what, who, by when). Every service
  here refuses with ``HoldingError``; the pages only hide the buttons. What happens *after*
  the dialogue is not part of the record: an action's owner still marks it done, and the next
  dialogue with the same counterpart follows it up (``dialogs.services.actions``).
- Notes on a topic carry a ``version``: a save based on an older version is refused with
  ``ska.services.records.EditConflict`` (who saved, when, and their text), so nobody's text is
  silently overwritten when two hosts write at once.
- The agenda of a dialogue is its round's ``agenda_topics``, preceded by a follow-up of the
  actions agreed at the previous dialogue with the same counterpart, if there were any.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ska.models import User
from ska.services.records import EditConflict

from ..models import AgreedAction, Dialogue, NoteComment, Participant, TopicNote

FOLLOW_UP_TOPIC = gettext_lazy("Follow-up of actions from the previous dialogue")
FOLLOW_UP_POSITION = 0  # the agenda's own topics start at 1


class HoldingError(Exception):
    """A change the dialogue's state does not allow; the message is for the person who tried."""


def _history_user(obj, user):
    if user is not None:
        obj._history_user = user
    return obj


def is_locked(dialogue: Dialogue) -> bool:
    return dialogue.notes_state == Dialogue.NotesState.LOCKED


def locked_for_change(dialogue: Dialogue) -> Dialogue:
    """The dialogue's row, locked for this transaction, if its record may still change;
    ``HoldingError`` once the notes are locked (or the dialogue was removed)."""
    current = Dialogue.all_objects.select_for_update(of=("self",)).select_related("round").get(pk=dialogue.pk)
    if current.deleted_at is not None:
        raise HoldingError(_("The dialogue has been removed."))
    if is_locked(current):
        raise HoldingError(_("The notes of this dialogue are locked: nothing in them can be changed."))
    return current


# --- The previous dialogue with the same counterpart ---------------------------------
def _same_counterpart(dialogue: Dialogue) -> Q:
    kind, key = dialogue.counterpart_key
    if kind == "unit":
        return Q(unit_id=key)
    if kind == "provider":
        return Q(provider_id=key)
    if kind == "committee":
        return Q(committee_id=key)
    # A group by role is the same group only within the same administration.
    return Q(role_group__iexact=dialogue.role_group, round__administration_id=dialogue.round.administration_id)


def previous_dialogue(dialogue: Dialogue) -> Dialogue | None:
    """The latest other held dialogue with the same counterpart, in any round (held before
    this one, if this one has been held). One query."""
    earlier = Dialogue.objects.filter(_same_counterpart(dialogue), held_at__isnull=False).exclude(pk=dialogue.pk)
    if dialogue.held_at is not None:
        earlier = earlier.filter(held_at__lt=dialogue.held_at)
    return earlier.select_related("round").order_by("-held_at", "-pk").first()


def previous_actions(dialogue: Dialogue, previous: Dialogue | None = None) -> list[AgreedAction]:
    """The actions agreed at the previous dialogue with the same counterpart, to follow up."""
    previous = previous if previous is not None else previous_dialogue(dialogue)
    if previous is None:
        return []
    return list(previous.actions.select_related("owner").order_by("due_on", "pk"))


# --- Notes per topic ---------------------------------------------------------------
def dialogue_start_notes(*, dialogue: Dialogue, user: User | None = None) -> list[TopicNote]:
    """The dialogue's notes, one per agenda topic, created when holding starts: first the
    follow-up of the previous dialogue's actions (if there were any), then the round's
    topics. Topics added to the round later are added at the end. Safe to call again; does
    nothing once the notes are locked."""
    notes = list(dialogue.topic_notes.select_related("updated_by").order_by("position"))
    if is_locked(dialogue):
        return notes
    have = {n.topic for n in notes}
    wanted = [str(t).strip() for t in dialogue.round.agenda_topics or [] if str(t).strip()]
    missing = [t for t in dict.fromkeys(wanted) if t not in have]
    needs_follow_up = False
    if not notes:
        previous = previous_dialogue(dialogue)
        needs_follow_up = previous is not None and previous.actions.exists()
    if not missing and not needs_follow_up:
        return notes
    with transaction.atomic():
        current = locked_for_change(dialogue)
        notes = list(current.topic_notes.order_by("position"))
        have = {n.topic for n in notes}
        next_position = max([n.position for n in notes] + [FOLLOW_UP_POSITION]) + 1
        new = []
        if not notes and needs_follow_up:
            new.append(TopicNote(dialogue=current, position=FOLLOW_UP_POSITION, topic=str(FOLLOW_UP_TOPIC)))
        for topic in missing:
            if topic not in have:
                new.append(TopicNote(dialogue=current, position=next_position, topic=topic[:300]))
                next_position += 1
        for note in new:
            _history_user(note, user)
            note.updated_by = user
            try:
                with transaction.atomic():
                    note.save()
            except IntegrityError:  # someone else started the notes at the same moment
                pass
    return list(dialogue.topic_notes.select_related("updated_by").order_by("position"))


def topic_note_save(*, note: TopicNote, version: int, notes: str, user: User) -> TopicNote:
    """Save the notes on one topic if nobody has saved them since ``version``; otherwise
    ``EditConflict`` with who saved, when, and their text (``current.notes``)."""
    with transaction.atomic():
        locked_for_change(note.dialogue)
        current = TopicNote.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=note.pk)
        if current.version != version:
            raise EditConflict(
                current=current,
                changed_by=current.updated_by,
                changed_at=current.updated_at,
                changes=[(TopicNote._meta.get_field("notes").verbose_name, notes, current.notes)],
            )
        if current.notes == notes:
            return current
        current.notes = notes
        current.version = version + 1
        current.updated_by = user
        _history_user(current, user)
        current.save()
        return current


# --- Attendance --------------------------------------------------------------------
def attendance_set(*, dialogue: Dialogue, attended: dict[int, bool | None], user: User) -> int:
    """Record who attended: participant id → yes, no or not recorded. Returns how many changed."""
    changed = 0
    with transaction.atomic():
        current = locked_for_change(dialogue)
        for participant in current.participants.filter(pk__in=list(attended)):
            value = attended[participant.pk]
            if participant.attended != value:
                participant.attended = value
                _history_user(participant, user)
                participant.save(update_fields=["attended"])
                changed += 1
    return changed


def participant_add(*, dialogue: Dialogue, name: str, role: str, side: str, user: User, attended: bool | None = True) -> Participant:
    """Someone without an account (a pupil representative, say), by name and role."""
    name = name.strip()
    if not name:
        raise HoldingError(_("Write the person's name."))
    with transaction.atomic():
        current = locked_for_change(dialogue)
        participant = Participant(dialogue=current, name=name, role=role.strip(), side=side, attended=attended)
        _history_user(participant, user)
        participant.full_clean()
        participant.save()
        return participant


def participant_remove(*, participant: Participant, user: User) -> None:
    """Take away a participant added by name (people with an account are invited by the round
    and the booking, and their attendance is recorded instead)."""
    with transaction.atomic():
        locked_for_change(participant.dialogue)
        if participant.user_id is not None:
            raise HoldingError(_("People with an account stay on the list; record that they did not attend instead."))
        _history_user(participant, user)
        participant.delete()


# --- The dialogue's course -----------------------------------------------------------
def dialogue_mark_held(*, dialogue: Dialogue, user: User, held_at: datetime.datetime | None = None) -> Dialogue:
    """Record that the dialogue took place (at the booked time, unless ``held_at`` says when)."""
    with transaction.atomic():
        current = locked_for_change(dialogue)
        if current.held_at is not None:
            return current
        if held_at is None:
            now = timezone.now()
            held_at = current.slot.starts_at if current.slot_id and current.slot.starts_at <= now else now
        current.held_at = held_at
        current.version += 1
        _history_user(current, user)
        current.save(update_fields=["held_at", "version", "updated_at"])
        return current


def notes_share(*, dialogue: Dialogue, user: User) -> Dialogue:
    """Draft → shared: the counterpart may read the notes and both sides comment."""
    with transaction.atomic():
        current = locked_for_change(dialogue)
        if current.notes_state != Dialogue.NotesState.DRAFT:
            raise HoldingError(_("The notes have already been shared."))
        if current.held_at is None:
            raise HoldingError(_("Mark the dialogue as held before sharing its notes."))
        current.notes_state = Dialogue.NotesState.SHARED
        current.notes_shared_at = timezone.now()
        current.version += 1
        _history_user(current, user)
        current.save(update_fields=["notes_state", "notes_shared_at", "version", "updated_at"])
        return current


def notes_lock(*, dialogue: Dialogue, user: User) -> Dialogue:
    """Shared → locked: from now on the notes, the attendance and the agreed actions are the
    record and cannot change."""
    with transaction.atomic():
        current = locked_for_change(dialogue)
        if current.notes_state != Dialogue.NotesState.SHARED:
            raise HoldingError(_("Share the notes with the counterpart before locking them."))
        current.notes_state = Dialogue.NotesState.LOCKED
        current.notes_locked_at = timezone.now()
        current.version += 1
        _history_user(current, user)
        current.save(update_fields=["notes_state", "notes_locked_at", "version", "updated_at"])
        return current


def note_comment_add(*, dialogue: Dialogue, text: str, user: User, topic_note: TopicNote | None = None) -> NoteComment:
    """A comment on the shared notes, on one topic or on the whole; possible only while shared."""
    text = text.strip()
    if not text:
        raise HoldingError(_("Write a comment."))
    with transaction.atomic():
        current = locked_for_change(dialogue)
        if current.notes_state != Dialogue.NotesState.SHARED:
            raise HoldingError(_("Comments can be written only while the notes are shared."))
        if topic_note is not None and topic_note.dialogue_id != current.pk:
            raise HoldingError(_("That topic is not on this dialogue's agenda."))
        return NoteComment.objects.create(dialogue=current, topic_note=topic_note, author=user, text=text)
