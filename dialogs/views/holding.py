"""Holding a dialogue (the hosts' page: attendance, notes per topic, agreed actions, the
previous dialogue's actions to follow up, held → shared → locked) and reading the notes (both
sides: comments while shared, read only once locked). Owners mark their actions done."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from ska.access import get_dialogue_hostable_or_404, get_visible_or_404
from ska.services.records import EditConflict
from ska.views.conflicts import mark_conflict

from ..forms_holding import (
    ActionForm,
    AttendanceForm,
    CommentForm,
    DoneForm,
    FollowUpForm,
    ParticipantAddForm,
    TopicNoteForm,
)
from ..models import AgreedAction, Dialogue, NoteComment, Participant, TopicNote
from ..services import actions as action_services
from ..services import holding as services
from ..services.holding import HoldingError

DIALOGUES = Dialogue.objects.select_related("round", "unit", "provider", "committee", "slot")


def _is_fragment_request(request) -> bool:
    """htmx asks for the fragment, except when restoring history (then it needs the page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _hostable(request, pk) -> Dialogue:
    return get_dialogue_hostable_or_404(request.user, DIALOGUES, pk=pk)


def _hold_url(dialogue_id: int, anchor: str = "") -> str:
    url = reverse("dialogs:dialogue_hold", args=[dialogue_id])
    return f"{url}#{anchor}" if anchor else url


def _comments_by_topic(dialogue: Dialogue) -> dict:
    comments = defaultdict(list)
    for comment in NoteComment.objects.filter(dialogue=dialogue).select_related("author"):
        comments[comment.topic_note_id].append(comment)
    return comments


def _topic_item(note: TopicNote, *, form=None, comments=(), **extra) -> dict:
    return {"note": note, "form": form or TopicNoteForm(note=note), "comments": comments, **extra}


def _conflict_message(conflict: EditConflict) -> str:
    who = str(conflict.changed_by) if conflict.changed_by else _("someone else")
    when = date_format(localtime(conflict.changed_at), "j F Y H:i") if conflict.changed_at else ""
    return _(
        "%(who)s saved the notes on this topic %(when)s, while you were writing. Your text has not been "
        "saved: it is still in the field. Their text is shown below; combine the two and save again to keep yours."
    ) % {"who": who, "when": when}


# --- The hosts' page -----------------------------------------------------------------
def _hold_context(request, dialogue: Dialogue, *, items: dict | None = None, **forms) -> dict:
    """Everything on the holding page, in a fixed number of queries; ``items`` replaces the
    item of a topic (a bound form with a conflict), ``forms`` the page's other forms."""
    locked = services.is_locked(dialogue)
    notes = services.dialogue_start_notes(dialogue=dialogue, user=request.user)
    comments = _comments_by_topic(dialogue)
    participants = list(dialogue.participants.select_related("user").order_by("side", "name", "pk"))
    previous = services.previous_dialogue(dialogue)
    previous_actions = services.previous_actions(dialogue, previous)
    follow_up_forms = forms.pop("follow_up_forms", {})
    return {
        "dialogue": dialogue,
        "locked": locked,
        "participants": participants,
        "attendance_form": forms.pop("attendance_form", None) or AttendanceForm(participants=participants),
        "participant_form": forms.pop("participant_form", None) or ParticipantAddForm(),
        "topics": [
            (items or {}).get(note.pk) or _topic_item(note, comments=comments.get(note.pk, []))
            for note in notes
        ],
        "general_comments": comments.get(None, []),
        "actions": list(dialogue.actions.select_related("owner").order_by("due_on", "pk")),
        "action_form": forms.pop("action_form", None)
        or ActionForm(owners=action_services.owner_choices(dialogue), prefix="new-action"),
        "previous": previous,
        "previous_items": [
            (action, follow_up_forms.get(action.pk) or FollowUpForm(action=action)) for action in previous_actions
        ],
        "done_next": request.get_full_path(),
    }


@require_GET
def dialogue_hold(request, pk):
    dialogue = _hostable(request, pk)
    return render(request, "dialogs/holding/hold.html", _hold_context(request, dialogue))


@require_POST
@vary_on_headers("HX-Request")
def topic_note_save(request, pk):
    note = get_dialogue_hostable_or_404(
        request.user, TopicNote.objects.select_related("dialogue__round"), pk=pk, dialogue__deleted_at__isnull=True
    )
    dialogue = note.dialogue
    form = TopicNoteForm(request.POST, note=note)
    item = None
    if form.is_valid():
        try:
            saved = services.topic_note_save(
                note=note, version=form.cleaned_data["version"], notes=form.cleaned_data["notes"], user=request.user
            )
        except EditConflict as conflict:
            form.keep_yours_on(conflict.current.version)
            item = _topic_item(
                conflict.current, form=form, conflict=_conflict_message(conflict), theirs=conflict.current.notes
            )
        except HoldingError as error:
            if not _is_fragment_request(request):
                messages.error(request, str(error))
                return redirect(_hold_url(dialogue.pk))
            item = _topic_item(note, form=form, error=str(error))
        else:
            if _is_fragment_request(request):
                item = _topic_item(saved, saved=True)
            else:
                messages.success(request, _("The notes on “%(topic)s” have been saved.") % {"topic": note.topic})
                return redirect(_hold_url(dialogue.pk, f"topic-{note.pk}"))
    else:
        item = _topic_item(note, form=form)
    if _is_fragment_request(request):
        dialogue = get_object_or_404(DIALOGUES, pk=dialogue.pk)
        item["comments"] = _comments_by_topic(dialogue).get(note.pk, [])
        context = {"item": item, "dialogue": dialogue, "locked": services.is_locked(dialogue)}
        return render(request, "dialogs/holding/hold.html#topic", context)
    dialogue = get_object_or_404(DIALOGUES, pk=dialogue.pk)
    item["comments"] = _comments_by_topic(dialogue).get(note.pk, [])
    return render(request, "dialogs/holding/hold.html", _hold_context(request, dialogue, items={note.pk: item}))


@require_POST
def dialogue_attendance(request, pk):
    dialogue = _hostable(request, pk)
    participants = list(dialogue.participants.select_related("user"))
    form = AttendanceForm(request.POST, participants=participants)
    if form.is_valid():
        try:
            services.attendance_set(dialogue=dialogue, attended=form.attended(), user=request.user)
        except HoldingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The attendance has been saved."))
        return redirect(_hold_url(dialogue.pk, "attendance-heading"))
    context = _hold_context(request, dialogue, attendance_form=form)
    return render(request, "dialogs/holding/hold.html", context)


@require_POST
def participant_add(request, pk):
    dialogue = _hostable(request, pk)
    form = ParticipantAddForm(request.POST)
    if form.is_valid():
        try:
            participant = services.participant_add(dialogue=dialogue, user=request.user, **form.cleaned_data)
        except HoldingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(name)s has been added to the participants.") % {"name": participant.name})
        return redirect(_hold_url(dialogue.pk, "attendance-heading"))
    return render(request, "dialogs/holding/hold.html", _hold_context(request, dialogue, participant_form=form))


@require_POST
def participant_remove(request, pk, participant_pk):
    dialogue = _hostable(request, pk)
    participant = get_object_or_404(Participant, pk=participant_pk, dialogue=dialogue)
    try:
        services.participant_remove(participant=participant, user=request.user)
    except HoldingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s has been taken off the participants.") % {"name": participant.name})
    return redirect(_hold_url(dialogue.pk, "attendance-heading"))


@require_POST
def dialogue_mark_held(request, pk):
    dialogue = _hostable(request, pk)
    try:
        services.dialogue_mark_held(dialogue=dialogue, user=request.user)
    except HoldingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The dialogue has been marked as held."))
    return redirect(_hold_url(dialogue.pk))


@require_POST
def notes_share(request, pk):
    dialogue = _hostable(request, pk)
    try:
        services.notes_share(dialogue=dialogue, user=request.user)
    except HoldingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The notes have been shared with %(name)s for comments.") % {"name": dialogue.counterpart_name})
    return redirect(_hold_url(dialogue.pk))


@require_POST
def notes_lock(request, pk):
    dialogue = _hostable(request, pk)
    try:
        services.notes_lock(dialogue=dialogue, user=request.user)
    except HoldingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The notes have been locked. They can no longer be changed."))
    return redirect(_hold_url(dialogue.pk))


# --- Agreed actions ------------------------------------------------------------------
@require_POST
def action_add(request, pk):
    dialogue = _hostable(request, pk)
    form = ActionForm(request.POST, owners=action_services.owner_choices(dialogue), prefix="new-action")
    if form.is_valid():
        try:
            action_services.action_create(dialogue=dialogue, user=request.user, **form.values())
        except HoldingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The action has been added."))
        return redirect(_hold_url(dialogue.pk, "actions-heading"))
    return render(request, "dialogs/holding/hold.html", _hold_context(request, dialogue, action_form=form))


def _hostable_action(request, pk, queryset=None) -> AgreedAction:
    queryset = queryset if queryset is not None else AgreedAction.objects.all()
    return get_dialogue_hostable_or_404(
        request.user, queryset.select_related("dialogue__round", "owner"), pk=pk, dialogue__deleted_at__isnull=True
    )


@require_http_methods(["GET", "POST"])
def action_edit(request, pk):
    action = _hostable_action(request, pk)
    dialogue = action.dialogue
    if services.is_locked(dialogue):
        messages.error(request, _("The notes of this dialogue are locked: nothing in them can be changed."))
        return redirect(_hold_url(dialogue.pk, "actions-heading"))
    form = ActionForm(request.POST or None, instance=action, owners=action_services.owner_choices(dialogue, include=action.owner))
    if request.method == "POST" and form.is_valid():
        try:
            action_services.action_update(
                action=action, version=form.cleaned_data["version"] or 0, values=form.changed_values(), user=request.user
            )
        except EditConflict as conflict:
            mark_conflict(form, conflict)
        except HoldingError as error:
            messages.error(request, str(error))
            return redirect(_hold_url(dialogue.pk, "actions-heading"))
        else:
            messages.success(request, _("The action has been saved."))
            return redirect(_hold_url(dialogue.pk, "actions-heading"))
    return render(request, "dialogs/holding/action_form.html", {"form": form, "action": action, "dialogue": dialogue})


@require_POST
def action_delete(request, pk):
    action = _hostable_action(request, pk)
    try:
        action_services.action_delete(action=action, user=request.user)
    except HoldingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The action “%(what)s” has been removed.") % {"what": action.what[:80]})
    return redirect(_hold_url(action.dialogue_id, "actions-heading"))


@require_POST
def action_follow_up(request, pk, action_pk):
    dialogue = _hostable(request, pk)
    previous = services.previous_dialogue(dialogue)
    if previous is None:
        raise Http404
    action = get_object_or_404(AgreedAction.objects.select_related("owner"), pk=action_pk, dialogue=previous)
    form = FollowUpForm(request.POST, action=action)
    if form.is_valid():
        try:
            action_services.action_follow_up(
                dialogue=dialogue,
                action=action,
                version=form.cleaned_data["version"],
                follow_up=form.cleaned_data["follow_up"],
                done=form.cleaned_data["done"],
                user=request.user,
            )
        except EditConflict as conflict:
            mark_conflict(form, conflict)
            data = form.data.copy()
            data[form.add_prefix("version")] = conflict.current.version
            form.data = data
        except HoldingError as error:
            messages.error(request, str(error))
            return redirect(_hold_url(dialogue.pk, "follow-up-heading"))
        else:
            messages.success(request, _("The follow-up has been saved."))
            return redirect(_hold_url(dialogue.pk, f"follow-up-{action.pk}"))
    context = _hold_context(request, dialogue, follow_up_forms={action.pk: form})
    return render(request, "dialogs/holding/hold.html", context)


@require_POST
def action_done(request, pk):
    """The owner (from the start page) or a host (from the dialogue) marks an action done, or
    not done after all."""
    action = get_object_or_404(
        AgreedAction.objects.select_related("dialogue__round"), pk=pk, dialogue__deleted_at__isnull=True
    )
    if action.owner_id != request.user.pk:
        if not request.user.has_perm("ska.view_dialogue", action.dialogue):
            raise Http404
        if not request.user.has_perm("ska.host_dialogue", action.dialogue):
            raise PermissionDenied
    form = DoneForm(request.POST)
    form.is_valid()
    done = form.cleaned_data.get("done", False)
    action_services.action_set_done(action=action, done=done, user=request.user)
    if done:
        messages.success(request, _("“%(what)s” has been marked as done.") % {"what": action.what[:80]})
    else:
        messages.success(request, _("“%(what)s” is open again.") % {"what": action.what[:80]})
    target = form.cleaned_data.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("start")
    return redirect(target)


# --- The notes, for both sides ---------------------------------------------------------
def _readable(request, pk) -> Dialogue:
    return get_visible_or_404(request.user, DIALOGUES, "ska.read_dialogue_notes", pk=pk)


def _notes_context(request, dialogue: Dialogue, *, bound: dict | None = None) -> dict:
    bound = bound or {}
    shared = dialogue.notes_state == Dialogue.NotesState.SHARED
    comments = _comments_by_topic(dialogue)
    notes = list(dialogue.topic_notes.order_by("position"))
    return {
        "dialogue": dialogue,
        "is_host": request.user.has_perm("ska.host_dialogue", dialogue),
        "can_comment": shared,
        "topics": [
            {
                "note": note,
                "comments": comments.get(note.pk, []),
                "form": bound.get(note.pk) or (CommentForm(note=note) if shared else None),
            }
            for note in notes
        ],
        "general_comments": comments.get(None, []),
        "general_form": bound.get(None) or (CommentForm() if shared else None),
        "participants": list(dialogue.participants.select_related("user").order_by("side", "name", "pk")),
        "actions": list(dialogue.actions.select_related("owner").order_by("due_on", "pk")),
        "previous_actions": services.previous_actions(dialogue),
    }


@require_GET
def dialogue_notes(request, pk):
    dialogue = _readable(request, pk)
    return render(request, "dialogs/holding/notes.html", _notes_context(request, dialogue))


def _comment(request, dialogue: Dialogue, note: TopicNote | None):
    form = CommentForm(request.POST, note=note)
    if form.is_valid():
        try:
            services.note_comment_add(dialogue=dialogue, text=form.cleaned_data["text"], user=request.user, topic_note=note)
        except HoldingError as error:
            messages.error(request, str(error))
            return redirect("dialogs:dialogue_notes", pk=dialogue.pk)
        messages.success(request, _("Your comment has been added."))
        anchor = f"topic-{note.pk}" if note else "general-comments-heading"
        return redirect(f"{reverse('dialogs:dialogue_notes', args=[dialogue.pk])}#{anchor}")
    context = _notes_context(request, dialogue, bound={note.pk if note else None: form})
    return render(request, "dialogs/holding/notes.html", context)


@require_POST
def note_comment_add(request, pk):
    """A comment on the notes as a whole."""
    return _comment(request, _readable(request, pk), None)


@require_POST
def topic_comment_add(request, pk):
    """A comment on one topic's notes."""
    note = get_visible_or_404(
        request.user,
        TopicNote.objects.select_related("dialogue__round", "dialogue__unit", "dialogue__provider", "dialogue__committee", "dialogue__slot"),
        "ska.read_dialogue_notes",
        pk=pk,
        dialogue__deleted_at__isnull=True,
    )
    return _comment(request, note.dialogue, note)
