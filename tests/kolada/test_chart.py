"""Reference lines in an indicator's chart: a Kolada-fed indicator's chart draws the
municipality, similar municipalities and the country beside the unit's own check-ins, each
with its own dash pattern, marker shape, end label and legend row. A missing year is left out
of the line and said to be missing in the text alternative, never drawn as zero."""

import datetime
import re
from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from ska.chain_status import goal_states
from ska.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, indicator_chart
from ska.models import CheckIn, Goal, KoladaSource, KoladaValue
from ska.templatetags.ska_tags import indicator_chart as chart_tag
from tests.factories import YEAR, IndicatorFactory, UnitGoalFactory

FETCHED = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.timezone.utc)
# Merit values per series and year; None: Kolada publishes the year as missing.
VALUES = {
    "own": {2021: "221.0", 2022: "225.5", 2023: "230.0"},
    "municipality": {2021: "224.0", 2022: None, 2023: "226.0"},
    "group": {2021: "180.0", 2022: "220.5", 2023: "222.0"},  # 180: below everything else
    "country": {2021: "221.5", 2022: "223.0", 2023: "261.5"},  # 261.5: above everything else
}


def make_kolada_indicator(goal, *, unreachable=False):
    """An indicator fed from Kolada at unit level, with the values above stored as fetched and
    the own series' published values as check-ins (as a refresh leaves them)."""
    indicator = IndicatorFactory(
        goal=goal, title="Genomsnittligt meritvärde i årskurs 9", unit_of_measure="poäng",
        baseline_value=Decimal("221"), baseline_date=datetime.date(2021, 6, 30),
        target_value=Decimal("240"), target_date=datetime.date(2026, 6, 30), source_kind="kolada",
    )
    source = KoladaSource.objects.create(
        indicator=indicator, kpi_id="N15505", kpi_title="Elever i åk 9, meritvärde kommunala skolor, genomsnitt",
        level=KoladaSource.Level.UNIT, municipality_id="1880", municipality_title="Ekvalla kommun",
        ou_id="V15E188000101", ou_title="Österportskolan", gender="T", compare_municipality=True,
        group_id="G36411", group_title="Liknande kommuner, grundskola", compare_country=True,
        fetched_at=FETCHED, last_attempt_at=FETCHED,
    )
    if unreachable:
        KoladaSource.objects.filter(pk=source.pk).update(
            last_attempt_at=FETCHED + datetime.timedelta(days=2), last_error="Connection refused"
        )
    for series, years in VALUES.items():
        for year, value in years.items():
            KoladaValue.objects.create(
                source=source, series=series, period=year, gender="T", value=None if value is None else Decimal(value),
                state="published" if value is not None else "missing", status="" if value is not None else "Missing",
                fetched_at=FETCHED,
            )
    for year, value in VALUES["own"].items():
        CheckIn.objects.create(
            indicator=indicator, date=datetime.date(year, 6, 30), value=Decimal(value), group_size=None,
            origin=CheckIn.Origin.KOLADA, fetched_at=FETCHED,
        )
    return indicator


def state_of(indicator):
    (state,) = [s for g in goal_states(Goal.objects.filter(pk=indicator.goal_id)) for s in g.indicators]
    return state


def polyline(svg, css):
    """The (x, y) points of the one polyline of class ``css``."""
    (points,) = re.findall(rf'<polyline class="{css}" points="([^"]*)"', svg)
    return [tuple(float(n) for n in pair.split(",")) for pair in points.split()]


def test_each_reference_series_is_its_own_line_with_markers_labels_and_legend(org):
    indicator = make_kolada_indicator(UnitGoalFactory(unit=org.unit))
    with translation.override("en"):
        state = state_of(indicator)
        assert [r.key for r in state.references] == ["municipality", "group", "country"]
        svg = str(chart_tag(state))
    # One line per series, each with its own class (dash pattern) and marker shape.
    for key in ("municipality", "group", "country"):
        assert svg.count(f'<polyline class="reference ref-{key}"') == 1
    assert len(re.findall(r'<rect class="ref-mark ref-municipality"', svg)) == 2  # 2021 and 2023 only
    assert len(re.findall(r'<path class="ref-mark ref-group"', svg)) == 3
    assert len(re.findall(r'<path class="ref-mark ref-country"', svg)) == 3
    assert svg.count('class="point"') == 3  # the own check-ins, still drawn as before
    # End labels with the latest value, and the legend with the names in full.
    assert ">Ekvalla kommun 226</text>" in svg
    assert re.search(r">Liknande kommu\S*… 222</text>", svg)
    assert ">Liknande kommuner, grundskola</text>" in svg and ">The whole country</text>" in svg
    assert ">Check-ins</text>" in svg
    labels = {text: float(y) for y, text in re.findall(r'<text class="label" x="\d+" y="([\d.]+)">([^<]*)</text>', svg)}
    ys = sorted(labels.values())
    assert all(b - a >= 10 - 1e-9 for a, b in zip(ys, ys[1:])), labels  # nudged apart: none overlaps
    # The legend makes the picture taller; without references it keeps its size.
    height = float(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))
    assert height == HEIGHT + 8 + 16 * 4


def test_a_missing_year_is_left_out_and_said_to_be_missing(org):
    indicator = make_kolada_indicator(UnitGoalFactory(unit=org.unit))
    with translation.override("en"):
        state = state_of(indicator)
        svg = str(indicator_chart(state.indicator, state.check_ins, references=state.references))
    municipality = polyline(svg, "reference ref-municipality")
    country = polyline(svg, "reference ref-country")
    assert len(municipality) == 2 and len(country) == 3
    # The municipality's points are at 2021 and 2023: the country's first and last x.
    assert [x for x, _y in municipality] == [country[0][0], country[2][0]]
    description = re.search(r"<title id=[^>]*>(.*?)</title>", svg).group(1)
    assert "Reference Ekvalla kommun: 2021: 224 poäng; 2022: missing; 2023: 226 poäng." in description
    assert "Reference Liknande kommuner, grundskola: 2021: 180 poäng; 2022: 220.5 poäng; 2023: 222 poäng." in description
    assert "Reference The whole country: 2021: 221.5 poäng; 2022: 223 poäng; 2023: 261.5 poäng." in description
    assert "2022: 0" not in description


def test_the_axes_take_in_the_reference_values_and_years(org):
    indicator = make_kolada_indicator(UnitGoalFactory(unit=org.unit))
    state = state_of(indicator)
    svg = str(indicator_chart(state.indicator, state.check_ins, references=state.references))
    plot_bottom, plot_right = HEIGHT - BOTTOM, WIDTH - RIGHT
    every = [p for key in ("municipality", "group", "country") for p in polyline(svg, f"reference ref-{key}")]
    every += polyline(svg, "series")
    assert all(LEFT <= x <= plot_right and TOP <= y <= plot_bottom for x, y in every), every
    country = polyline(svg, "reference ref-country")
    group = polyline(svg, "reference ref-group")
    # 261.5 is the highest value drawn and 180 the lowest: they are the top and bottom points.
    assert min(y for _x, y in every) == country[2][1] and max(y for _x, y in every) == group[0][1]
    # Without the references the same chart would be scaled to the check-ins and the target.
    plain = str(indicator_chart(state.indicator, state.check_ins))
    assert "reference" not in plain and "legend" not in plain
    assert f'viewBox="0 0 {WIDTH} {HEIGHT}"' in plain


def test_the_unit_page_draws_the_reference_lines(org, people, login):
    indicator = make_kolada_indicator(UnitGoalFactory(unit=org.unit))
    body = login(people.rector).get(reverse("unit_detail", args=[org.unit.pk]), {"lasar": YEAR.start_year}).content.decode()
    assert f'id="chart-{indicator.pk}-title"' in body
    for key in ("municipality", "group", "country"):
        assert f'<polyline class="reference ref-{key}"' in body


def test_a_line_label_too_long_for_the_margin_drops_its_unit():
    from types import SimpleNamespace

    from django.utils import translation

    from ska.charts import indicator_chart

    indicator = SimpleNamespace(pk=1, title="Meritvärde", unit_of_measure="poäng", baseline_value=Decimal("213.60"),
                                baseline_date=None, target_value=Decimal("221.60"), target_date=None)
    with translation.override("sv"):
        svg = str(indicator_chart(indicator, []))
        assert ">Önskat läge 221,60<" in svg and ">Nuläge 213,60 poäng<" in svg
        assert "Önskat läge 221,60 poäng." in svg  # the text alternative keeps the unit
