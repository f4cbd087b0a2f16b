"""Deadlines from the wheels: which follow-up (or report) deadline has passed for each unit, and
what in the unit's chain was not followed up by then (DOMAIN.md: "its events set deadlines").

A deadline applies to a unit when it is on the unit's own wheel, or on its administration's wheel
and concerns the unit (its units and school forms). A follow-up deadline says what it asks for
(``FollowUpPart``), and each part is judged by the latest passed deadline that asks for it:

- **check-ins**: an indicator entered by hand is overdue when it has no check-in after the
  deadline before (or since the school year began); a goal without any indicator is overdue
  too. An indicator fed from an outside source (Kolada) is never overdue: it follows its
  source's publishing rhythm, not the wheel's.
- **activity follow-ups**: an ongoing activity is overdue when it has no follow-up after the
  deadline before.
- **analyses**: a goal whose period covers the term the deadline closes (``analysed_term``) is
  overdue without a follow-up and analysis of that term.

Only goals in force count (``Goal.objects.in_force``). A fixed number of queries for any
number of units.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Max, Q
from django.utils import timezone

from ska.models import Activity, Analysis, Goal, Indicator, Unit
from ska.schoolyear import Season, SchoolYear, Term

from ..models import EventKind, FollowUpPart, Occurrence
from .reading import concerned_ids, concerns


@dataclass(frozen=True)
class Window:
    deadline: Occurrence  # the latest passed deadline
    since: datetime.date  # the deadline before it, or the day before the school year's first day

    @property
    def date(self) -> datetime.date:
        return self.deadline.date


def parts_of(occurrence: Occurrence) -> set[str]:
    """What a follow-up deadline asks for; one made before deadlines said so asks for check-ins."""
    return set(occurrence.event.follow_up_parts or [FollowUpPart.CHECK_INS])


def analysed_term(day: datetime.date) -> Term:
    """The term an analysis deadline on ``day`` closes: in the spring, before May, the autumn
    just ended; in May and June the spring term; from July to October the spring before;
    in November and December the autumn term."""
    if day.month <= 4:
        return Term(day.year - 1, Season.HT)
    if day.month <= 10:
        return Term(day.year, Season.VT)
    return Term(day.year, Season.HT)


def _applicable_occurrences(units, school_year, kind, today, *, upcoming=False) -> dict[int, list[Occurrence]]:
    """unit id → the deadlines of ``kind`` of the school year that apply to it, passed ones
    (or, with ``upcoming``, those still ahead), in date order. Three queries."""
    administrations = {u.administration_id for u in units if u.administration_id}
    dates = Q(date__gte=today) if upcoming else Q(date__lt=today)
    occurrences = list(
        Occurrence.objects.filter(
            dates,
            event__kind=kind,
            event__deleted_at__isnull=True,
            event__wheel__deleted_at__isnull=True,
            event__wheel__school_year=school_year,
        )
        .exclude(status=Occurrence.Status.SKIPPED)
        .filter(Q(event__wheel__administration_id__in=administrations) | Q(event__wheel__unit__in=units))
        .select_related("event__wheel")
        .prefetch_related("event__concerns_units", "event__concerns_school_forms")
        .order_by("date", "pk")
    )
    # What each event concerns, read once rather than once per unit.
    concerned = {o.event.pk: concerned_ids(o.event) for o in occurrences if o.event.wheel.administration_id}
    applicable = {}
    for unit in units:
        forms = {f.pk for f in unit.school_forms.all()}
        applicable[unit.pk] = [
            o
            for o in occurrences
            if o.event.wheel.unit_id == unit.pk
            or (o.event.wheel.administration_id == unit.administration_id and concerns(concerned[o.event.pk], unit.pk, forms))
        ]
    return applicable


def _window(occurrences: list[Occurrence], school_year: SchoolYear) -> Window | None:
    if not occurrences:
        return None
    latest = occurrences[-1]
    earlier = [o.date for o in occurrences if o.date < latest.date]
    return Window(latest, earlier[-1] if earlier else school_year.first_day - datetime.timedelta(days=1))


def passed_deadlines(units: list[Unit], school_year: SchoolYear, kind=EventKind.FOLLOW_UP_DEADLINE, today=None) -> dict[int, Window]:
    """For each unit with a passed deadline of ``kind`` this school year: the latest one and the
    one before it. Three queries (units need ``school_forms`` prefetched or they cost one each)."""
    today = today or timezone.localdate()
    windows = {}
    for unit_id, occurrences in _applicable_occurrences(units, school_year, kind, today).items():
        window = _window(occurrences, school_year)
        if window:
            windows[unit_id] = window
    return windows


def part_windows(units: list[Unit], school_year: SchoolYear, today=None) -> dict[int, dict[str, Window]]:
    """unit id → part → the latest passed follow-up deadline asking for that part, and the one
    before it that asked for it too."""
    today = today or timezone.localdate()
    result: dict[int, dict[str, Window]] = {}
    for unit_id, occurrences in _applicable_occurrences(units, school_year, EventKind.FOLLOW_UP_DEADLINE, today).items():
        windows = {}
        for part in FollowUpPart.values:
            window = _window([o for o in occurrences if part in parts_of(o)], school_year)
            if window:
                windows[part] = window
        if windows:
            result[unit_id] = windows
    return result


def next_analysis_deadlines(units: list[Unit], school_year: SchoolYear, today=None) -> dict[int, Occurrence]:
    """unit id → the next follow-up deadline ahead that asks for analyses, if any."""
    today = today or timezone.localdate()
    upcoming = _applicable_occurrences(units, school_year, EventKind.FOLLOW_UP_DEADLINE, today, upcoming=True)
    result = {}
    for unit_id, occurrences in upcoming.items():
        asking = [o for o in occurrences if FollowUpPart.ANALYSES in parts_of(o)]
        if asking:
            result[unit_id] = asking[0]
    return result


@dataclass(frozen=True)
class LateGoal:
    goal_id: int
    title: str
    parent_id: int | None  # the administration-wide goal it works under
    indicators: list[str] = field(default_factory=list)  # titles of its overdue indicators
    no_indicator: bool = False  # check-ins were asked for and the goal has no indicator at all
    activities: list[str] = field(default_factory=list)  # ongoing activities not followed up
    analysis_term: Term | None = None  # the term whose follow-up and analysis is missing


@dataclass
class Missed:
    """What a unit had not done by one passed deadline."""

    window: Window
    goals: list[LateGoal] = field(default_factory=list)


@dataclass
class Overdue:
    missed: list[Missed] = field(default_factory=list)

    @property
    def goals(self) -> list[LateGoal]:
        return [goal for missed in self.missed for goal in missed.goals]

    @property
    def window(self) -> Window:
        """The earliest deadline missed (the one the unit has been late for longest)."""
        return min((m.window for m in self.missed), key=lambda w: w.date)

    def since(self, parent_id: int) -> datetime.date | None:
        """The earliest deadline missed by a goal under the administration-wide goal ``parent_id``."""
        dates = [m.window.date for m in self.missed for g in m.goals if g.parent_id == parent_id]
        return min(dates) if dates else None


def overdue_follow_ups(units: list[Unit], school_year: SchoolYear, today=None) -> dict[int, Overdue]:
    """What each unit has not followed up by the latest passed follow-up deadline of each part.
    Eight queries at most, whatever the number of units."""
    windows = part_windows(units, school_year, today)
    if not windows:
        return {}
    goals = list(
        Goal.objects.in_force(school_year).filter(unit_id__in=windows)
        .values_list("pk", "unit_id", "title", "parent_id", "start_term", "end_term")
    )
    goal_ids = [g[0] for g in goals]
    asked = {part for unit_windows in windows.values() for part in unit_windows}
    indicators: dict[int, list] = {}
    if FollowUpPart.CHECK_INS in asked:
        rows = (
            Indicator.objects.filter(goal_id__in=goal_ids)
            .annotate(last=Max("check_ins__date", filter=Q(check_ins__deleted_at__isnull=True)))
            .values_list("goal_id", "title", "last", "kolada__pk")
        )
        for goal_id, title, last, kolada in rows:
            indicators.setdefault(goal_id, []).append((title, last, kolada is not None))
    activities: dict[int, list] = {}
    if FollowUpPart.ACTIVITY_FOLLOW_UPS in asked:
        rows = (
            Activity.objects.filter(goal_id__in=goal_ids, status=Activity.Status.ONGOING)
            .annotate(last=Max("follow_ups__date", filter=Q(follow_ups__deleted_at__isnull=True)))
            .values_list("goal_id", "title", "last")
        )
        for goal_id, title, last in rows:
            activities.setdefault(goal_id, []).append((title, last))
    analysed: set[tuple[int, Term]] = set()
    if FollowUpPart.ANALYSES in asked:
        analysed = set(Analysis.objects.filter(goal_id__in=goal_ids).values_list("goal_id", "term"))

    result: dict[int, Overdue] = {}
    for goal_id, unit_id, title, parent_id, start_term, end_term in goals:
        unit_windows = windows[unit_id]
        found: dict[Window, dict] = {}
        if window := unit_windows.get(FollowUpPart.CHECK_INS):
            own = indicators.get(goal_id, [])
            late = [t for t, last, fed in own if not fed and (last is None or last <= window.since)]
            if late or not own:
                found.setdefault(window, {}).update(indicators=late, no_indicator=not own)
        if window := unit_windows.get(FollowUpPart.ACTIVITY_FOLLOW_UPS):
            late = [t for t, last in activities.get(goal_id, []) if last is None or last <= window.since]
            if late:
                found.setdefault(window, {}).update(activities=late)
        if window := unit_windows.get(FollowUpPart.ANALYSES):
            term = analysed_term(window.date)
            if start_term <= term <= end_term and (goal_id, term) not in analysed:
                found.setdefault(window, {}).update(analysis_term=term)
        for window, what in found.items():
            overdue = result.setdefault(unit_id, Overdue())
            missed = next((m for m in overdue.missed if m.window == window), None)
            if missed is None:
                missed = Missed(window)
                overdue.missed.append(missed)
            missed.goals.append(LateGoal(goal_id, title, parent_id, **what))
    for overdue in result.values():
        overdue.missed.sort(key=lambda m: m.window.date)
    return result
