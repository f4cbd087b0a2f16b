"""Rolling the chain over into the next school year, level by level, keeping the red thread:
the goals above the units are continued, closed or replaced; each unit's goals continue under
the continued goals (never turned local); indicators keep their source and move a school year;
a suppressed value never becomes a visible baseline — on the page, in Excel or in the PDF."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.models import DataPart, ReportSection, UnitReport
from reports.services.data import gather
from reports.services.pdf import render_html, write_pdf
from ska.models import CheckIn, Goal, Indicator, KoladaSource, SchoolForm
from ska.schoolyear import SchoolYear
from ska.services.rollover import (
    CLOSE, CONTINUE, REPLACE, Decision, levels_preview, levels_roll_over, unit_preview, unit_roll_over,
)

from ..factories import AdministrationGoalFactory, CheckInFactory, IndicatorFactory, UnitGoalFactory

YEAR = SchoolYear(2025)
NEXT = YEAR.next()
PERIOD = {"school_year": YEAR, "start_term": YEAR.autumn, "end_term": YEAR.spring}
HIDDEN = ("91,25", "91.25", "43,5", "43.5")


@pytest.fixture
def chain(org):
    area = Goal.objects.create(level=Goal.Level.AREA, municipality=org.municipality, title="Livslångt lärande", **PERIOD)
    committee_goal = Goal.objects.create(level=Goal.Level.COMMITTEE, committee=org.committee, parent=area,
                                         title="Alla barn och elever utvecklas så långt som möjligt", **PERIOD)
    admin_goal = AdministrationGoalFactory(administration=org.administration, parent=committee_goal,
                                           title="Trygghet och studiero", **PERIOD)
    admin_goal.school_forms.set([SchoolForm.objects.get(code="grundskola")])
    other_admin_goal = AdministrationGoalFactory(administration=org.administration, parent=committee_goal,
                                                 title="Digital kompetens", **PERIOD)
    goal = UnitGoalFactory(unit=org.unit, parent=admin_goal, title="Tryggare raster", **PERIOD)
    local = Goal.objects.create(level=Goal.Level.LOCAL, unit=org.unit, title="Utomhuspedagogik", **PERIOD)
    # Latest check-in from a group of 9: never the new baseline; the one before it is.
    shown = IndicatorFactory(goal=goal, title="Andel trygga elever", unit_of_measure="%", baseline_value=Decimal("70"),
                             target_value=Decimal("85"), target_date=datetime.date(2026, 6, 1))
    CheckInFactory(indicator=shown, date=datetime.date(2025, 11, 20), value=Decimal("78.4"), group_size=48)
    CheckInFactory(indicator=shown, date=datetime.date(2026, 3, 20), value=Decimal("91.25"), group_size=9)
    # Every check-in and the baseline itself from small groups: the baseline stays "..".
    small = IndicatorFactory(goal=goal, title="Andel trygga i omklädningsrummet", unit_of_measure="%",
                             baseline_value=Decimal("43.5"), baseline_group_size=8, target_value=Decimal("60"))
    CheckInFactory(indicator=small, date=datetime.date(2026, 4, 2), value=Decimal("91.25"), group_size=7)
    fed = IndicatorFactory(goal=goal, title="Meritvärde i åk 9", source_kind=Indicator.Source.KOLADA)
    KoladaSource.objects.create(indicator=fed, kpi_id="N15505", kpi_title="Meritvärde", level="ou", ou_id="V15E128600101",
                                ou_title="Österportskolan", municipality_id="1286", municipality_title="Ekvalla")
    return type("Chain", (), dict(area=area, committee_goal=committee_goal, admin_goal=admin_goal,
                                  other_admin_goal=other_admin_goal, goal=goal, local=local, shown=shown, small=small,
                                  fed=fed))


def _all_continue(rows):
    return {row.goal.pk: Decision(CONTINUE) for row in rows}


def test_the_levels_continue_in_order_and_keep_their_links(org, people, chain):
    rows = levels_preview(org.administration, YEAR)
    assert [row.goal for row in rows] == [chain.area, chain.committee_goal, chain.other_admin_goal, chain.admin_goal]
    levels_roll_over(administration=org.administration, school_year=YEAR, decisions=_all_continue(rows), user=people.leadership)
    area, committee_goal = (Goal.objects.get(continued_from=g) for g in (chain.area, chain.committee_goal))
    admin_goal = Goal.objects.get(continued_from=chain.admin_goal)
    assert committee_goal.parent == area and admin_goal.parent == committee_goal
    assert admin_goal.school_year == NEXT and (admin_goal.start_term, admin_goal.end_term) == NEXT.terms
    assert list(admin_goal.school_forms.values_list("code", flat=True)) == ["grundskola"]
    assert admin_goal.history.first().history_user == people.leadership
    # Running it twice changes nothing.
    count = Goal.objects.count()
    levels_roll_over(administration=org.administration, school_year=YEAR, decisions=_all_continue(rows), user=people.leadership)
    assert Goal.objects.count() == count
    assert all(row.done for row in levels_preview(org.administration, YEAR))


def test_closing_and_replacing_at_the_rollover(org, people, chain):
    decisions = _all_continue(levels_preview(org.administration, YEAR))
    decisions[chain.other_admin_goal.pk] = Decision(CLOSE, outcome="attained", reason="Alla enheter har nått målet.")
    decisions[chain.admin_goal.pk] = Decision(REPLACE, title="Trygghet, studiero och arbetsro", reason="Vidgat mål")
    levels_roll_over(administration=org.administration, school_year=YEAR, decisions=decisions, user=people.leadership)
    chain.other_admin_goal.refresh_from_db()
    chain.admin_goal.refresh_from_db()
    assert (chain.other_admin_goal.status, chain.other_admin_goal.closed_on) == ("closed", YEAR.end)
    assert not Goal.objects.filter(continued_from=chain.other_admin_goal).exists()
    assert Goal.objects.in_force(YEAR).filter(pk=chain.other_admin_goal.pk).exists()  # it ran the whole year
    assert chain.admin_goal.outcome == Goal.Outcome.REPLACED
    replacement = Goal.objects.get(continued_from=chain.admin_goal)
    assert replacement.title == "Trygghet, studiero och arbetsro" and replacement.status == "active"
    undecided = Goal.objects.create(level=Goal.Level.AREA, municipality=org.municipality, title="Hållbarhet", **PERIOD)
    with pytest.raises(ValidationError):
        levels_roll_over(administration=org.administration, school_year=YEAR,
                         decisions={undecided.pk: Decision(REPLACE, title="  ")}, user=people.leadership)
    undecided.refresh_from_db()
    assert undecided.status == "active"  # nothing half-done


def test_a_unit_goal_waits_for_its_parent_and_is_never_turned_local(org, people, chain):
    rows = {row.goal: row for row in unit_preview(org.unit, YEAR)}
    assert rows[chain.goal].blocked and not rows[chain.local].blocked
    with pytest.raises(ValidationError):
        unit_roll_over(unit=org.unit, school_year=YEAR, decisions={chain.goal.pk: Decision(CONTINUE)}, user=people.rector)
    assert not Goal.objects.filter(continued_from=chain.goal).exists()

    levels_roll_over(administration=org.administration, school_year=YEAR,
                     decisions=_all_continue(levels_preview(org.administration, YEAR)), user=people.leadership)
    next_admin_goal = Goal.objects.get(continued_from=chain.admin_goal)
    rows = unit_preview(org.unit, YEAR)
    assert {row.goal: row.parent for row in rows}[chain.goal] == next_admin_goal
    unit_roll_over(unit=org.unit, school_year=YEAR, decisions=_all_continue(rows), user=people.rector)
    new = Goal.objects.get(continued_from=chain.goal)
    assert (new.level, new.parent) == (Goal.Level.UNIT, next_admin_goal)
    assert Goal.objects.get(continued_from=chain.local).level == Goal.Level.LOCAL
    count = Goal.objects.count()
    unit_roll_over(unit=org.unit, school_year=YEAR, decisions=_all_continue(rows), user=people.rector)
    assert Goal.objects.count() == count


def _rolled(org, people, chain) -> Goal:
    levels_roll_over(administration=org.administration, school_year=YEAR,
                     decisions=_all_continue(levels_preview(org.administration, YEAR)), user=people.leadership)
    unit_roll_over(unit=org.unit, school_year=YEAR, decisions=_all_continue(unit_preview(org.unit, YEAR)), user=people.rector)
    return Goal.objects.get(continued_from=chain.goal)


def test_indicators_keep_their_source_and_move_a_school_year(org, people, chain):
    new = _rolled(org, people, chain)
    shown = new.indicators.get(continued_from=chain.shown)
    assert (shown.baseline_value, shown.baseline_group_size, shown.baseline_date) == (
        Decimal("78.4"), 48, datetime.date(2025, 11, 20))
    assert shown.target_value == Decimal("85") and shown.target_date == datetime.date(2027, 6, 1)
    fed = new.indicators.get(continued_from=chain.fed)
    assert (fed.kolada.kpi_id, fed.kolada.ou_id, fed.kolada.level) == ("N15505", "V15E128600101", "ou")
    small = new.indicators.get(continued_from=chain.small)
    assert (small.baseline_value, small.baseline_group_size) == (Decimal("43.5"), 8)


def test_no_suppressed_value_becomes_visible_through_the_rollover(org, people, login, chain, settings, tmp_path):
    new = _rolled(org, people, chain)
    page = login(people.rector).get(reverse("unit_detail", args=[org.unit.pk]), {"lasar": NEXT.start_year}).content.decode()
    assert "Andel trygga i omklädningsrummet" in page and "78,4" in page
    for hidden in HIDDEN:
        assert hidden not in page
    workbook = load_workbook(io.BytesIO(login(people.rector).get(
        reverse("unit_export", args=[org.unit.pk]) + f"?lasar={NEXT.start_year}").content))
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert ".." in cells
    assert not any(isinstance(c, (int, float, Decimal)) and float(c) in (91.25, 43.5) for c in cells)
    assert not any(isinstance(c, str) and any(h in c for h in HIDDEN) for c in cells)

    settings.MEDIA_ROOT = tmp_path / "media"
    report = UnitReport.objects.create(unit=org.unit, school_year=NEXT, status=UnitReport.Status.APPROVED)
    ReportSection.objects.create(report=report, title="Indikatorer", data_part=DataPart.INDICATORS, done=True, sort_order=1)
    data = gather("unit", school_year=NEXT, unit_report=report)
    content, _pages = write_pdf(render_html(data))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Andel trygga i omklädningsrummet" in text
    for hidden in HIDDEN:
        assert hidden not in text and hidden not in json.dumps(data)
    assert CheckIn.objects.filter(indicator__goal=new).count() == 0  # nothing copied as a check-in


def test_the_levels_page_previews_before_it_carries_anything_over(org, people, login, chain):
    client = login(people.leadership)
    url = reverse("levels_rollover") + f"?lasar={YEAR.start_year}"
    page = client.get(url).content.decode()
    assert "För över målen till 2026/27" in page and chain.admin_goal.title in page
    data = {f"action-{g.pk}": "continue" for g in (chain.area, chain.committee_goal, chain.admin_goal, chain.other_admin_goal)}
    data[f"action-{chain.other_admin_goal.pk}"] = "close"
    response = client.post(url, {**data, "preview": "1"})
    body = response.content.decode()
    assert response.status_code == 200 and "Välj hur målet slutade." in body and "Skriv varför målet avslutas." in body
    data.update({f"outcome-{chain.other_admin_goal.pk}": "attained", f"reason-{chain.other_admin_goal.pk}": "Nått."})
    preview = client.post(url, {**data, "preview": "1"}).content.decode()
    assert "Förhandsgranskning" in preview and "fortsätter 2026/27 under" in preview
    assert "avslutas 30 juni 2026" in preview and not Goal.objects.filter(school_year=NEXT).exists()
    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    assert Goal.objects.filter(school_year=NEXT).count() == 3
    assert "Fortsatt 2026/27" in client.get(url).content.decode()


def test_a_rektor_carries_the_units_goals_over_from_the_unit_page(org, people, login, chain):
    levels_roll_over(administration=org.administration, school_year=YEAR,
                     decisions=_all_continue(levels_preview(org.administration, YEAR)), user=people.leadership)
    client = login(people.rector)
    unit_page = client.get(reverse("unit_detail", args=[org.unit.pk]), {"lasar": YEAR.start_year}).content.decode()
    url = reverse("unit_rollover", args=[org.unit.pk]) + f"?lasar={YEAR.start_year}"
    assert url.replace("&", "&amp;") in unit_page
    data = {f"action-{chain.goal.pk}": "continue", f"action-{chain.local.pk}": "continue"}
    assert "Fortsätter under" in client.post(url, {**data, "preview": "1"}).content.decode()
    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"?lasar={NEXT.start_year}#chain")
    assert Goal.objects.get(continued_from=chain.goal).level == Goal.Level.UNIT
    assert login(people.other_rector).get(url).status_code == 404
