import datetime

import pytest
from django import forms

from ska.fields import SchoolYearFormField, TermFormField
from ska.schoolyear import SchoolYear, Season, Term


def test_school_year_runs_from_august_to_june_and_prints_as_swedes_write_it():
    year = SchoolYear(2025)
    assert str(year) == "2025/26"
    assert year.start == datetime.date(2025, 8, 1)
    assert year.end == datetime.date(2026, 6, 30)
    assert str(SchoolYear(2099)) == "2099/00"


@pytest.mark.parametrize(
    "day, expected",
    [
        (datetime.date(2025, 8, 1), 2025),
        (datetime.date(2025, 12, 31), 2025),
        (datetime.date(2026, 1, 1), 2025),
        (datetime.date(2026, 6, 30), 2025),
        (datetime.date(2026, 7, 15), 2026),  # July plans the coming year
    ],
)
def test_school_year_of_a_day(day, expected):
    assert SchoolYear.of(day) == SchoolYear(expected)


def test_terms_of_a_school_year_and_their_order():
    year = SchoolYear(2025)
    assert [str(t) for t in year.terms] == ["HT 2025", "VT 2026"]
    assert year.autumn < year.spring < SchoolYear(2026).autumn
    assert year.spring.school_year == year and year.autumn.school_year == year
    assert Term(2026, Season.VT).next() == Term(2026, Season.HT)
    assert Term(2026, Season.HT).next() == Term(2027, Season.VT)
    assert Term(2027, Season.VT).previous() == Term(2026, Season.HT)
    assert Term.from_code(Term(2025, Season.HT).code) == Term(2025, Season.HT)
    assert Term(2025, Season.HT).code < Term(2026, Season.VT).code


@pytest.mark.parametrize("text", ["2025/26", "2025/2026", "2025-26", " 2025 / 26 ", "2025"])
def test_school_year_parse(text):
    assert SchoolYear.parse(text) == SchoolYear(2025)


@pytest.mark.parametrize("text", ["2025/27", "25/26", "hösten", "", "2025/2027", "1800/01"])
def test_school_year_parse_rejects(text):
    with pytest.raises(ValueError):
        SchoolYear.parse(text)


@pytest.mark.parametrize("text, expected", [("HT 2025", "HT 2025"), ("vt26", "VT 2026"), ("VT-2026", "VT 2026")])
def test_term_parse(text, expected):
    assert str(Term.parse(text)) == expected


def test_term_of_day_and_containment():
    assert Term.of(datetime.date(2026, 3, 1)) == Term(2026, Season.VT)
    assert Term.of(datetime.date(2026, 7, 1)) == Term(2026, Season.HT)
    assert datetime.date(2026, 3, 1) in Term(2026, Season.VT)
    assert datetime.date(2026, 3, 1) in SchoolYear(2025)
    assert datetime.date(2026, 7, 1) not in SchoolYear(2025)


def test_july_belongs_to_the_coming_year_and_its_autumn_term_everywhere():
    july = datetime.date(2026, 7, 1)
    assert SchoolYear.of(july) == SchoolYear(2026) and july in SchoolYear(2026) and july not in SchoolYear(2025)
    assert Term.of(july) == Term(2026, Season.HT) and july in Term(2026, Season.HT) and july not in Term(2026, Season.VT)
    assert (SchoolYear(2026).first_day, SchoolYear(2026).start) == (july, datetime.date(2026, 8, 1))
    years = [SchoolYear(2024), SchoolYear(2025), SchoolYear(2026)]
    day = datetime.date(2025, 1, 1)
    while day < datetime.date(2027, 1, 1):  # every day in exactly one year and one term: the ones .of() gives
        assert [year for year in years if day in year] == [SchoolYear.of(day)], day
        assert day in Term.of(day) and day not in Term.of(day).next() and Term.of(day).school_year == SchoolYear.of(day), day
        day += datetime.timedelta(days=1)


@pytest.mark.django_db
def test_a_school_break_that_begins_in_july_belongs_to_the_coming_year():
    from annualwheel.forms import SchoolBreakForm

    year = SchoolYear.current()
    start = year.first_day + datetime.timedelta(days=5)
    values = {"name": "Sommarlovets sista veckor", "start": start, "end": start + datetime.timedelta(days=10)}
    assert SchoolBreakForm({**values, "school_year": year.start_year}).is_valid()
    earlier = SchoolBreakForm({**values, "school_year": year.previous().start_year})
    assert not earlier.is_valid() and list(earlier.errors) == ["start"]


def test_form_fields_parse_and_explain_in_swedish():
    class Form(forms.Form):
        year = SchoolYearFormField()
        term = TermFormField()

    form = Form({"year": "2025/26", "term": "ht 2025"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"year": SchoolYear(2025), "term": Term(2025, Season.HT)}

    bad = Form({"year": "hösten", "term": "sommar"})
    assert not bad.is_valid()
    assert bad.errors["year"] == ["Ange ett läsår, till exempel 2025/26."]
    assert bad.errors["term"] == ["Ange en termin, till exempel HT 2025 eller VT 2026."]
