"""A Kolada source's stored values as series: the reference lines of a chart and the table of
values per year. Read from the source's prefetched ``values`` (no queries of their own when
the caller prefetched them, as the chain pages do)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from ..schoolyear import SchoolYear
from .types import COUNTRY


def period_date(period: int) -> datetime.date:
    """The date a Kolada year stands for: school figures are per spring term, so the end of the
    school year that ends in it (30 June)."""
    return SchoolYear(period - 1).end


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


def reference_lines(source) -> list[tuple[str, str, str]]:
    """(series key, Kolada id, label) of each reference line the source asks for: the
    municipality (for a unit-level source), the chosen group and the country."""
    lines = []
    if source.compare_municipality and source.level == source.Level.UNIT:
        lines.append(("municipality", source.municipality_id, source.municipality_title or _("The municipality")))
    if source.group_id:
        lines.append(("group", source.group_id, source.group_title or _("Similar municipalities")))
    if source.compare_country:
        lines.append(("country", COUNTRY, _("The whole country")))
    return lines


def reference_series(source) -> list[ReferenceSeries]:
    """The reference lines' stored values in the source's chosen gender, in year order. Series
    with no published value are left out."""
    values = _values(source)
    result = []
    for key, _kolada_id, label in reference_lines(source):
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
    genders = source.Gender.values if source.divided_by_gender else [source.Gender.TOTAL]
    columns = [("own", g) for g in genders] + [(key, source.gender) for key in reference_keys]
    found = {(v.series, v.gender, v.period): v for v in _values(source)}
    periods = sorted({v.period for v in found.values()}, reverse=True)
    return [YearRow(p, [found.get((series, gender, p)) for series, gender in columns]) for p in periods]
