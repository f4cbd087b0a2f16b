"""Equity (*likvärdighet*) across units: how a shared indicator's latest values spread.

An indicator is shared when it is an administration-wide indicator (one definition, each unit's
copy of it) or, for indicators the units typed themselves, when units under the same
administration-wide goal use the same title. The spread is described with the five-number
summary and outliers beyond 1.5 interquartile ranges (Tukey), computed in Python over one
query's rows; beside it, how many units are at or past their own desired state, the spread per
school form, and — for a definition — the trend over the school years it has been continued.

Small-number suppression (ska.suppression): a unit whose latest check-in (or, without one, its
current state) comes from a group smaller than the municipality's threshold is left out of the
spread, and counted, so the page can say how many units are not shown. Its older values are not
used in its place: the spread compares the units' current positions, and an older value would
pass for one.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from .models import CheckIn, Goal, Indicator, SchoolForm, Unit
from .suppression import is_suppressed, threshold_of


@dataclass
class UnitValue:
    unit_id: int
    unit_name: str
    value: Decimal
    from_check_in: bool
    outlier: str = ""  # "low", "high" or ""
    at_target: bool | None = None  # at or past the unit's own desired state (None: it has none)


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

    @property
    def with_target(self) -> int:
        return sum(v.at_target is not None for v in self.values)

    @property
    def at_target(self) -> int:
        return sum(bool(v.at_target) for v in self.values)

    @property
    def at_target_percent(self) -> int | None:
        return round(100 * self.at_target / self.with_target) if self.with_target else None


@dataclass
class YearPoint:
    """A definition's spread in one school year, for the trend."""

    school_year: object
    definition_id: int
    spread: Spread | None


@dataclass
class Shared:
    """One shared indicator under an administration-wide goal, as the equity page offers it."""

    key: str  # "d<definition id>" or the title
    title: str
    units: int
    definition: Indicator | None = None


def shared_indicators(admin_goal: Goal) -> list[tuple[str, int]]:
    """Titles of the indicators the units typed themselves under ``admin_goal``, by how many
    units use each, most shared first (administration-wide indicators are in ``shared_choices``)."""
    return list(
        Indicator.objects.filter(goal__parent=admin_goal, goal__unit__isnull=False, definition__isnull=True)
        .values_list("title")
        .annotate(units=Count("goal__unit", distinct=True))
        .order_by("-units", "title")
    )


def shared_choices(admin_goal: Goal) -> list[Shared]:
    """The administration-wide indicators of the goal (with how many units have a copy), then
    the titles the units share. Two queries."""
    definitions = list(
        Indicator.objects.filter(goal=admin_goal, administration_wide=True)
        .annotate(units=Count("unit_indicators__goal__unit", filter=Q(unit_indicators__deleted_at__isnull=True), distinct=True))
        .order_by("sort_order", "title", "pk")
    )
    choices = [Shared(f"d{d.pk}", d.title, d.units, d) for d in definitions]
    return choices + [Shared(title, title, units) for title, units in shared_indicators(admin_goal)]


def _quartiles(numbers: list[float]) -> tuple[float, float, float]:
    if len(numbers) < 2:
        return numbers[0], numbers[0], numbers[0]
    q1, q2, q3 = statistics.quantiles(numbers, n=4, method="inclusive")
    return q1, q2, q3


def _rows(indicators: QuerySet[Indicator]):
    latest = CheckIn.objects.filter(indicator=OuterRef("pk")).order_by("-date", "-pk")
    return (
        indicators.annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_group=Subquery(latest.values("group_size")[:1]),
        )
        .values_list(
            "definition_id", "goal__unit_id", "goal__unit__name", "latest_value", "latest_group", "baseline_value",
            "baseline_group_size", "target_value", "direction",
        )
        .order_by("goal__unit__name", "pk")
    )


def _summarise(values: list[UnitValue], hidden: int, threshold: int) -> Spread | None:
    values = sorted(values, key=lambda v: (v.value, v.unit_name))
    if not values:
        return Spread([], None, None, None, None, None, hidden, threshold) if hidden else None
    numbers = [float(v.value) for v in values]
    q1, median, q3 = _quartiles(numbers)
    fence = 1.5 * (q3 - q1)
    for v in values:
        v.outlier = "low" if float(v.value) < q1 - fence else "high" if float(v.value) > q3 + fence else ""

    def dec(x: float) -> Decimal:
        return Decimal(str(round(x, 2)))

    return Spread(values, values[0].value, dec(q1), dec(median), dec(q3), values[-1].value, hidden, threshold)


def _spreads(grouped_rows, threshold: int) -> dict:
    """Summarise each group of (group, row) pairs: one value per unit and group."""
    values: dict = defaultdict(dict)
    hidden: dict = defaultdict(set)
    for group, row in grouped_rows:
        definition_id, unit_id, name, latest_value, latest_group, baseline, baseline_group, target, direction = row
        if unit_id in values[group] or unit_id in hidden[group]:
            continue
        if latest_value is not None and is_suppressed(latest_group, threshold):
            hidden[group].add(unit_id)
            continue
        if latest_value is None and baseline is not None and is_suppressed(baseline_group, threshold):
            hidden[group].add(unit_id)
            continue
        value = latest_value if latest_value is not None else baseline
        if value is None:
            continue
        at_target = None
        if target is not None:
            at_target = value >= target if direction != Indicator.Direction.LOWER else value <= target
        values[group][unit_id] = UnitValue(unit_id, name, value, latest_value is not None, at_target=at_target)
    return {group: _summarise(list(values[group].values()), len(hidden[group]), threshold) for group in set(values) | set(hidden)}


def _threshold(admin_goal: Goal, threshold: int | None) -> int:
    return threshold if threshold is not None else threshold_of(admin_goal.administration.municipality)


def spread(admin_goal: Goal, title: str, *, threshold: int | None = None) -> Spread | None:
    """Each unit's latest value (its latest check-in, else its baseline) of the indicators the
    units typed with the title ``title`` under ``admin_goal``, and how they spread; None if no
    unit has a value. One query (and one for the threshold, unless given or loaded)."""
    threshold = _threshold(admin_goal, threshold)
    rows = _rows(Indicator.objects.filter(goal__parent=admin_goal, goal__unit__isnull=False, title=title, definition__isnull=True))
    return _spreads(((0, row) for row in rows), threshold).get(0)


def definition_spread(definition: Indicator, *, threshold: int | None = None) -> Spread | None:
    """The spread of an administration-wide indicator's copies across the units. One query."""
    threshold = _threshold(definition.goal, threshold)
    return _spreads(((0, row) for row in _rows(Indicator.objects.filter(definition=definition))), threshold).get(0)


def definition_spreads(definitions: list[Indicator], threshold: int) -> dict[int, Spread | None]:
    """definition id → its spread, for several definitions in one query."""
    if not definitions:
        return {}
    spreads = _spreads(((row[0], row) for row in _rows(Indicator.objects.filter(definition__in=definitions))), threshold)
    return {d.pk: spreads.get(d.pk) for d in definitions}


def by_school_form(definition: Indicator, *, threshold: int | None = None) -> list[tuple[SchoolForm, Spread]]:
    """The definition's spread within each school form of the units that measure it. Two queries."""
    threshold = _threshold(definition.goal, threshold)
    rows = list(_rows(Indicator.objects.filter(definition=definition)))
    forms: dict[int, set[int]] = defaultdict(set)
    for unit_id, form_id in Unit.school_forms.through.objects.filter(unit_id__in={r[1] for r in rows}).values_list(
        "unit_id", "schoolform_id"
    ):
        forms[unit_id].add(form_id)
    spreads = _spreads(((form_id, row) for row in rows for form_id in forms[row[1]]), threshold)
    known = {f.pk: f for f in SchoolForm.objects.filter(pk__in=spreads).order_by("sort_order", "name")}
    return [(known[pk], spreads[pk]) for pk in known if spreads[pk] is not None]


def lineage(definition: Indicator) -> list[Indicator]:
    """The definition in every school year it has been continued, oldest first (a few queries:
    one per year it reaches back or forward, at most ``MAX_YEARS``)."""
    chain = [definition]
    current = definition
    while current.continued_from_id and len(chain) < MAX_YEARS:
        current = Indicator.all_objects.select_related("goal").filter(pk=current.continued_from_id).first()
        if current is None:
            break
        chain.insert(0, current)
    current = definition
    while len(chain) < MAX_YEARS:
        current = Indicator.objects.select_related("goal").filter(continued_from=current).first()
        if current is None:
            break
        chain.append(current)
    return chain


MAX_YEARS = 10


def trend(definition: Indicator, *, threshold: int | None = None) -> list[YearPoint]:
    """The definition's spread in each school year of its lineage, oldest first."""
    threshold = _threshold(definition.goal, threshold)
    years = lineage(definition)
    spreads = definition_spreads(years, threshold)
    return [YearPoint(d.goal.school_year, d.pk, spreads[d.pk]) for d in years]
