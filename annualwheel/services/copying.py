"""Next year's wheel: a copy of this year's, each date moved to the same weekday of the same
week number a year later (so a Tuesday in week 35 stays a Tuesday in week 35). The person sees
the proposal first and may adjust each event's first date; the old wheel is not touched."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from ska.schoolyear import SchoolYear

from ..models import Event, Repeat, Wheel
from .closed_days import closed_days
from .events import M2M_FIELDS, event_create


def same_week_next_year(day: datetime.date) -> datetime.date:
    year, week, weekday = day.isocalendar()
    try:
        return datetime.date.fromisocalendar(year + 1, week, weekday)
    except ValueError:  # week 53 does not exist next year
        return datetime.date.fromisocalendar(year + 1, 52, weekday)


@dataclass
class CopyItem:
    event: Event
    start_date: datetime.date
    warning: str = ""
    include: bool = True
    extra: dict = field(default_factory=dict)


def copy_plan(wheel: Wheel) -> list[CopyItem]:
    """The proposal: each live event with its first date moved, and a warning where that date
    falls on a holiday or school break next year."""
    events = list(wheel.events.order_by("start_date", "title", "pk"))
    if not events:
        return []
    proposed = {event.pk: same_week_next_year(event.start_date) for event in events}
    closed = closed_days(wheel.municipality_id, min(proposed.values()), max(proposed.values()))
    return [CopyItem(event, proposed[event.pk], closed.get(proposed[event.pk], "")) for event in events]


def _moved(event: Event, start: datetime.date) -> dict:
    shift = start - same_week_next_year(event.start_date)
    values = {
        name: getattr(event, name)
        for name in (
            "kind",
            "title",
            "description",
            "start_time",
            "end_time",
            "place",
            "concerns_roles",
            "follow_up_parts",
            "responsible_note",
            "repeat",
            "interval",
            "nth",
            "on_closed_day",
        )
    }
    values["start_date"] = start
    values["end_date"] = start + (event.end_date - event.start_date) if event.end_date else None
    values["repeat_until"] = same_week_next_year(event.repeat_until) + shift if event.repeat_until else None
    if event.repeat == Repeat.DATES:
        values["dates"] = [
            (same_week_next_year(datetime.date.fromisoformat(d)) + shift).isoformat() for d in event.dates
        ]
    values["copied_from"] = event
    return values


def copy_wheel(wheel: Wheel, *, name: str, items: list[CopyItem], user) -> Wheel:
    """Create next year's wheel from the adjusted proposal. Safe to run twice: a wheel already
    copied from this one for next year is returned as it is."""
    next_year = SchoolYear(wheel.school_year.start_year + 1)
    with transaction.atomic():
        Wheel.objects.select_for_update().get(pk=wheel.pk)
        existing = wheel.copies.filter(school_year=next_year).first()
        if existing is not None:
            return existing
        copy = Wheel(
            name=name,
            school_year=next_year,
            description=wheel.description,
            administration=wheel.administration,
            committee=wheel.committee,
            unit=wheel.unit,
            copied_from=wheel,
        )
        copy._history_user = user
        copy.save()
        events = Event.objects.filter(pk__in=[i.event.pk for i in items]).prefetch_related(*M2M_FIELDS)
        events = {event.pk: event for event in events}
        for item in items:
            if not item.include:
                continue
            event = events[item.event.pk]
            relations = {name: list(getattr(event, name).all()) for name in M2M_FIELDS}
            event_create(wheel=copy, values=_moved(event, item.start_date), relations=relations, user=user)
        return copy
