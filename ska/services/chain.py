"""Workflows of the goal chain that touch several records."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..applicability import applies
from .shared_indicators import copies_for_goal
from ..models import Analysis, DevelopmentArea, Goal
from ..schoolyear import SchoolYear


def _with_user(record, user):
    record._history_user = user
    return record


@transaction.atomic
def goal_create(*, level: str, owner, school_year: SchoolYear, values: dict, parent: Goal | None = None, user=None) -> Goal:
    """Create a goal at ``level``, owned by ``owner`` (municipality, committee, administration
    or unit), hanging from ``parent`` as the chain requires."""
    level = Goal.Level(level)
    expected_parent = Goal.PARENT_LEVEL[level]
    if expected_parent is None and parent is not None:
        raise ValidationError({"parent": _("A goal at this level has no goal above it.")})
    # A unit goal always concretises an administration-wide goal; above that, the link is
    # kept when the level above has been entered.
    if level == Goal.Level.UNIT and parent is None:
        raise ValidationError({"parent": _("Choose the goal on the level above that this goal concretises.")})
    if parent is not None and parent.level != expected_parent:
        raise ValidationError({"parent": _("Choose the goal on the level above that this goal concretises.")})
    if parent is not None and parent.school_year != school_year:
        raise ValidationError({"parent": _("The goal above must be from the same school year.")})
    if level == Goal.Level.UNIT and not applies(parent.school_forms.values_list("pk", flat=True),
                                                owner.school_forms.values_list("pk", flat=True)):
        raise ValidationError({"parent": _("The goal above does not apply to the unit's school forms.")})
    goal = Goal(level=level, school_year=school_year, parent=parent, **{Goal.OWNER_FIELD[level]: owner})
    many = {name: values.pop(name) for name in ("curriculum_areas", "school_forms") if name in values}
    for name, value in values.items():
        setattr(goal, name, value)
    goal.full_clean()
    _with_user(goal, user).save()
    for name, chosen in many.items():
        getattr(goal, name).set(chosen)
    copies_for_goal(goal=goal, user=user)  # the administration-wide indicators of the goal above
    return goal


def _next_year_parent(goal: Goal, school_year: SchoolYear) -> Goal | None:
    """The goal above ``goal`` as it continues in ``school_year``, if it has been carried over."""
    if goal.parent_id is None:
        return None
    return Goal.objects.filter(continued_from_id=goal.parent_id, school_year=school_year).first()


@transaction.atomic
def development_area_to_goal(*, area: DevelopmentArea, user=None) -> Goal:
    """Turn a development area into a draft goal for the next school year, in one step.
    Safe to run twice: the area remembers the goal it became."""
    area = DevelopmentArea.objects.select_for_update().get(pk=area.pk)
    if area.goal_id:
        return area.goal
    analysed: Goal = area.analysis.goal
    school_year = analysed.school_year.next()
    parent = _next_year_parent(analysed, school_year)
    level = Goal.Level(analysed.level)
    if level == Goal.Level.UNIT and parent is None:
        level = Goal.Level.LOCAL
    goal = Goal(
        level=level,
        parent=parent,
        school_year=school_year,
        title=area.title,
        description=area.description,
        origin=Goal.Origin.DEVELOPMENT,
        start_term=school_year.autumn,
        end_term=school_year.spring,
        status=Goal.Status.DRAFT,
        **{Goal.OWNER_FIELD[level]: analysed.owner},
    )
    goal.full_clean()
    _with_user(goal, user).save()
    area.goal = goal
    _with_user(area, user).save()
    return goal


def analysis_for(*, goal: Goal, term) -> Analysis | None:
    return Analysis.objects.filter(goal=goal, term=term).first()
