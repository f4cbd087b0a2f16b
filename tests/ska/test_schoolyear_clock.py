"""The school year and term the app calls current, on four days of the year with the clock set:
July belongs to the coming school year and its autumn term, everywhere (``ska.schoolyear``)."""

import datetime

import pytest
from django.urls import reverse

from annualwheel.models import EventKind, Wheel
from annualwheel.services.events import event_create
from ska.schoolyear import SchoolYear, Season, Term

from ..clock import set_today

# (today, the current school year, the current term)
DAYS = [
    (datetime.date(2026, 6, 20), SchoolYear(2025), Term(2026, Season.VT)),  # the year's last days
    (datetime.date(2026, 7, 15), SchoolYear(2026), Term(2026, Season.HT)),  # planning the coming year
    (datetime.date(2026, 8, 1), SchoolYear(2026), Term(2026, Season.HT)),  # the year starts
    (datetime.date(2026, 12, 6), SchoolYear(2026), Term(2026, Season.HT)),
]


@pytest.fixture(params=DAYS, ids=[str(day) for day, _year, _term in DAYS])
def day(request, monkeypatch):
    today, year, term = request.param
    set_today(monkeypatch, today)
    return today, year, term


def test_the_current_school_year_and_term_are_the_ones_today_belongs_to(day):
    today, year, term = day
    assert (SchoolYear.current(), Term.current()) == (year, term)
    assert today in SchoolYear.current() and today in Term.current()
    assert Term.current().school_year == SchoolYear.current()
    assert today not in year.previous() and today not in year.next()


def test_the_start_page_says_which_school_year_and_term_it_is(day, people, login):
    _today, year, term = day
    body = login(people.rector).get(reverse("start")).content.decode()
    assert f"Läsår {year} · {term}" in body


def test_the_unit_page_opens_the_current_school_year(day, org, people, login):
    _today, year, _term = day
    response = login(people.rector).get(reverse("unit_detail", args=[org.unit.pk]))
    assert response.context["chain"].school_year == year
    assert f'<option value="{year.start_year}" selected>{year}</option>' in response.content.decode()


def test_the_wheel_opens_on_the_current_year_with_today_and_todays_event_on_it(day, org, people, login):
    today, year, _term = day
    wheel = Wheel.objects.create(name="SKA-hjulet", school_year=year, administration=org.administration)
    event_create(wheel=wheel, values={"kind": EventKind.LEADER_FORUM, "title": "Planeringsdag", "start_date": today},
                 user=people.leadership)
    response = login(people.leadership).get(reverse("annualwheel:overview"))
    assert response.context["school_year"] == year
    assert response.context["drawing"].today is not None  # the line that marks today
    assert [o.event.title for o in response.context["occurrences"]] == ["Planeringsdag"]
    assert f'<option value="{year.start_year}" selected>{year}</option>' in response.content.decode()


def test_last_years_report_is_offered_once_the_year_has_ended(day, org, people, login):
    """From July the report of the year that ended is written; in June it is this year's alone."""
    today, year, _term = day
    rows = login(people.rector).get(reverse("start")).context["my_reports"]
    offered = [row["school_year"] for row in rows if row["unit"] == org.unit]
    assert offered == ([year] if today.month == 6 else [year.previous(), year])
