"""Administration-wide indicators (*förvaltningsgemensamma indikatorer*): defined once on an
administration-wide goal and measured by every unit they apply to (seed 001 §3.2).

The definition is an indicator of the administration-wide goal with ``administration_wide``
set: its title, how it measures, its source and unit of measure, the desired direction, and the
school forms it applies to (within the goal's). Each unit it applies to gets a copy of its own
on the unit's goal under the administration-wide goal (``Indicator.definition``), with the
definition's wording and the unit's own current and desired state and check-ins. A definition
fed from Kolada gives each unit that has Kolada's unit id the same key figure for the unit.

- ``roll_out`` brings the copies in line with the definition: a unit it applies to that has a
  goal under the administration-wide goal gets a copy; a unit it no longer applies to loses
  its copy (removed softly, restorable from its history); the wording follows the definition.
- ``copies_for_goal`` gives a unit goal the copies it lacks: when it is created, linked to the
  administration-wide goal, or continued into a new school year.
Running either twice changes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from ..applicability import applies, goal_forms, indicator_forms, unit_forms
from ..models import Goal, Indicator, KoladaSource, Unit
from .records import record_delete, record_restore

# The definition's wording, which its copies follow.
WORDING = ("title", "measures", "source_kind", "source", "unit_of_measure", "direction")
# What a unit's copy takes from the definition's Kolada source (its own unit id besides).
KOLADA_SETTINGS = (
    "kpi_id", "kpi_title", "divided_by_gender", "municipality_id", "municipality_title", "gender",
    "compare_municipality", "group_id", "group_title", "compare_country",
)


@dataclass
class RollOut:
    created: int = 0
    removed: int = 0
    updated: int = 0


def definitions_of(admin_goal: Goal):
    return Indicator.objects.filter(goal=admin_goal, administration_wide=True).order_by("sort_order", "title", "pk")


def _applies(definition_forms: set[int], goal_form_ids: set[int], unit_form_ids: set[int]) -> bool:
    return applies(goal_form_ids, unit_form_ids) and applies(definition_forms, unit_form_ids)


def _first_goals(admin_goal: Goal) -> dict[int, Goal]:
    """unit id → the unit's first goal under the administration-wide goal (where a copy goes)."""
    first: dict[int, Goal] = {}
    for goal in (
        Goal.objects.filter(parent=admin_goal, level=Goal.Level.UNIT)
        .exclude(status=Goal.Status.CLOSED)
        .select_related("unit")
        .order_by("sort_order", "pk")
    ):
        first.setdefault(goal.unit_id, goal)
    return first


@transaction.atomic
def roll_out(*, definition: Indicator, user=None) -> RollOut:
    """Bring every unit's copy of ``definition`` in line with it (see the module's docstring)."""
    result = RollOut()
    admin_goal = definition.goal
    first = _first_goals(admin_goal)
    units = list(Unit.objects.filter(pk__in=first).prefetch_related("school_forms"))
    forms_of_unit = unit_forms(units)
    goal_form_ids = goal_forms([admin_goal])[admin_goal.pk]
    definition_form_ids = indicator_forms([definition])[definition.pk]
    copies: dict[int, Indicator] = {}
    for copy in Indicator.all_objects.filter(definition=definition).select_related("goal"):
        copies.setdefault(copy.goal.unit_id, copy)
    for unit in units:
        wanted = definition.deleted_at is None and _applies(definition_form_ids, goal_form_ids, forms_of_unit[unit.pk])
        copy = copies.get(unit.pk)
        if wanted and copy is None:
            _create_copy(definition, first[unit.pk], user)
            result.created += 1
        elif wanted and copy.deleted_at is not None:
            record_restore(record=copy, user=user)
            result.created += 1
        elif not wanted and copy is not None and copy.deleted_at is None:
            record_delete(record=copy, user=user)
            result.removed += 1
    for copy in Indicator.objects.filter(definition=definition):
        if _follow_wording(copy, definition, user):
            result.updated += 1
    return result


@transaction.atomic
def copies_for_goal(*, goal: Goal, user=None) -> int:
    """Give a unit goal under an administration-wide goal the copies of its definitions that the
    unit lacks (and that apply to it). Returns how many were made."""
    if goal.level != Goal.Level.UNIT or goal.parent_id is None or goal.deleted_at is not None:
        return 0
    definitions = list(definitions_of(goal.parent))
    if not definitions:
        return 0
    unit_form_ids = unit_forms([goal.unit])[goal.unit_id]
    goal_form_ids = goal_forms([goal.parent])[goal.parent_id]
    forms_of_definition = indicator_forms(definitions)
    have = set(
        Indicator.objects.filter(definition__in=definitions, goal__unit_id=goal.unit_id).values_list("definition_id", flat=True)
    )
    made = 0
    for definition in definitions:
        if definition.pk not in have and _applies(forms_of_definition[definition.pk], goal_form_ids, unit_form_ids):
            _create_copy(definition, goal, user)
            made += 1
    return made


def _create_copy(definition: Indicator, goal: Goal, user, **values) -> Indicator:
    copy = Indicator(goal=goal, definition=definition, sort_order=definition.sort_order, **values)
    for name in WORDING:
        setattr(copy, name, getattr(definition, name))
    copy.full_clean()
    copy._history_user = user
    copy.save()
    _copy_kolada(definition, copy, goal.unit, user)
    return copy


def _copy_kolada(definition: Indicator, copy: Indicator, unit: Unit, user) -> None:
    """A definition fed from Kolada: the unit's copy gets the same key figure for the unit, when
    the unit's id in Kolada is known (else its values are entered by hand)."""
    from ..kolada.services import request_refresh

    source = KoladaSource.objects.filter(indicator=definition).first()
    if source is None or not unit.kolada_ou_id or KoladaSource.objects.filter(indicator=copy).exists():
        return
    own = KoladaSource(indicator=copy, level=KoladaSource.Level.UNIT, ou_id=unit.kolada_ou_id, ou_title=unit.name,
                       **{name: getattr(source, name) for name in KOLADA_SETTINGS})
    own.full_clean()
    own._history_user = user
    own.save()
    request_refresh(own)


def _follow_wording(copy: Indicator, definition: Indicator, user) -> bool:
    changed = [name for name in WORDING if getattr(copy, name) != getattr(definition, name)]
    if not changed:
        return False
    for name in changed:
        setattr(copy, name, getattr(definition, name))
    copy.version += 1
    copy._history_user = user
    copy.save()
    return True
