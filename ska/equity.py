"""Equity (*likvärdighet*) across units: how a shared indicator's latest values spread.

An indicator is shared when units working under the same administration-wide goal measure
with indicators of the same name. The spread is described with the five-number summary and
outliers beyond 1.5 interquartile ranges (Tukey), computed in Python over one query's rows.

Small-number suppression (ska.suppression): a unit whose latest check-in comes from a group
smaller than the municipality's threshold is left out of the spread, and counted, so the page
can say how many units are not shown. Its older values are not used in its place: the spread
compares the units' current positions, and an older value would pass for one.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery

from .models import CheckIn, Goal, Indicator
from .suppression import is_suppressed, threshold_of


@dataclass
class UnitValue:
    unit_id: int
    unit_name: str
    value: Decimal
    from_check_in: bool
    outlier: str = ""  # "low", "high" or ""


@dataclass
class Spread:
    """The units' values and their five-number summary. When every unit's value is suppressed,
    ``values`` is empty and the summary None: only ``suppressed`` says how many there were."""

    values: list[UnitValue]
    minimum: Decimal | None
    lower_quartile: Decimal | None
    median: Decimal | None
    upper_quartile: Decimal | None
    maximum: Decimal | None
    suppressed: int = 0  # units left out because their latest value is from a too small group
    threshold: int = 0

    @property
    def outliers(self) -> list[UnitValue]:
        return [v for v in self.values if v.outlier]


def shared_indicators(admin_goal: Goal) -> list[tuple[str, int]]:
    """Indicator names used under ``admin_goal`` and by how many units, most shared first."""
    return list(
        Indicator.objects.filter(goal__parent=admin_goal, goal__unit__isnull=False)
        .values_list("title")
        .annotate(units=Count("goal__unit", distinct=True))
        .order_by("-units", "title")
    )


def _quartiles(numbers: list[float]) -> tuple[float, float, float]:
    if len(numbers) < 2:
        return numbers[0], numbers[0], numbers[0]
    q1, q2, q3 = statistics.quantiles(numbers, n=4, method="inclusive")
    return q1, q2, q3


def spread(admin_goal: Goal, title: str, *, threshold: int | None = None) -> Spread | None:
    """Each unit's latest value (its latest check-in, else its baseline) of the indicator named
    ``title`` under ``admin_goal``, and how they spread; None if no unit has a value. One query
    (and one for the threshold, unless given or the goal's administration's municipality is
    already loaded)."""
    if threshold is None:
        threshold = threshold_of(admin_goal.administration.municipality)
    latest = CheckIn.objects.filter(indicator=OuterRef("pk")).order_by("-date", "-pk")
    rows = (
        Indicator.objects.filter(goal__parent=admin_goal, goal__unit__isnull=False, title=title)
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_group=Subquery(latest.values("group_size")[:1]),
        )
        .values_list("goal__unit_id", "goal__unit__name", "latest_value", "latest_group", "baseline_value", "baseline_group_size")
        .order_by("goal__unit__name", "pk")
    )
    by_unit: dict[int, UnitValue] = {}
    hidden: set[int] = set()
    for unit_id, name, latest_value, latest_group, baseline, baseline_group in rows:
        if unit_id in by_unit or unit_id in hidden:
            continue
        if latest_value is not None and is_suppressed(latest_group, threshold):
            hidden.add(unit_id)
            continue
        if latest_value is None and baseline is not None and is_suppressed(baseline_group, threshold):
            hidden.add(unit_id)
            continue
        value = latest_value if latest_value is not None else baseline
        if value is not None:
            by_unit[unit_id] = UnitValue(unit_id, name, value, latest_value is not None)
    values = sorted(by_unit.values(), key=lambda v: (v.value, v.unit_name))
    if not values:
        return Spread([], None, None, None, None, None, len(hidden), threshold) if hidden else None
    numbers = [float(v.value) for v in values]
    q1, median, q3 = _quartiles(numbers)
    fence = 1.5 * (q3 - q1)
    for v in values:
        if float(v.value) < q1 - fence:
            v.outlier = "low"
        elif float(v.value) > q3 + fence:
            v.outlier = "high"

    def dec(x: float) -> Decimal:
        return Decimal(str(round(x, 2)))

    return Spread(values, values[0].value, dec(q1), dec(median), dec(q3), values[-1].value, len(hidden), threshold)
