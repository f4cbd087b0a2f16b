"""Equity (*likvärdighet*) across units: how a shared indicator's latest values spread.

An indicator is shared when units working under the same administration-wide goal measure
with indicators of the same name. The spread is described with the five-number summary and
outliers beyond 1.5 interquartile ranges (Tukey), computed in Python over one query's rows.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery

from .models import CheckIn, Goal, Indicator


@dataclass
class UnitValue:
    unit_id: int
    unit_name: str
    value: Decimal
    from_check_in: bool
    outlier: str = ""  # "low", "high" or ""


@dataclass
class Spread:
    values: list[UnitValue]
    minimum: Decimal
    lower_quartile: Decimal
    median: Decimal
    upper_quartile: Decimal
    maximum: Decimal

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


def spread(admin_goal: Goal, title: str) -> Spread | None:
    """Each unit's latest value (its latest check-in, else its baseline) of the indicator named
    ``title`` under ``admin_goal``, and how they spread. One query."""
    latest = CheckIn.objects.filter(indicator=OuterRef("pk")).order_by("-date", "-pk")
    rows = (
        Indicator.objects.filter(goal__parent=admin_goal, goal__unit__isnull=False, title=title)
        .annotate(latest_value=Subquery(latest.values("value")[:1]))
        .values_list("goal__unit_id", "goal__unit__name", "latest_value", "baseline_value")
        .order_by("goal__unit__name", "pk")
    )
    by_unit: dict[int, UnitValue] = {}
    for unit_id, name, latest_value, baseline in rows:
        value = latest_value if latest_value is not None else baseline
        if value is not None and unit_id not in by_unit:
            by_unit[unit_id] = UnitValue(unit_id, name, value, latest_value is not None)
    values = sorted(by_unit.values(), key=lambda v: (v.value, v.unit_name))
    if not values:
        return None
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

    return Spread(values, values[0].value, dec(q1), dec(median), dec(q3), values[-1].value)
