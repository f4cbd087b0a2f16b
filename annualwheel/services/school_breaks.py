"""School breaks: adding or removing one moves the recurring events of that school year around
it at once (times changed by hand stay as they are)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from ..models import Event, Repeat, SchoolBreak
from .recurrence import sync_occurrences


def _resync(municipality_id: int, school_year) -> None:
    in_municipality = (
        Q(wheel__administration__municipality_id=municipality_id)
        | Q(wheel__committee__municipality_id=municipality_id)
        | Q(wheel__unit__administration__municipality_id=municipality_id)
        | Q(wheel__unit__provider__municipality_id=municipality_id)
    )
    events = (
        Event.objects.filter(in_municipality, wheel__school_year=school_year)
        .exclude(repeat=Repeat.NONE)
        .select_related("wheel__unit__administration", "wheel__unit__provider", "wheel__administration", "wheel__committee")
    )
    for event in events:
        sync_occurrences(event)


def school_break_add(*, school_break: SchoolBreak, user) -> SchoolBreak:
    with transaction.atomic():
        school_break._history_user = user
        school_break.save()
        _resync(school_break.municipality_id, school_break.school_year)
    return school_break


def school_break_remove(*, school_break: SchoolBreak, user) -> None:
    with transaction.atomic():
        school_break._history_user = user
        school_break.delete()
        _resync(school_break.municipality_id, school_break.school_year)
