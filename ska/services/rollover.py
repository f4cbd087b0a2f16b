"""Rolling the goal chain over into the next school year, level by level, keeping the red thread.

Förvaltningsledning first decides, for each goal area, committee goal and administration-wide
goal of the year, whether it is continued, closed or replaced (``levels_roll_over``); then each
unit's goals continue under the continued goals above them (``unit_roll_over``). A continued
goal is a new record for the new year (``continued_from`` the old one, which stays as it was):

- its text, origin, curriculum areas, school forms and period (moved into the new year);
- a unit goal hangs from the continuation of its administration-wide goal, never turned local;
  while that goal has not been continued (or was closed) the unit goal cannot continue yet;
- its indicators, each ``continued_from`` the old one, keep their definition, unit of measure and
  Kolada source; an administration-wide indicator continues as a new definition, whose units'
  copies continue the old copies; the target date moves one school year;
- the baseline is the latest value that may be shown: a check-in from a group below the
  municipality's threshold never becomes a visible baseline, and the baseline keeps its group
  size, so a baseline from a small group is itself shown as "..".

Closing at the rollover closes the goal on the last day of its school year (it still counts in
that year); replacing closes it as replaced and continues it under a new title. Running any of
it twice changes nothing more.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import CheckIn, Goal, Indicator, KoladaSource
from ..schoolyear import SchoolYear
from ..suppression import is_suppressed, threshold_for_goal
from . import goal_lifecycle
from .shared_indicators import KOLADA_SETTINGS, WORDING, copies_for_goal

CONTINUE, CLOSE, REPLACE, LEAVE = "continue", "close", "replace", "leave"
LEVELS_ABOVE_UNITS = (Goal.Level.AREA, Goal.Level.COMMITTEE, Goal.Level.ADMINISTRATION)


@dataclass
class Decision:
    action: str = CONTINUE
    outcome: str = ""
    reason: str = ""
    title: str = ""  # a replacement's title
    description: str = ""


@dataclass
class Row:
    """One goal of the year in the rollover's preview."""

    goal: Goal
    continuation: Goal | None  # already continued into the next year
    parent: Goal | None = None  # where a continued unit goal will hang
    blocked: str = ""  # why it cannot continue now
    children: list = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.continuation is not None or self.goal.status == Goal.Status.CLOSED


# --- Continuing one goal ----------------------------------------------------------------------
def next_year_parent(goal: Goal) -> Goal | None:
    """The goal above ``goal`` as it continues in the next school year, if it has been."""
    if goal.parent_id is None:
        return None
    return Goal.objects.filter(continued_from_id=goal.parent_id, school_year=goal.school_year.next()).first()


def _moved(day: datetime.date | None) -> datetime.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def goal_continue(*, goal: Goal, user=None, title: str = "", description: str | None = None) -> Goal:
    """Carry ``goal`` into the next school year (see the module's docstring); an existing
    continuation is returned as it is."""
    school_year = goal.school_year.next()
    existing = Goal.objects.filter(continued_from=goal, school_year=school_year).first()
    if existing:
        return existing
    parent = None
    if goal.parent_id is not None:
        parent = next_year_parent(goal)
        if parent is None and goal.level == Goal.Level.UNIT:
            raise ValidationError(
                _("“%(title)s” cannot continue yet: the administration-wide goal above it has not been continued into %(year)s.")
                % {"title": goal.title, "year": school_year}
            )
    new = Goal(
        level=goal.level,
        parent=parent,
        school_year=school_year,
        continued_from=goal,
        title=title.strip() or goal.title,
        description=goal.description if description is None else description,
        expected_effects=goal.expected_effects,
        origin=goal.origin,
        start_term=max(goal.start_term, school_year.autumn),
        end_term=max(goal.end_term, school_year.spring),
        status=Goal.Status.ACTIVE,
        sort_order=goal.sort_order,
        **{Goal.OWNER_FIELD[Goal.Level(goal.level)]: goal.owner},
    )
    new.full_clean()
    new._history_user = user
    new.save()
    new.curriculum_areas.set(goal.curriculum_areas.all())
    new.school_forms.set(goal.school_forms.all())
    if new.level == Goal.Level.UNIT:
        copies_for_goal(goal=new, user=user)
    for indicator in goal.indicators.order_by("sort_order", "pk"):
        _continue_indicator(indicator, new, user)
    return new


def _latest_shown(indicator: Indicator, threshold: int) -> CheckIn | None:
    shown = [c for c in indicator.check_ins.order_by("date", "pk") if not is_suppressed(c.group_size, threshold)]
    return shown[-1] if shown else None


def _continue_indicator(old: Indicator, goal: Goal, user) -> Indicator:
    threshold = threshold_for_goal(old.goal)
    latest = _latest_shown(old, threshold)
    values = {
        "continued_from": old,
        "target_value": old.target_value,
        "target_date": _moved(old.target_date),
    }
    if latest is not None:
        values.update(
            baseline_value=latest.value,
            baseline_date=latest.date,
            baseline_group_size=latest.group_size,
            baseline_comment=_("Latest value shown in %(year)s.") % {"year": old.goal.school_year},
        )
    else:
        # No value that may be shown: the old baseline, with its group size, so a suppressed
        # baseline stays suppressed.
        values.update(
            baseline_value=old.baseline_value,
            baseline_date=old.baseline_date,
            baseline_group_size=old.baseline_group_size,
            baseline_comment=old.baseline_comment,
        )
    if values["target_date"] and values["baseline_date"] and values["target_date"] < values["baseline_date"]:
        values["target_date"] = None
    if old.definition_id is not None:
        return _continue_copy(old, goal, values, user)
    new = Indicator(goal=goal, sort_order=old.sort_order, administration_wide=old.administration_wide, **values)
    for name in WORDING:
        setattr(new, name, getattr(old, name))
    new.full_clean()
    new._history_user = user
    new.save()
    new.school_forms.set(old.school_forms.all())
    source = KoladaSource.objects.filter(indicator=old).first()
    if source is not None:
        _continue_source(source, new, user)
    return new


def _continue_copy(old: Indicator, goal: Goal, values: dict, user) -> Indicator | None:
    """A unit's copy of an administration-wide indicator: the new year's copy (made for the
    new definition, which continues the old one) takes over the unit's values."""
    copy = Indicator.objects.filter(goal__unit_id=goal.unit_id, definition__continued_from_id=old.definition_id).first()
    if copy is None:
        return None  # the definition was not continued (or no longer applies to the unit)
    for name, value in values.items():
        setattr(copy, name, value)
    copy.version += 1
    copy.full_clean()
    copy._history_user = user
    copy.save()
    return copy


def _continue_source(source: KoladaSource, indicator: Indicator, user) -> None:
    from ..kolada.services import request_refresh

    new = KoladaSource(indicator=indicator, level=source.level, ou_id=source.ou_id, ou_title=source.ou_title,
                       **{name: getattr(source, name) for name in KOLADA_SETTINGS})
    new.full_clean()
    new._history_user = user
    new.save()
    request_refresh(new)


# --- The levels above the units -----------------------------------------------------------
def levels_goals(administration, school_year: SchoolYear) -> list[Goal]:
    """The goal areas, committee goals and administration-wide goals of the year (not drafts)."""
    return list(
        Goal.objects.filter(school_year=school_year)
        .exclude(status=Goal.Status.DRAFT)
        .filter(
            Q(level=Goal.Level.AREA, municipality_id=administration.municipality_id)
            | Q(level=Goal.Level.COMMITTEE, committee_id=administration.committee_id)
            | Q(level=Goal.Level.ADMINISTRATION, administration=administration)
        )
        .select_related("parent")
        .prefetch_related("continuations", "school_forms", "parent__continuations")
        .order_by("sort_order", "title", "pk")
    )


def _continuation(goal: Goal) -> Goal | None:
    return next((g for g in goal.continuations.all() if g.school_year == goal.school_year.next()), None)


def levels_preview(administration, school_year: SchoolYear) -> list[Row]:
    """The year's goals above the units, in level order, each with its continuation if any."""
    goals = levels_goals(administration, school_year)
    order = {level: i for i, level in enumerate(LEVELS_ABOVE_UNITS)}
    goals.sort(key=lambda g: (order[Goal.Level(g.level)], g.sort_order, g.title, g.pk))
    # A continued goal hangs from its goal above as that continues (decided in the same run,
    # level by level): the preview names it by this year's title if it has not continued yet.
    return [
        Row(goal=goal, continuation=_continuation(goal),
            parent=(_continuation(goal.parent) or goal.parent) if goal.parent_id else None)
        for goal in goals
    ]


@transaction.atomic
def levels_roll_over(*, administration, school_year: SchoolYear, decisions: dict[int, Decision], user) -> list[Goal]:
    """Carry out the decisions for the year's goals above the units, level by level, so that a
    goal's parent has been continued before it. Returns the continued goals."""
    continued = []
    for row in levels_preview(administration, school_year):
        decision = decisions.get(row.goal.pk)
        if decision is None or decision.action == LEAVE or row.done:
            continue
        continued += _decide(row.goal, decision, user)
    return continued


def _decide(goal: Goal, decision: Decision, user) -> list[Goal]:
    if decision.action == CONTINUE:
        return [goal_continue(goal=goal, user=user)]
    if decision.action == CLOSE:
        goal_lifecycle.goal_close(goal=goal, version=goal.version, outcome=decision.outcome, reason=decision.reason,
                                  closed_on=goal.school_year.end, user=user)
        return []
    if decision.action == REPLACE:
        if not decision.title.strip():
            raise ValidationError({"title": _("Give the new goal's title.")})
        closed = goal_lifecycle.goal_close(
            goal=goal, version=goal.version, outcome=Goal.Outcome.REPLACED,
            reason=decision.reason or _("Replaced by “%(title)s” in %(year)s.") % {"title": decision.title.strip(),
                                                                                    "year": goal.school_year.next()},
            closed_on=goal.school_year.end, user=user,
        )
        return [goal_continue(goal=closed, user=user, title=decision.title, description=decision.description)]
    raise ValidationError(_("Choose what becomes of the goal."))


# --- A unit's goals ---------------------------------------------------------------------------
def unit_preview(unit, school_year: SchoolYear) -> list[Row]:
    """The unit's goals in force this year, each with where it would continue, or why it cannot."""
    goals = list(
        Goal.objects.in_force(school_year).filter(unit=unit)
        .select_related("parent").prefetch_related("continuations").order_by("level", "sort_order", "title", "pk")
    )
    parents = {
        g.continued_from_id: g
        for g in Goal.objects.filter(continued_from_id__in=[g.parent_id for g in goals if g.parent_id],
                                     school_year=school_year.next())
    }
    rows = []
    for goal in goals:
        row = Row(goal=goal, continuation=_continuation(goal))
        if goal.level == Goal.Level.UNIT:
            row.parent = parents.get(goal.parent_id)
            if row.parent is None:
                row.blocked = (
                    _("“%(title)s” has not been continued into %(year)s: this goal can continue once it has.")
                    % {"title": goal.parent.title, "year": school_year.next()}
                    if goal.parent.status != Goal.Status.CLOSED
                    else _("“%(title)s” ends with %(year)s: close this goal too, or link it to another goal afterwards.")
                    % {"title": goal.parent.title, "year": school_year}
                )
        rows.append(row)
    return rows


@transaction.atomic
def unit_roll_over(*, unit, school_year: SchoolYear, decisions: dict[int, Decision], user) -> list[Goal]:
    """Carry out the decisions for a unit's goals: continued ones under the continued goals above."""
    continued = []
    for row in unit_preview(unit, school_year):
        decision = decisions.get(row.goal.pk)
        if decision is None or decision.action == LEAVE or row.done:
            continue
        if decision.action == CONTINUE and row.blocked:
            raise ValidationError(row.blocked)
        if decision.action == REPLACE:
            raise ValidationError(_("A unit's goal is continued or closed; a new goal is added on its own."))
        continued += _decide(row.goal, decision, user)
    return continued
