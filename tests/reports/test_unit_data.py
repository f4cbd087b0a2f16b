"""The unit report's data (its snapshot): the rektor's sections in order, the unit's chain
under them with suppression applied, completeness and status, tables for Excel; gathered in
a fixed number of queries."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import DataPart, ReportSection, UnitReport
from reports.services.data import SnapshotError, gather, validate_snapshot
from reports.services.progress import Progress
from reports.templatetags.report_format import report_date, report_number
from ska.models import ActivityFollowUp, Analysis, DevelopmentArea, Goal, ValidityReview
from tests.factories import YEAR, ActivityFactory, CheckInFactory, IndicatorFactory, UnitGoalFactory

from .conftest import SMALL_GROUP_VALUE
from .unit_report_helpers import WRITTEN, make_unit_report


@pytest.fixture
def report(report_chain, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_unit_report(report_chain)


def unit_data(report, **kwargs):
    return gather("unit", school_year=report.school_year, unit_report=report, **kwargs)


def test_the_snapshot_keeps_the_contract(report, report_chain):
    data = validate_snapshot(unit_data(report))
    assert data["kind"] == "unit"
    assert data["school_year"] == "2025/26"
    assert data["unit"] == {"id": report_chain.unit.pk, "name": "Österportskolan"}
    assert data["administration"]["name"] == "Utbildningsförvaltningen"
    assert data["committee"]["id"] == report_chain.unit.administration.committee_id
    assert data["municipality"]["id"] == report_chain.unit.administration.municipality_id
    assert "Österportskolan" in data["title"] and "2025/26" in data["title"]
    assert data["sources"]["unit_report"] == [report.pk, report.version]
    assert [report_chain.goal.pk, report_chain.goal.version] in data["sources"]["goals"]
    assert json.loads(json.dumps(data)) == data


def test_sections_come_in_the_reports_order_with_text_images_and_data_part(report):
    data = unit_data(report)
    titles = [s["title"] for s in data["sections"]]
    assert titles[:2] == [title for title, _text in WRITTEN]
    assert [s["data_part"] for s in data["sections"][2:]] == [part.value for part in DataPart]
    first = data["sections"][0]
    assert first["text"].startswith("Året har präglats")
    assert first["done"] is True
    [image] = first["images"]
    assert image["alt_text"] == "Elever på skolgården under rasten"
    assert image["caption"] == "Rastvärdar i arbete"
    assert image["name"].startswith("reports/images/")
    ids = [s["id"] for s in data["sections"]]
    assert len(set(ids)) == len(ids)


def test_completeness_and_status(report):
    data = unit_data(report)
    total = 2 + len(DataPart)
    assert data["completeness"] == {"done": total - 1, "total": total, "percent": round(100 * (total - 1) / total)}
    assert data["status"]["code"] == UnitReport.Status.APPROVED


def test_the_chain_puts_unit_goals_under_their_administration_goals(report, report_chain):
    chain = unit_data(report)["chain"]
    [entry] = chain["administration_goals"]
    assert entry["title"] == report_chain.admin_goal.title
    assert [g["title"] for g in entry["unit_goals"]] == [report_chain.goal.title]
    assert [g["title"] for g in chain["local_goals"]] == [report_chain.local_goal.title]
    assert chain["not_worked_on"] == [{"id": report_chain.other_admin_goal.pk, "title": report_chain.other_admin_goal.title}]
    section = next(s for s in unit_data(report)["sections"] if s["data_part"] == DataPart.ADMINISTRATION_GOALS)
    assert [c["title"] for c in section["children"]] == [report_chain.admin_goal.title]


def test_indicator_movement_with_the_small_group_suppressed(report):
    data = unit_data(report)
    goal = data["chain"]["administration_goals"][0]["unit_goals"][0]
    [indicator] = goal["indicators"]
    assert (indicator["baseline_value"], indicator["target_value"]) == ("72.00", "85.00")
    shown, small = indicator["check_ins"]
    assert shown == {**shown, "value": "78.40", "suppressed": False, "group_size": 48}
    assert small == {**small, "value": None, "suppressed": True, "group_size": 9}
    assert indicator["latest"]["suppressed"] and indicator["latest_shown"]["value"] == "78.40"
    assert indicator["progress_percent"] is None  # the latest value is not shown, so neither is its progress
    assert data["suppression"] == {"threshold": 10, "used": True}
    dumped = json.dumps(data)
    assert str(SMALL_GROUP_VALUE) not in dumped and "91,25" not in dumped
    indicator_table = data["tables"][1]
    assert ".." in [row[7] for row in indicator_table["rows"]]


def test_a_lower_threshold_shows_the_value(report, report_chain):
    municipality = report_chain.unit.administration.municipality
    municipality.suppression_threshold = 5
    municipality.save()
    data = unit_data(report)
    assert data["suppression"] == {"threshold": 5, "used": False}
    assert "91.25" in json.dumps(data)


def test_activities_analyses_development_areas_and_participation(report, report_chain):
    chain = unit_data(report)["chain"]
    goal = chain["administration_goals"][0]["unit_goals"][0]
    [activity] = goal["activities"]
    assert activity["title"] == report_chain.activity.title
    assert activity["follow_ups"][0]["process_data"] == report_chain.follow_up.process_data
    [analysis] = goal["analyses"]
    assert analysis["attainment"] == 3
    assert analysis["validity_reviews"][0]["reflects_reality"] == "Stämmer med observationer."
    assert analysis["development_areas"] == [{"title": "Trygghet i omklädningsrummen", "description": ""}]
    groups = {g["code"]: g["analyses"] for g in chain["participation"]["groups"]}
    assert chain["participation"]["analyses"] == 1
    assert groups == {"teachers": 1, "student_health": 0, "pupils": 1, "guardians": 0}


def test_tables_have_sheet_names_and_rows_as_wide_as_their_columns(report):
    data = unit_data(report)
    assert len(data["tables"]) == 4
    for table in data["tables"]:
        assert 0 < len(table["name"]) <= 31
        assert all(len(row) == len(table["columns"]) for row in table["rows"])


def test_progress_is_told_step_by_step(report, report_chain):
    seen = []
    unit_data(report, progress=Progress(lambda done, total, label: seen.append((done, total, label))))
    steps = 2 + 2 + len(DataPart)  # two goals (the unit goal and the local goal), then every section
    assert seen[-1][:2] == (steps, steps)
    assert any(report_chain.goal.title in label for _d, _t, label in seen)


def test_school_year_may_be_given_as_text_and_unknown_kinds_are_refused(report):
    assert gather("unit", school_year="2025/26", unit_report=report)["school_year"] == "2025/26"
    with pytest.raises(ValueError):
        gather("nonsense", school_year="2025/26")


def test_validate_snapshot_refuses_a_broken_snapshot(report):
    data = unit_data(report)
    with pytest.raises(SnapshotError, match="missing key 'tables'"):
        validate_snapshot({k: v for k, v in data.items() if k != "tables"})
    with pytest.raises(SnapshotError, match="31"):
        validate_snapshot({**data, "tables": [{"name": "x" * 32, "columns": [], "rows": []}]})
    with pytest.raises(SnapshotError, match="JSON"):
        validate_snapshot({**data, "extra": datetime.date.today()})


def grow(chain, n: int) -> None:
    """n more goals with indicators, check-ins, activities, follow-ups and analyses, and
    n more sections with images."""
    report = UnitReport.objects.get(unit=chain.unit, school_year=chain.school_year)
    for i in range(n):
        goal = UnitGoalFactory(unit=chain.unit, parent=chain.other_admin_goal if i % 2 else chain.admin_goal)
        for j in range(2):
            indicator = IndicatorFactory(goal=goal)
            CheckInFactory(indicator=indicator, value=Decimal(50 + j), group_size=30 + j)
            CheckInFactory(indicator=indicator, date=datetime.date(2026, 2, 1), group_size=5)
        activity = ActivityFactory(goal=goal)
        ActivityFollowUp.objects.create(activity=activity, date=datetime.date(2026, 1, 2), process_data="x", on_track="yes")
        analysis = Analysis.objects.create(goal=goal, term=YEAR.spring, participants=["pupils"], attainment=2)
        ValidityReview.objects.create(analysis=analysis, indicator=indicator, reliability="ok")
        DevelopmentArea.objects.create(analysis=analysis, title=f"Område {i}")
        Goal.objects.create(level=Goal.Level.LOCAL, unit=chain.unit, school_year=YEAR, title=f"Lokalt {i}",
                            start_term=YEAR.autumn, end_term=YEAR.spring)
        section = ReportSection.objects.create(report=report, title=f"Extra {i}", text="...", sort_order=500 + i)
        section.images.create(image="reports/images/x.png", alt_text="bild")


def count_queries(report) -> int:
    with CaptureQueriesContext(connection) as context:
        unit_data(report)
    return len(context.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_chain(report, report_chain):
    small = count_queries(report)
    grow(report_chain, 6)
    large = count_queries(report)
    assert large == small
    assert small <= 20, small


def test_report_number_and_date_formatting():
    assert report_number("78.40", "%") == "78,4\u00a0%"
    assert report_number("72.00", "%") == "72\u00a0%"
    assert report_number("12345.50") == "12\u00a0345,5"
    assert report_number("-3.5") == "−3,5"
    assert report_number(None, "%") == "–"
    assert report_number({"value": None, "suppressed": True}, "%") == ".."
    assert report_number({"value": "4.00", "suppressed": False}, "st") == "4\u00a0st"
    assert report_date("2026-03-20", "short") == "2026-03-20"
    assert report_date(None) == "–"
