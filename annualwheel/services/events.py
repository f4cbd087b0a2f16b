"""Creating, changing and removing wheels and events; every change keeps history and refuses
to overwrite somebody else's newer save (``ska.services.records``)."""

from __future__ import annotations

from django.db import transaction

from ska.services.records import record_delete, record_restore, record_update

from ..models import Event, Wheel
from .recurrence import sync_occurrences

M2M_FIELDS = ("concerns_school_forms", "concerns_units", "responsible")


def _set_relations(event: Event, relations: dict) -> None:
    for name in M2M_FIELDS:
        if name in relations:
            getattr(event, name).set(relations[name])


def wheel_create(*, values: dict, user) -> Wheel:
    wheel = Wheel(**values)
    wheel._history_user = user
    wheel.full_clean()
    wheel.save()
    return wheel


def event_create(*, wheel: Wheel, values: dict, relations: dict | None = None, user) -> Event:
    """A new event on ``wheel`` with its occurrences."""
    with transaction.atomic():
        event = Event(wheel=wheel, **values)
        event._history_user = user
        event.full_clean(exclude=["wheel"])
        event.save()
        _set_relations(event, relations or {})
        sync_occurrences(event)
        return event


def event_update(*, event: Event, version: int, values: dict, relations: dict | None = None, user) -> Event:
    """Save changes to an event (``EditConflict`` if somebody saved since ``version``) and
    bring its occurrences in line; occurrences changed by hand stay as they are."""
    with transaction.atomic():
        event = record_update(record=event, version=version, values=values, user=user)
        _set_relations(event, relations or {})
        sync_occurrences(event)
        return event


def event_delete(*, event: Event, user) -> Event:
    return record_delete(record=event, user=user)


def event_restore(*, event: Event, user) -> Event:
    return record_restore(record=event, user=user)
