"""The administration's reports (overall, förskola, grundskola): per administration-wide goal the
units working on it, their attainment judgements, indicator distributions over shown values
only, units missing follow-ups or reports, development areas; suppression applied while
gathering; tables for Excel; a fixed number of queries whatever the number of units."""

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from reports.models import UnitReport
from reports.services.data import gather, validate_snapshot
from reports.services.pdf import render_html, write_pdf
from reports.services.progress import Progress
from ska.models import ActivityFollowUp, Analysis, DevelopmentArea, Goal
from tests.factories import (
    YEAR,
    ActivityFactory,
    AdministrationGoalFactory,
    CheckInFactory,
    IndicatorFactory,
    UnitFactory,
    UnitGoalFactory,
)

from .conftest import SMALL_GROUP_VALUE

SMALL = [str(SMALL_GROUP_VALUE), str(SMALL_GROUP_VALUE).replace(".", ",")]  # "91.25", "91,25"
KINDS = ["overall", "grundskola", "forskola"]


def admin_data(kind, org, **kwargs):
    return validate_snapshot(gather(kind, school_year=YEAR, administration=org.administration, **kwargs))


def section(data, section_id):
    return next(s for s in data["sections"] if s["id"] == section_id)


def goal_entry(data, goal):
    return next(g for g in section(data, "goals")["goals"] if g["goal_id"] == goal.pk)


def table(data, table_id):
    return next(t for t in data["tables"] if t["id"] == table_id)


def pdf_text(data) -> str:
    content, pages = write_pdf(render_html(data))
    assert pages > 2
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = re.sub(r"\u2010\s+|-\n", "", text.replace("\u00a0", " "))  # undo hyphenation at line ends
    return re.sub(r"\s+", " ", text)


# --- The overall report ------------------------------------------------------------------
def test_the_overall_report_keeps_the_contract(org, report_chain):
    data = admin_data("overall", org)
    assert data["kind"] == "overall"
    assert data["school_year"] == "2025/26"
    assert data["administration"] == {"id": org.administration.pk, "name": org.administration.name}
    assert data["committee"]["id"] == org.committee.pk
    assert data["unit"] is None
    assert [s["id"] for s in data["sections"]] == ["summary", "goals", "development-areas", "unit-reports"]
    assert [c["id"] for c in section(data, "goals")["children"]] == [
        f"goal-{report_chain.admin_goal.pk}", f"goal-{report_chain.other_admin_goal.pk}"
    ]
    assert [report_chain.goal.pk, report_chain.goal.version] in data["sources"]["goals"]
    assert [report_chain.admin_goal.pk, report_chain.admin_goal.version] in data["sources"]["goals"]
    assert json.loads(json.dumps(data)) == data


def test_the_overall_report_counts_units_attainment_indicators_and_development_areas(org, report_chain):
    data = admin_data("overall", org)
    goal = goal_entry(data, report_chain.admin_goal)
    # The administration's three units (the independent providers' units are not in it).
    assert goal["units_total"] == 3
    assert goal["units_working"] == 1
    assert sorted(goal["units_not_working"]) == ["Förskolan Solrosen", "Västervångskolan"]
    assert goal["unit_goals"] == 1 and goal["unit_goals_followed_up"] == 1
    counts = {a["level"]: a["count"] for a in goal["attainment"]}
    assert counts == {4: 0, 3: 1, 2: 0, 1: 0, None: 0}  # the analysis judged it "largely attained"
    [indicator] = goal["indicators"]
    assert indicator["title"] == report_chain.indicator.title
    assert indicator["suppressed"] == 1 and indicator["shown"] == 0 and indicator["summary"] is None
    assert "values" not in indicator  # the overall report summarises; values per unit are in the school form reports
    assert goal["development_areas"] == [{
        "unit": "Österportskolan", "goal": report_chain.goal.title, "title": "Trygghet i omklädningsrummen",
        "description": "",
    }]
    assert goal["activities"]["total"] == 1
    other = goal_entry(data, report_chain.other_admin_goal)
    assert other["units_working"] == 0 and other["unit_goals"] == 0
    groups = section(data, "development-areas")["groups"]
    assert [g["title"] for g in groups] == [report_chain.admin_goal.title]


def test_the_overall_report_shows_each_units_report_status(org, report_chain):
    UnitReport.objects.create(unit=org.unit, school_year=YEAR, status=UnitReport.Status.APPROVED)
    UnitReport.objects.create(unit=org.other_unit, school_year=YEAR, status=UnitReport.Status.DRAFT)
    UnitReport.objects.create(unit=org.preschool, school_year=YEAR.previous(), status=UnitReport.Status.APPROVED)
    reports = section(admin_data("overall", org), "unit-reports")
    statuses = {row["unit"]: row["status"] for row in reports["rows"]}
    assert statuses == {"Österportskolan": "approved", "Västervångskolan": "draft", "Förskolan Solrosen": "none"}
    counts = {c["status"]: c["count"] for c in reports["counts"]}
    assert counts["approved"] == 1 and counts["draft"] == 1 and counts["none"] == 1 and counts["submitted"] == 0
    summary = section(admin_data("overall", org), "summary")
    reported = next(f for f in summary["figures"] if f.get("of") == 3 and f["value"] == 1)
    assert reported


def test_the_committee_goal_and_goal_area_above_are_named(org, report_chain):
    area = Goal.objects.create(level=Goal.Level.AREA, municipality=org.municipality, school_year=YEAR,
                               title="Trygghet och hälsa", start_term=YEAR.autumn, end_term=YEAR.spring)
    committee_goal = Goal.objects.create(level=Goal.Level.COMMITTEE, committee=org.committee, parent=area,
                                         school_year=YEAR, title="Alla ska känna sig trygga",
                                         start_term=YEAR.autumn, end_term=YEAR.spring)
    report_chain.admin_goal.parent = committee_goal
    report_chain.admin_goal.save()
    goal = goal_entry(admin_data("overall", org), report_chain.admin_goal)
    assert goal["committee_goal"] == {"id": committee_goal.pk, "title": "Alla ska känna sig trygga"}
    assert goal["area"] == {"id": area.pk, "title": "Trygghet och hälsa"}


# --- The school form reports: only the school form's units -----------------------------------
def test_the_school_form_reports_take_only_units_of_the_school_form(org, report_chain):
    grundskola = admin_data("grundskola", org)
    forskola = admin_data("forskola", org)
    assert goal_entry(grundskola, report_chain.admin_goal)["units_total"] == 2
    assert goal_entry(forskola, report_chain.admin_goal)["units_total"] == 1
    assert goal_entry(forskola, report_chain.admin_goal)["units_working"] == 0
    assert grundskola["school_form"]["code"] == "grundskola"
    assert [s["id"] for s in grundskola["sections"]] == ["summary", "goals", "equity", "missing", "development-areas"]
    # A unit closed before the school year is left out; one closed during it is in.
    UnitFactory(name="Gamla skolan", administration=org.administration, closed_on=datetime.date(2025, 6, 1))
    UnitFactory(name="Stängda skolan", administration=org.administration, closed_on=datetime.date(2026, 2, 1))
    goal = goal_entry(admin_data("grundskola", org), report_chain.admin_goal)
    assert goal["units_total"] == 3
    assert "Stängda skolan" in goal["units_not_working"] and "Gamla skolan" not in goal["units_not_working"]


def _unit_with_value(org, admin_goal, name, value, *, group_size=30, title="Andel trygga elever", target="90"):
    unit = UnitFactory(name=name, administration=org.administration, forms=["grundskola"])
    goal = UnitGoalFactory(unit=unit, parent=admin_goal, title=f"Tryggare på {name}")
    indicator = IndicatorFactory(goal=goal, title=title, baseline_value=Decimal("60"), target_value=Decimal(target))
    if value is not None:
        CheckInFactory(indicator=indicator, date=datetime.date(2026, 3, 1), value=Decimal(value), group_size=group_size)
    return unit


def test_distributions_are_over_shown_values_only(org):
    admin_goal = AdministrationGoalFactory(administration=org.administration, title="Trygghet och studiero")
    for i, value in enumerate(["70", "72", "74", "76", "78", "20"]):
        _unit_with_value(org, admin_goal, f"Skola {i}", value)
    _unit_with_value(org, admin_goal, "Lilla skolan", "99.5", group_size=4)
    _unit_with_value(org, admin_goal, "Nya skolan", None)  # no check-in yet: its current state, 60
    data = admin_data("grundskola", org)
    [item] = goal_entry(data, admin_goal)["indicators"]
    assert item["units"] == 8 and item["shown"] == 7 and item["suppressed"] == 1 and item["missing"] == 0
    summary = item["summary"]
    assert summary["n"] == 7
    assert summary["minimum"] == "20" and summary["maximum"] == "78" and summary["median"] == "72"
    assert summary["outliers"] == ["Skola 5"]  # 20 lies far below the rest
    values = {v["unit_name"]: v for v in item["values"]}
    assert values["Lilla skolan"]["value"] is None and values["Lilla skolan"]["suppressed"] is True
    assert values["Lilla skolan"]["progress_percent"] is None
    assert values["Nya skolan"]["value"] == "60" and values["Nya skolan"]["from_check_in"] is False
    assert values["Skola 5"]["outlier"] == "low"
    assert values["Skola 4"]["progress_percent"] == 60  # 60 → 78 of 60 → 90
    assert item["improved"] == 5 and item["reached_target"] == 0  # Skola 5 fell below its current state
    assert "99.5" not in json.dumps(data) and "99,5" not in json.dumps(data)
    assert data["suppression"]["used"] is True
    per_unit = table(data, "values")
    row = next(r for r in per_unit["rows"] if r[2] == "Lilla skolan")
    assert row[3] == ".."
    spread = next(r for r in section(data, "equity")["rows"] if r["title"] == "Andel trygga elever")
    assert spread["summary"]["outliers"] == ["Skola 5"]
    findings = section(data, "summary")["findings"]
    assert any("Skola 5" in finding for finding in findings)


def test_units_missing_follow_ups_or_reports_are_listed(org, report_chain):
    unfollowed = UnitGoalFactory(unit=org.other_unit, parent=report_chain.other_admin_goal, title="Fler når målen")
    data = admin_data("grundskola", org)
    rows = {row["unit"]: row for row in section(data, "missing")["rows"]}
    assert rows["Österportskolan"]["not_working"] == [report_chain.other_admin_goal.title]
    assert rows["Österportskolan"]["not_followed_up"] == []
    assert rows["Österportskolan"]["report_missing"] is True
    assert rows["Västervångskolan"]["not_working"] == [report_chain.admin_goal.title]
    assert rows["Västervångskolan"]["not_followed_up"] == [unfollowed.title]
    # Once it works under both goals, has followed them up and its report is submitted, a unit is not listed.
    UnitGoalFactory(unit=org.unit, parent=report_chain.other_admin_goal, title="Fler når målen på Österport")
    Analysis.objects.create(goal=Goal.objects.get(title="Fler når målen på Österport"), term=YEAR.spring, attainment=2)
    UnitReport.objects.create(unit=org.unit, school_year=YEAR, status=UnitReport.Status.SUBMITTED)
    rows = {row["unit"]: row for row in section(admin_data("grundskola", org), "missing")["rows"]}
    assert "Österportskolan" not in rows and "Västervångskolan" in rows


def test_the_tables_hold_suppressed_values_as_dots(org, report_chain):
    expected = {
        "overall": ["goals", "attainment", "indicators", "development-areas", "unit-reports"],
        "grundskola": ["goals", "attainment", "spread", "values", "missing", "indicators", "development-areas"],
    }
    for kind, ids in expected.items():
        data = admin_data(kind, org)
        assert [t["id"] for t in data["tables"]] == ids
        check_ins = table(data, "indicators")["rows"]
        assert [row[-2] for row in check_ins if row[-1] == 9] == [".."]
        assert [row[-2] for row in check_ins if row[-1] == 48] == ["78.40"]
        [attainment] = table(data, "attainment")["rows"]
        assert attainment[:4] == ["Österportskolan", report_chain.admin_goal.title, report_chain.goal.title, str(YEAR.spring)]
        assert attainment[4]  # the judgement's label
    values = table(admin_data("grundskola", org), "values")["rows"]
    assert values == [[report_chain.admin_goal.title, report_chain.indicator.title, "Österportskolan", "..",
                       "2026-03-20", values[0][5], ""]]


@pytest.mark.parametrize("kind", KINDS)
def test_a_value_from_a_group_of_nine_never_appears(kind, org, report_chain):
    data = admin_data(kind, org)
    assert data["suppression"]["used"] is (kind != "forskola")
    text = json.dumps(data, ensure_ascii=False)
    assert not any(small in text for small in SMALL)
    html = render_html(data)
    assert not any(small in html for small in SMALL)


def test_the_grundskola_pdf_has_the_goals_values_and_never_the_small_group(org, report_chain):
    admin_goal = AdministrationGoalFactory(administration=org.administration, title="Läslust i alla klasser")
    _unit_with_value(org, admin_goal, "Ekskolan", "64.5", title="Andel elever som läser varje dag")
    _unit_with_value(org, admin_goal, "Askskolan", "71", title="Andel elever som läser varje dag")
    data = admin_data("grundskola", org)
    text = pdf_text(data)
    assert report_chain.admin_goal.title in text
    assert "Läslust i alla klasser" in text
    assert "Andel elever som läser varje dag" in text
    assert "64,5 %" in text and "71 %" in text
    assert "Trygghet i omklädningsrummen" in text
    assert not any(small in text for small in SMALL)
    html = render_html(data)
    assert 'role="img"' in html and "<title" in html  # the spread chart with its text alternative


def test_the_overall_pdf_has_the_goals_and_report_statuses(org, report_chain):
    UnitReport.objects.create(unit=org.unit, school_year=YEAR, status=UnitReport.Status.APPROVED)
    data = admin_data("overall", org)
    text = pdf_text(data)
    assert report_chain.admin_goal.title in text and report_chain.other_admin_goal.title in text
    assert "Trygghet i omklädningsrummen" in text
    assert str(UnitReport.Status.APPROVED.label) in text or "Godkänd" in text
    assert not any(small in text for small in SMALL)


def test_progress_is_reported_per_goal(org, report_chain):
    seen = []
    progress = Progress(lambda done, total, label: seen.append((done, total, label)))
    admin_data("grundskola", org, progress=progress)
    assert progress.done == progress.total == 3 + 2  # three fixed steps and one per administration-wide goal
    assert any(report_chain.admin_goal.title in label for _d, _t, label in seen)


# --- A fixed number of queries ----------------------------------------------------------------
def _full_unit(org, admin_goals, i):
    unit = UnitFactory(name=f"Enhet {i:03d}", administration=org.administration, forms=["grundskola", "forskola"])
    for admin_goal in admin_goals:
        goal = UnitGoalFactory(unit=unit, parent=admin_goal, title=f"Mål {i}")
        indicator = IndicatorFactory(goal=goal, title="Andel elever som når målen")
        CheckInFactory(indicator=indicator, value=Decimal(50 + i), group_size=20 + i)
        CheckInFactory(indicator=indicator, date=datetime.date(2026, 3, 1), value=Decimal(60 + i), group_size=5)
        activity = ActivityFactory(goal=goal)
        ActivityFollowUp.objects.create(activity=activity, date=datetime.date(2026, 1, 1), process_data="Gjort.",
                                        on_track="yes")
        analysis = Analysis.objects.create(goal=goal, term=YEAR.spring, attainment=1 + i % 4)
        DevelopmentArea.objects.create(analysis=analysis, title=f"Område {i}")
    Goal.objects.create(level=Goal.Level.LOCAL, unit=unit, school_year=YEAR, title=f"Lokalt {i}",
                        start_term=YEAR.autumn, end_term=YEAR.spring)
    UnitReport.objects.create(unit=unit, school_year=YEAR, status=UnitReport.Status.SUBMITTED)


def _queries(kind, org) -> int:
    with CaptureQueriesContext(connection) as captured:
        gather(kind, school_year=YEAR, administration=org.administration)
    return len(captured.captured_queries)


@pytest.mark.parametrize("kind", KINDS)
def test_the_number_of_queries_does_not_grow_with_the_units(kind, org):
    admin_goals = [AdministrationGoalFactory(administration=org.administration, sort_order=n) for n in range(3)]
    for i in range(3):
        _full_unit(org, admin_goals, i)
    few = _queries(kind, org)
    for i in range(3, 30):
        _full_unit(org, admin_goals, i)
    assert _queries(kind, org) == few
    assert few <= 25
