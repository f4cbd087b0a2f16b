"""School years (*läsår*) and terms (*terminer*): the calendar every feature of SKA uses.

A school year starts on 1 August (``start``: the first day of its autumn term) and ends on 30 June,
and is written "2025/26". It has two terms: HT (autumn, *hösttermin*: August–December) and VT
(spring, *vårtermin*: January–June).

July has no teaching, but it belongs somewhere, and everywhere to the same place: to the *coming*
school year and its autumn term, because planning for them is what July is used for. So every day
belongs to exactly one school year and one term: ``SchoolYear.of`` and ``Term.of`` put July in
the coming year and HT, and membership (``day in year``, ``day in term``) runs from
``first_day``, 1 July, while ``start`` stays 1 August. Anything that asks "which school year (or
term) is it?" or "which days belong to this year?" uses these, never a month of its own.

Both are immutable values, ordered in time, stored in the database as small integers
(see ``ska.fields``): a school year as the calendar year it starts in, a term as
``year * 10 + season`` with VT=1 and HT=2, so that numeric order is time order.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from enum import IntEnum

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 1990
LAST_YEAR = 2200
FIRST_MONTH = 7  # July: the first month that belongs to a school year (see above)


class Season(IntEnum):
    VT = 1  # spring term, January–June
    HT = 2  # autumn term, August–December

    @property
    def label(self) -> str:
        return {Season.VT: _("Spring term"), Season.HT: _("Autumn term")}[self]


@dataclass(frozen=True, order=True, slots=True)
class SchoolYear:
    """A school year, identified by the calendar year in which it starts (1 August)."""

    start_year: int

    def __post_init__(self):
        if not isinstance(self.start_year, int) or not FIRST_YEAR <= self.start_year <= LAST_YEAR:
            raise ValueError(f"School year out of range: {self.start_year!r}")

    # --- construction -----------------------------------------------------
    @classmethod
    def of(cls, day: datetime.date) -> SchoolYear:
        """The school year a day belongs to; July counts towards the year starting in August."""
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def current(cls) -> SchoolYear:
        return cls.of(timezone.localdate())

    @classmethod
    def parse(cls, text: str) -> SchoolYear:
        """Parse "2025/26", "2025/2026", "2025-26" or "2025"."""
        match = re.fullmatch(r"\s*(\d{4})\s*(?:[/\-–]\s*(\d{2}|\d{4}))?\s*", str(text))
        if not match:
            raise ValueError(f"Not a school year: {text!r}")
        start = int(match.group(1))
        if match.group(2):
            end = int(match.group(2))
            expected = start + 1 if len(match.group(2)) == 4 else (start + 1) % 100
            if end != expected:
                raise ValueError(f"Not a school year: {text!r}")
        return cls(start)

    # --- values -----------------------------------------------------------
    @property
    def first_day(self) -> datetime.date:
        """The first day that belongs to the year: 1 July, before it starts."""
        return datetime.date(self.start_year, FIRST_MONTH, 1)

    @property
    def start(self) -> datetime.date:
        """When the year starts: 1 August, the first day of its autumn term."""
        return datetime.date(self.start_year, 8, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 6, 30)

    @property
    def autumn(self) -> Term:
        return Term(self.start_year, Season.HT)

    @property
    def spring(self) -> Term:
        return Term(self.start_year + 1, Season.VT)

    @property
    def terms(self) -> tuple[Term, Term]:
        return (self.autumn, self.spring)

    def next(self) -> SchoolYear:
        return SchoolYear(self.start_year + 1)

    def previous(self) -> SchoolYear:
        return SchoolYear(self.start_year - 1)

    def __add__(self, years: int) -> SchoolYear:
        return SchoolYear(self.start_year + years)

    def __sub__(self, years: int) -> SchoolYear:
        return SchoolYear(self.start_year - years)

    def __contains__(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    def __repr__(self) -> str:
        return f"SchoolYear({self})"


@dataclass(frozen=True, order=True, slots=True)
class Term:
    """A term: HT (August–December) or VT (January–June) of a calendar year."""

    year: int
    season: Season

    def __post_init__(self):
        if not isinstance(self.year, int) or not FIRST_YEAR <= self.year <= LAST_YEAR + 1:
            raise ValueError(f"Term year out of range: {self.year!r}")
        object.__setattr__(self, "season", Season(self.season))

    @classmethod
    def of(cls, day: datetime.date) -> Term:
        """The term a day belongs to; July counts towards the coming autumn term."""
        return cls(day.year, Season.VT if day.month < FIRST_MONTH else Season.HT)

    @classmethod
    def current(cls) -> Term:
        return cls.of(timezone.localdate())

    @classmethod
    def parse(cls, text: str) -> Term:
        """Parse "HT 2025", "HT2025", "vt 26" or "VT-2026"."""
        match = re.fullmatch(r"\s*(HT|VT)\s*[-]?\s*(\d{4}|\d{2})\s*", str(text), re.IGNORECASE)
        if not match:
            raise ValueError(f"Not a term: {text!r}")
        year = int(match.group(2))
        if year < 100:
            year += 2000
        return cls(year, Season[match.group(1).upper()])

    @classmethod
    def from_code(cls, code: int) -> Term:
        return cls(code // 10, Season(code % 10))

    @property
    def code(self) -> int:
        """The stored form: year * 10 + season, so that numeric order is time order."""
        return self.year * 10 + int(self.season)

    @property
    def school_year(self) -> SchoolYear:
        return SchoolYear(self.year if self.season == Season.HT else self.year - 1)

    @property
    def first_day(self) -> datetime.date:
        """The first day that belongs to the term: 1 July for HT, as July belongs to it."""
        return datetime.date(self.year, FIRST_MONTH, 1) if self.season == Season.HT else self.start

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 8, 1) if self.season == Season.HT else datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31) if self.season == Season.HT else datetime.date(self.year, 6, 30)

    def next(self) -> Term:
        return Term(self.year, Season.HT) if self.season == Season.VT else Term(self.year + 1, Season.VT)

    def previous(self) -> Term:
        return Term(self.year - 1, Season.HT) if self.season == Season.VT else Term(self.year, Season.VT)

    def __contains__(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.end

    def __str__(self) -> str:
        return f"{self.season.name} {self.year}"

    def __repr__(self) -> str:
        return f"Term({self})"

