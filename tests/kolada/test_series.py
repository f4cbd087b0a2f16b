"""The table of a source's values per year: a cell per column even where a series lacks the
year, and figures written as Kolada gives them."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from ska.kolada.series import reference_series, year_rows
from ska.models import KoladaSource, KoladaValue
from ska.templatetags.ska_tags import figure
from tests.factories import IndicatorFactory, UnitGoalFactory


@pytest.fixture
def source(org):
    indicator = IndicatorFactory(goal=UnitGoalFactory(unit=org.unit), source_kind="kolada")
    return KoladaSource.objects.create(
        indicator=indicator, kpi_id="N15505", kpi_title="Meritvärde", divided_by_gender=True, level="ou",
        municipality_id="1299", municipality_title="Ekvalla kommun", ou_id="V15E129900001", ou_title="Österportskolan",
        group_id="G124026", group_title="Liknande kommuner", compare_country=True,
    )


def value(source, series, period, gender, number, state="published"):
    KoladaValue.objects.create(source=source, series=series, period=period, gender=gender,
                               value=None if number is None else Decimal(number), state=state, fetched_at=timezone.now())


@pytest.mark.django_db
def test_every_row_has_a_cell_per_column_even_where_a_series_lacks_the_year(source):
    for gender, number in (("T", "213.6"), ("K", "222.6"), ("M", "204.6")):
        value(source, "own", 2025, gender, number)
        value(source, "own", 2024, gender, number)
    value(source, "own", 2023, "T", None, state="missing")
    value(source, "country", 2024, "T", "230")  # the country has no 2025 yet
    value(source, "country", 2023, "T", "228.8")
    value(source, "municipality", 2025, "T", "218")
    value(source, "group", 2025, "T", "220.6")
    references = reference_series(source)
    assert [r.key for r in references] == ["municipality", "group", "country"]
    assert references[2].points == [(datetime.date(2023, 6, 30), Decimal("228.8")), (datetime.date(2024, 6, 30), Decimal("230"))]
    rows = year_rows(source, [r.key for r in references])
    assert [row.period for row in rows] == [2025, 2024, 2023]
    width = 3 + 3  # total, girls, boys; municipality, group, country
    assert all(len(row.cells) == width for row in rows)
    shown = [[None if cell is None else (cell.value, cell.state) for cell in row.cells] for row in rows]
    assert shown[0][5] is None  # the country's 2025: an empty cell in its own column
    assert shown[1][5] == (Decimal("230.0000"), "published")
    assert shown[2][0] == (None, "missing") and shown[2][1] is None


def test_figures_are_written_without_trailing_zeros():
    with translation.override("sv"):
        assert figure(Decimal("213.6000")) == "213,6"
        assert figure(Decimal("218.0000")) == "218"
        assert figure(Decimal("0.5000")) == "0,5"
        assert figure(None) == ""
