"""Deadlines from the wheels: which follow-up (or report) deadline has passed for each unit, and
what in the unit's chain was not followed up by then (DOMAIN.md: "its events set deadlines").

A deadline applies to a unit when it is on the unit's own wheel, or on its administration's wheel
and concerns the unit (its units and school forms). A follow-up deadline covers the time since
the deadline before it (or since the school year began): an indicator is overdue when the latest
passed deadline has no check-in after the previous one; a goal is overdue when it has an overdue
indicator or no indicator at all.
A fixed number of queries for any number of units.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Max, Q
from django.utils import timezone

from ska.models import Goal, Indicator, Unit
from ska.schoolyear import SchoolYear

from ..models import EventKind, Occurrence
from .reading import concerned_ids, concerns


@dataclass(frozen=True)
class Window:
    deadline: Occurrence  # the latest passed deadline
    since: datetime.date  # the deadline before it, or the day before the school year's first day

    @property
    def date(self) -> datetime.date:
        return self.deadline.date


def passed_deadlines(units: list[Unit], school_year: SchoolYear, kind=EventKind.FOLLOW_UP_DEADLINE, today=None) -> dict[int, Window]:
    """For each unit with a passed deadline of ``kind`` this school year: the latest one and the
    one before it. Three queries (units need ``school_forms`` prefetched or they cost one each)."""
    today = today or timezone.localdate()
    administrations = {u.administration_id for u in units if u.administration_id}
    occurrences = list(
        Occurrence.objects.filter(
            event__kind=kind,
            event__deleted_at__isnull=True,
            event__wheel__deleted_at__isnull=True,
            event__wheel__school_year=school_year,
            date__lt=today,
        )
        .exclude(status=Occurrence.Status.SKIPPED)
        .filter(Q(event__wheel__administration_id__in=administrations) | Q(event__wheel__unit__in=units))
        .select_related("event__wheel")
        .prefetch_related("event__concerns_units", "event__concerns_school_forms")
        .order_by("date", "pk")
    )
    # What each event concerns, read once rather than once per unit.
    concerned = {o.event.pk: concerned_ids(o.event) for o in occurrences if o.event.wheel.administration_id}
    windows = {}
    for unit in units:
        forms = {f.pk for f in unit.school_forms.all()}
        applicable = [
            o
            for o in occurrences
            if o.event.wheel.unit_id == unit.pk
            or (o.event.wheel.administration_id == unit.administration_id and concerns(concerned[o.event.pk], unit.pk, forms))
        ]
        if applicable:
            latest = applicable[-1]
            earlier = [o.date for o in applicable if o.date < latest.date]
            since = earlier[-1] if earlier else school_year.first_day - datetime.timedelta(days=1)
            windows[unit.pk] = Window(latest, since)
    return windows


@dataclass(frozen=True)
class LateGoal:
    goal_id: int
    title: str
    parent_id: int | None  # the administration-wide goal it works under
    indicators: list[str]  # titles of its overdue indicators; empty: the goal has none


@dataclass
class Overdue:
    window: Window
    goals: list[LateGoal] = field(default_factory=list)


def overdue_follow_ups(units: list[Unit], school_year: SchoolYear, today=None) -> dict[int, Overdue]:
    """What each unit has not followed up by its latest passed follow-up deadline. Five queries."""
    windows = passed_deadlines(units, school_year, EventKind.FOLLOW_UP_DEADLINE, today)
    if not windows:
        return {}
    goals = list(
        Goal.objects.filter(unit_id__in=windows, school_year=school_year).values_list("pk", "unit_id", "title", "parent_id")
    )
    indicators = (
        Indicator.objects.filter(goal_id__in=[g[0] for g in goals])
        .annotate(last=Max("check_ins__date", filter=Q(check_ins__deleted_at__isnull=True)))
        .values_list("goal_id", "title", "last")
    )
    by_goal: dict[int, list] = {}
    for goal_id, title, last in indicators:
        by_goal.setdefault(goal_id, []).append((title, last))
    result = {unit_id: Overdue(window) for unit_id, window in windows.items()}
    for goal_id, unit_id, title, parent_id in goals:
        own = by_goal.get(goal_id, [])
        late = [t for t, last in own if last is None or last <= windows[unit_id].since]
        if late or not own:
            result[unit_id].goals.append(LateGoal(goal_id, title, parent_id, late))
    return {unit_id: overdue for unit_id, overdue in result.items() if overdue.goals}
