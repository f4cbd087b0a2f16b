"""A Kolada source's stored values as series: the reference lines of a chart and the table of
values per year. Read from the source's prefetched ``values`` (no queries of their own when
the caller prefetched them, as the chain pages do)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _


def period_date(period: int) -> datetime.date:
    """The date a Kolada year stands for: school figures are per spring term, so 30 June."""
    return datetime.date(period, 6, 30)


@dataclass
class ReferenceSeries:
    key: str  # "municipality" | "group" | "country"
    label: str
    points: list[tuple[datetime.date, Decimal | None]] = field(default_factory=list)


@dataclass
class YearRow:
    """One year of the source: ``cells`` holds a KoladaValue (or None when Kolada has nothing
    for it) per column: the own value (total, then girls and boys where the figure is divided
    by gender), then each reference series in the order given."""

    period: int
    cells: list = field(default_factory=list)


def _values(source):
    return list(source.values.all())


def reference_series(source) -> list[ReferenceSeries]:
    """The municipality (for a unit-level source), the chosen group and the country, in the
    source's chosen gender, in year order. Series with no published value are left out."""
    wanted = []
    if source.compare_municipality and source.level == source.Level.UNIT:
        wanted.append(("municipality", source.municipality_title or _("The municipality")))
    if source.group_id:
        wanted.append(("group", source.group_title or _("Similar municipalities")))
    if source.compare_country:
        wanted.append(("country", _("The whole country")))
    values = _values(source)
    result = []
    for key, label in wanted:
        points = sorted(
            (period_date(v.period), v.value)
            for v in values
            if v.series == key and v.gender == source.gender
        )
        if any(value is not None for _day, value in points):
            result.append(ReferenceSeries(key, label, points))
    return result


def year_rows(source, reference_keys: list[str]) -> list[YearRow]:
    """Every year Kolada has anything for, newest first, with a cell per column."""
    genders = ["T", "K", "M"] if source.divided_by_gender else ["T"]
    columns = [("own", g) for g in genders] + [(key, source.gender) for key in reference_keys]
    found = {(v.series, v.gender, v.period): v for v in _values(source)}
    periods = sorted({v.period for v in found.values()}, reverse=True)
    return [YearRow(p, [found.get((series, gender, p)) for series, gender in columns]) for p in periods]
