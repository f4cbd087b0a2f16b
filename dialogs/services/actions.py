"""The actions agreed at a dialogue: what, who, by when.

- What was agreed (what, who, by when) belongs to the dialogue's record: it can be added,
  changed and removed (softly) until the notes are locked (``holding.locked_for_change``).
- What happens afterwards is not: the owner (or a host) marks an action done at any time,
  and the next dialogue with the same counterpart writes its follow-up, until *that*
  dialogue's notes are locked.
- Open actions appear on their owner's start page (``open_actions_for``).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from ska.access import hosted_rounds, visible_dialogues
from ska.models import RoleAssignment, User
from ska.services.records import record_delete, record_update

from ..models import AgreedAction, Dialogue
from .holding import HoldingError, _history_user, locked_for_change, previous_dialogue


def owner_choices(dialogue: Dialogue, *, include: User | None = None):
    """Who can own an action: the dialogue's participants with an account and the people
    working in the round's administration (its leadership and its units' staff)."""
    administration_id = dialogue.round.administration_id
    staff = RoleAssignment.objects.filter(
        Q(administration_id=administration_id) | Q(unit__administration_id=administration_id)
    ).values("user_id")
    people = Q(dialogue_participations__dialogue_id=dialogue.pk) | Q(pk__in=staff)
    if include is not None:
        people |= Q(pk=include.pk)
    return User.objects.filter(people, is_active=True).distinct().order_by("first_name", "last_name", "username")


def _check_owner(owner: User | None, owner_name: str) -> None:
    if owner is None and not owner_name.strip():
        raise HoldingError(_("Choose who is responsible or write their name."))


def action_create(
    *,
    dialogue: Dialogue,
    what: str,
    user: User,
    owner: User | None = None,
    owner_name: str = "",
    due_on: datetime.date | None = None,
) -> AgreedAction:
    _check_owner(owner, owner_name)
    with transaction.atomic():
        current = locked_for_change(dialogue)
        action = AgreedAction(
            dialogue=current,
            what=what.strip(),
            owner=owner,
            owner_name="" if owner else owner_name.strip(),
            due_on=due_on,
        )
        _history_user(action, user)
        action.full_clean()
        action.save()
        return action


def action_update(*, action: AgreedAction, version: int, values: dict, user: User) -> AgreedAction:
    """Change what was agreed; ``EditConflict`` if someone saved the action in between."""
    values = {k: v for k, v in values.items() if k in ("what", "owner", "owner_name", "due_on")}
    with transaction.atomic():
        locked_for_change(action.dialogue)
        owner = values.get("owner", action.owner)
        owner_name = values.get("owner_name", action.owner_name)
        _check_owner(owner, owner_name)
        if owner is not None and owner_name:
            values["owner_name"] = ""
        return record_update(record=action, version=version, values=values, user=user)


def action_delete(*, action: AgreedAction, user: User) -> AgreedAction:
    with transaction.atomic():
        locked_for_change(action.dialogue)
        return record_delete(record=action, user=user)


def action_set_done(*, action: AgreedAction, done: bool, user: User) -> AgreedAction:
    """Mark an action done (or not done after all). Allowed after the notes are locked: it is
    what happened afterwards, not what was agreed."""
    with transaction.atomic():
        current = AgreedAction.objects.select_for_update().get(pk=action.pk)
        if done == (current.done_at is not None):
            return current
        current.done_at = timezone.now() if done else None
        current.version += 1
        _history_user(current, user)
        current.save(update_fields=["done_at", "version", "updated_at"])
        return current


def action_follow_up(
    *, dialogue: Dialogue, action: AgreedAction, version: int, follow_up: str, done: bool, user: User
) -> AgreedAction:
    """At ``dialogue``, follow up an action of the previous dialogue with the same counterpart:
    a comment and whether it is done. ``EditConflict`` if someone saved the action in between."""
    with transaction.atomic():
        current_dialogue = locked_for_change(dialogue)
        previous = previous_dialogue(current_dialogue)
        if previous is None or action.dialogue_id != previous.pk:
            raise HoldingError(_("That action is not from the previous dialogue with this counterpart."))
        values = {"follow_up": follow_up.strip()}
        if done != (action.done_at is not None):
            values["done_at"] = timezone.now() if done else None
        return record_update(record=action, version=version, values=values, user=user)


def open_actions_for(user: User) -> list[AgreedAction]:
    """The open actions the person owns, soonest due first, each with ``is_host`` (they host
    its dialogue), ``can_read`` (they may read its notes) and ``is_overdue``. One query.

    An action agreed at a dialogue whose notes are still a draft is shown only to an owner who
    hosts it: the counterpart sees it once the notes are shared."""
    if not getattr(user, "is_authenticated", False):
        return []
    hosted = Q(dialogue__round__in=hosted_rounds(user))
    actions = (
        AgreedAction.objects.filter(owner=user, done_at__isnull=True, dialogue__deleted_at__isnull=True)
        .filter(hosted | ~Q(dialogue__notes_state=Dialogue.NotesState.DRAFT))
        .annotate(
            is_host=Case(When(hosted, then=Value(True)), default=Value(False), output_field=BooleanField()),
            can_read=Case(
                When(hosted | Q(dialogue__in=visible_dialogues(user)), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .select_related("dialogue__round", "dialogue__unit", "dialogue__provider", "dialogue__committee")
        .order_by(Case(When(due_on__isnull=True, then=Value(1)), default=Value(0)), "due_on", "pk")
    )
    today = timezone.localdate()
    result = list(actions)
    for action in result:
        action.is_overdue = action.due_on is not None and action.due_on < today
    return result
