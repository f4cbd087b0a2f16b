"""Curriculum coverage: which areas of the curriculum's chapter 2 and which conditions areas a
unit's goals, or an administration's goals, are tagged with, and which are left uncovered
(DOMAIN.md, "The goal chain": goals can be tagged with the curriculum's goal areas and the
conditions). A fixed number of queries however many goals and units.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch

from .chain_status import CURRICULUM_GROUPS
from .models import CurriculumArea, Goal, SchoolForm, Unit


def all_areas():
    """Every curriculum area with its school forms (two queries)."""
    return list(
        CurriculumArea.objects.order_by("kind", "sort_order", "name").prefetch_related(
            Prefetch("school_forms", queryset=SchoolForm.objects.order_by("pk"))
        )
    )


def applies_to(area: CurriculumArea, form_ids: set[int]) -> bool:
    """An area without school forms (the conditions) applies to every unit; the others to the
    units of their school forms."""
    forms = {form.pk for form in area.school_forms.all()}
    return not forms or bool(forms & form_ids)


def goals_with_areas(goals) -> list[Goal]:
    """The goals of a queryset with their curriculum areas (two queries)."""
    return list(goals.prefetch_related(Prefetch("curriculum_areas", queryset=CurriculumArea.objects.order_by("pk"))))


# --- Areas × goals ---------------------------------------------------------------------
@dataclass
class CoverageRow:
    area: CurriculumArea
    cells: list[bool]  # one per goal: is the goal tagged with the area?

    @property
    def count(self) -> int:
        return sum(self.cells)

    @property
    def covered(self) -> bool:
        return any(self.cells)


@dataclass
class CoverageTable:
    heading: str
    rows: list[CoverageRow]

    @property
    def gaps(self) -> list[CurriculumArea]:
        return [row.area for row in self.rows if not row.covered]


def goal_coverage(goals: list[Goal], areas: list[CurriculumArea]) -> list[CoverageTable]:
    """A table per kind of area (curriculum, conditions): each area × each goal."""
    tagged = [{area.pk for area in goal.curriculum_areas.all()} for goal in goals]
    tables = []
    for kind, heading in CURRICULUM_GROUPS:
        rows = [CoverageRow(area, [area.pk in ids for ids in tagged]) for area in areas if area.kind == kind]
        if rows:
            tables.append(CoverageTable(heading, rows))
    return tables


def unit_areas(unit: Unit, goals: list[Goal], areas: list[CurriculumArea]) -> list[CurriculumArea]:
    """The areas that apply to the unit's school forms, and any other area its goals are tagged with."""
    form_ids = {form.pk for form in unit.school_forms.all()}
    tagged = {area.pk for goal in goals for area in goal.curriculum_areas.all()}
    return [area for area in areas if applies_to(area, form_ids) or area.pk in tagged]


# --- The administration's units, as counts ------------------------------------------------
@dataclass
class UnitCountRow:
    area: CurriculumArea
    units: int  # units the area applies to that have at least one goal tagged with it
    applicable: int  # units whose school forms the area applies to
    goals: int  # unit goals tagged with the area
    other_units: int = 0  # units of other school forms that tagged a goal with it all the same

    @property
    def covered(self) -> bool:
        return bool(self.units or self.other_units)

    @property
    def percent(self) -> int | None:
        return round(100 * self.units / self.applicable) if self.applicable else None


@dataclass
class UnitCountTable:
    heading: str
    rows: list[UnitCountRow]

    @property
    def gaps(self) -> list[CurriculumArea]:
        return [row.area for row in self.rows if not row.covered]


def unit_counts(units, school_year, areas: list[CurriculumArea]) -> tuple[int, list[UnitCountTable]]:
    """For each area: how many of ``units`` (a queryset) it applies to, how many of those have a
    goal of ``school_year`` tagged with it (and how many units of other school forms have one all
    the same), and how many such goals there are. Four queries."""
    unit_forms: dict[int, set[int]] = {pk: set() for pk in units.values_list("pk", flat=True)}
    for unit_id, form_id in Unit.school_forms.through.objects.filter(unit_id__in=units.values("pk")).values_list(
        "unit_id", "schoolform_id"
    ):
        unit_forms[unit_id].add(form_id)
    tags = Goal.curriculum_areas.through.objects.filter(
        goal__unit_id__in=units.values("pk"), goal__school_year=school_year, goal__deleted_at__isnull=True
    )
    units_with: dict[int, set[int]] = {}
    for area_id, unit_id in tags.values_list("curriculumarea_id", "goal__unit_id").distinct().order_by():
        units_with.setdefault(area_id, set()).add(unit_id)
    goal_counts = dict(tags.values("curriculumarea_id").annotate(n=Count("goal_id")).order_by().values_list("curriculumarea_id", "n"))
    tables = []
    for kind, heading in CURRICULUM_GROUPS:
        rows = []
        for area in areas:
            if area.kind != kind:
                continue
            area_forms = {form.pk for form in area.school_forms.all()}
            applicable = {pk for pk, forms in unit_forms.items() if not area_forms or area_forms & forms}
            tagged = units_with.get(area.pk, set())
            rows.append(
                UnitCountRow(area, len(tagged & applicable), len(applicable), goal_counts.get(area.pk, 0), len(tagged - applicable))
            )
        if rows:
            tables.append(UnitCountTable(heading, rows))
    return len(unit_forms), tables
