"""What the data parts of a unit report will hold, for the report's page: the goals, the
indicators with their latest values, the activities, the analyses and the development areas of
the unit's chain that school year. A fixed number of queries however large the chain.

Small-number suppression applies as everywhere (``ska.suppression``): a value from a group
smaller than the municipality's threshold is never put in the preview at all; ``suppressed``
says that ".." stands in its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ska.chain_status import ActivityState, GoalState, goal_states
from ska.models import Analysis, DevelopmentArea, Goal
from ska.suppression import footnote, is_suppressed, threshold_of

from ..models import DataPart, UnitReport


@dataclass
class IndicatorRow:
    goal: Goal
    title: str
    unit_of_measure: str
    baseline: Decimal | None
    baseline_suppressed: bool
    target: Decimal | None
    latest: Decimal | None  # None when there is none, or when it is suppressed
    latest_date: object | None
    suppressed: bool
    check_ins: int


@dataclass
class Preview:
    threshold: int
    administration_goals: list[tuple[Goal, list[GoalState]]] = field(default_factory=list)
    local_goals: list[GoalState] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    activities: list[tuple[Goal, ActivityState]] = field(default_factory=list)
    analyses: list[tuple[Goal, Analysis]] = field(default_factory=list)
    development_areas: list[tuple[Goal, DevelopmentArea]] = field(default_factory=list)

    @property
    def suppressed_any(self) -> bool:
        return any(row.suppressed for row in self.indicators)

    @property
    def footnote(self) -> str:
        return footnote(self.threshold)

    def part(self, data_part: str):
        """The items of one data part (for the template)."""
        return {
            DataPart.ADMINISTRATION_GOALS: self.administration_goals,
            DataPart.LOCAL_GOALS: self.local_goals,
            DataPart.INDICATORS: self.indicators,
            DataPart.ACTIVITIES: self.activities,
            DataPart.ANALYSIS: self.analyses,
            DataPart.DEVELOPMENT_AREAS: self.development_areas,
            DataPart.PARTICIPATION: self.analyses,
        }.get(data_part, [])


def _indicator_row(goal: Goal, state, threshold: int) -> IndicatorRow:
    latest = state.latest
    suppressed = latest is not None and is_suppressed(latest.group_size, threshold)
    return IndicatorRow(
        goal=goal,
        title=state.indicator.title,
        unit_of_measure=state.indicator.unit_of_measure,
        baseline=None if state.baseline_suppressed else state.indicator.baseline_value,
        baseline_suppressed=state.baseline_suppressed,
        target=state.indicator.target_value,
        latest=None if latest is None or suppressed else latest.value,
        latest_date=latest.date if latest else None,
        suppressed=suppressed,
        check_ins=len(state.check_ins),
    )


def report_preview(report: UnitReport) -> Preview:
    """The preview of the report's data parts. ``report.unit`` should come with its
    administration and municipality (select_related) to save two queries."""
    unit = report.unit
    municipality = unit.administration.municipality if unit.administration_id else None
    preview = Preview(threshold=threshold_of(municipality))
    states = goal_states(
        Goal.objects.in_force(report.school_year).filter(unit=unit).order_by("level", "sort_order", "title", "pk")
    )
    by_parent: dict[int, list[GoalState]] = {}
    for state in states:
        goal = state.goal
        if goal.level == Goal.Level.LOCAL:
            preview.local_goals.append(state)
        elif goal.parent_id:
            by_parent.setdefault(goal.parent_id, []).append(state)
        preview.indicators.extend(_indicator_row(goal, s, preview.threshold) for s in state.indicators)
        preview.activities.extend((goal, a) for a in state.activities)
        for analysis in state.analyses:
            preview.analyses.append((goal, analysis))
            preview.development_areas.extend((goal, area) for area in analysis.development_areas.all())
    if unit.administration_id:
        administration_goals = Goal.objects.in_force(report.school_year).filter(
            level=Goal.Level.ADMINISTRATION, administration_id=unit.administration_id
        ).order_by("sort_order", "title", "pk")
        preview.administration_goals = [(goal, by_parent.get(goal.pk, [])) for goal in administration_goals]
    return preview
