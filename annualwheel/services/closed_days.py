"""Days on which recurring events do not happen: Swedish public holidays (with midsummer,
Christmas and New Year's Eve, which are holidays in practice) and the municipality's school breaks."""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

from ..models import SchoolBreak


@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[datetime.date, str]:
    found = holidays.country_holidays("SE", years=year, language="sv", categories=("public", "de_facto"), include_sundays=False)
    return dict(found.items())


def public_holidays(start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    days: dict[datetime.date, str] = {}
    for year in range(start.year, end.year + 1):
        days.update({day: name for day, name in _holidays(year).items() if start <= day <= end})
    return days


def closed_days(municipality_id: int, start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    """Each closed day between ``start`` and ``end`` with the reason, in one query."""
    days = public_holidays(start, end)
    breaks = SchoolBreak.objects.filter(municipality_id=municipality_id, start__lte=end, end__gte=start)
    for school_break in breaks.order_by("start"):
        day = max(school_break.start, start)
        while day <= min(school_break.end, end):
            days.setdefault(day, school_break.name)
            day += datetime.timedelta(days=1)
    return days


def is_open(day: datetime.date, closed: dict[datetime.date, str]) -> bool:
    return day.weekday() < 5 and day not in closed
