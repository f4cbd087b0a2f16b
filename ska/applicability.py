"""Which units a goal or an indicator of the administration applies to, by school form.

An administration-wide goal (and an administration-wide indicator on it) may be limited to
some school forms: "Fler elever i åk 3 läser med flyt" is grundskola's, not the preschools'.
None chosen means every unit. A unit is asked for a goal when it has at least one of the
goal's school forms. Everything here reads the forms of many records in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .models import Goal, Indicator, Unit


def applies(limited_to: Iterable[int], unit_forms: Iterable[int]) -> bool:
    """Does something limited to the school forms ``limited_to`` (empty: none) apply to a unit
    of the forms ``unit_forms``?"""
    limited_to = set(limited_to)
    return not limited_to or bool(limited_to & set(unit_forms))


def goal_forms(goals: Iterable[Goal]) -> dict[int, set[int]]:
    """goal id → ids of the school forms it is limited to (empty: every form). One query."""
    ids = [goal.pk for goal in goals]
    forms: dict[int, set[int]] = {pk: set() for pk in ids}
    for goal_id, form_id in Goal.school_forms.through.objects.filter(goal_id__in=ids).values_list("goal_id", "schoolform_id"):
        forms[goal_id].add(form_id)
    return forms


def indicator_forms(indicators: Iterable[Indicator]) -> dict[int, set[int]]:
    """indicator id → ids of the school forms it is limited to (empty: those of its goal)."""
    ids = [indicator.pk for indicator in indicators]
    forms: dict[int, set[int]] = {pk: set() for pk in ids}
    for indicator_id, form_id in Indicator.school_forms.through.objects.filter(indicator_id__in=ids).values_list(
        "indicator_id", "schoolform_id"
    ):
        forms[indicator_id].add(form_id)
    return forms


def unit_forms(units: Iterable[Unit]) -> dict[int, set[int]]:
    """unit id → its school forms' ids, from ``school_forms`` when prefetched, else one query."""
    units = list(units)
    if all("school_forms" in getattr(unit, "_prefetched_objects_cache", {}) for unit in units):
        return {unit.pk: {form.pk for form in unit.school_forms.all()} for unit in units}
    forms: dict[int, set[int]] = defaultdict(set)
    for unit_id, form_id in Unit.school_forms.through.objects.filter(unit_id__in=[u.pk for u in units]).values_list(
        "unit_id", "schoolform_id"
    ):
        forms[unit_id].add(form_id)
    return {unit.pk: forms[unit.pk] for unit in units}


def units_limited_to(units: QuerySet[Unit], form_ids: Iterable[int]) -> QuerySet[Unit]:
    """The units of a queryset that something limited to ``form_ids`` (empty: none) applies to."""
    form_ids = list(form_ids)
    if not form_ids:
        return units
    return units.filter(pk__in=Unit.school_forms.through.objects.filter(schoolform_id__in=form_ids).values("unit_id"))


def goals_for_unit(goals: QuerySet[Goal], unit: Unit) -> QuerySet[Goal]:
    """The goals of a queryset that apply to ``unit``: limited to none of the school forms, or
    to one of the unit's."""
    return goals.filter(Q(school_forms__isnull=True) | Q(school_forms__in=unit.school_forms.all())).distinct()
