"""The wheel as a picture: geometry for a server-rendered SVG (template ``annualwheel/wheel_svg.html``).

Months are sectors beginning with July (the first month that belongs to a school year, see
``ska.schoolyear``) at twelve o'clock and running clockwise; each event kind has its own ring,
so marks of one kind line up; a day-long occurrence is a dot, a longer one an arc; a line marks
today. Every mark is a link with a text label, and the same occurrences are given as a table
beside the picture for those who do not see it.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.utils.formats import date_format

from ska.schoolyear import SchoolYear

from .models import KIND_COLOURS, EventKind, Occurrence

SIZE = 640
CENTRE = SIZE / 2
OUTER = 262  # outer edge of the month sectors
INNER = 78  # inner edge (the hub carries the wheel's name)
LABEL = 284  # month names
RING_GAP = (OUTER - INNER - 16) / len(EventKind)


@dataclass
class Sector:
    path: str
    shaded: bool
    label: str
    x: str
    y: str


@dataclass
class Mark:
    occurrence: Occurrence
    colour: str
    label: str
    url: str
    x: str = ""
    y: str = ""
    path: str = ""  # an arc for occurrences over several days

    @property
    def skipped(self) -> bool:
        return self.occurrence.is_skipped


@dataclass
class Ring:
    kind: str
    label: str
    radius: str
    colour: str


@dataclass
class Drawing:
    size: int
    centre: str
    sectors: list[Sector]
    rings: list[Ring]
    marks: list[Mark]
    today: tuple[str, str, str, str] | None
    today_label: str


def _year_days(school_year: SchoolYear) -> tuple[datetime.date, int]:
    start = school_year.first_day
    return start, (school_year.next().first_day - start).days


def _angle(day: datetime.date, start: datetime.date, days: int) -> float:
    return 2 * math.pi * ((day - start).days / days) - math.pi / 2


def _point(angle: float, radius: float) -> tuple[str, str]:
    """A point as SVG text: formatted here, so that the locale's decimal comma never reaches the SVG."""
    return f"{CENTRE + radius * math.cos(angle):.2f}", f"{CENTRE + radius * math.sin(angle):.2f}"


def _arc(a1: float, a2: float, radius: float) -> str:
    x1, y1 = _point(a1, radius)
    x2, y2 = _point(a2, radius)
    large = 1 if a2 - a1 > math.pi else 0
    return f"M {x1} {y1} A {radius:.2f} {radius:.2f} 0 {large} 1 {x2} {y2}"


def _sector(a1: float, a2: float) -> str:
    ox1, oy1 = _point(a1, OUTER)
    ox2, oy2 = _point(a2, OUTER)
    ix1, iy1 = _point(a2, INNER)
    ix2, iy2 = _point(a1, INNER)
    return f"M {ox1} {oy1} A {OUTER} {OUTER} 0 0 1 {ox2} {oy2} L {ix1} {iy1} A {INNER} {INNER} 0 0 0 {ix2} {iy2} Z"


# Each kind's ring, innermost last: computed once, as EventKind.values builds a new list on every use.
_RING_INDEX = {kind: index for index, kind in enumerate(EventKind.values)}


def ring_radius(kind: str) -> float:
    return OUTER - 8 - _RING_INDEX[kind] * RING_GAP - RING_GAP / 2


def draw(school_year: SchoolYear, occurrences: list[Occurrence], *, today: datetime.date, url_for) -> Drawing:
    start, days = _year_days(school_year)
    sectors = []
    month = start
    for index in range(12):
        following = datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        a1, a2 = _angle(month, start, days), _angle(following, start, days)
        x, y = _point((a1 + a2) / 2, LABEL)
        sectors.append(Sector(_sector(a1, a2), index % 2 == 0, date_format(month, "M"), x, y))
        month = following
    rings = [Ring(k.value, k.label, f"{ring_radius(k.value):.2f}", KIND_COLOURS[k]) for k in EventKind]
    marks = []
    end = start + datetime.timedelta(days=days - 1)
    for occurrence in occurrences:
        event = occurrence.event
        first, last = max(occurrence.date, start), min(occurrence.last_day, end)
        if first > end or last < start:
            continue
        radius = ring_radius(event.kind)
        when = date_format(occurrence.date, "j F")
        if occurrence.end_date and occurrence.end_date != occurrence.date:
            when = f"{when}–{date_format(occurrence.end_date, 'j F')}"
        label = f"{event.title}, {when}"
        if occurrence.is_skipped:
            label = f"{label} ({occurrence.get_status_display().lower()})"
        mark = Mark(occurrence, event.colour, label, url_for(occurrence))
        if last > first:
            mark.path = _arc(_angle(first, start, days), _angle(last + datetime.timedelta(days=1), start, days), radius)
        else:
            mark.x, mark.y = _point(_angle(first, start, days) + math.pi / days, radius)
        marks.append(mark)
    marker = None
    if start <= today <= end:
        angle = _angle(today, start, days) + math.pi / days
        marker = (*_point(angle, INNER - 6), *_point(angle, OUTER + 6))
    return Drawing(SIZE, f"{CENTRE:.0f}", sectors, rings, marks, marker, date_format(today, "j F Y"))
