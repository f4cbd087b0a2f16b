"""Small-number suppression outside the PDFs: a check-in from a group smaller than the
municipality's threshold (default 10) shows as ".." with a note in the chain's pages, the
administration's pages, the chain's Excel export and the chart's text alternative — never its
value. Only the check-in's own edit form shows the number that was entered."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from ska.charts import chart_description, indicator_chart
from ska.chain_status import goal_states
from ska.equity import spread
from ska.models import CheckIn, Goal
from ska.suppression import footnote

from ..factories import CheckInFactory, DialogueFactory, IndicatorFactory, RoundFactory, UnitGoalFactory
from .conftest import SMALL_GROUP_VALUE

HIDDEN = ("91,25", "91.25")
MARK = '<span aria-hidden="true">..</span>'


def _unit_page(client, chain):
    return client.get(reverse("unit_detail", args=[chain.unit.pk]), {"lasar": chain.school_year.start_year})


def _assert_hidden(body: str):
    for text in HIDDEN:
        assert text not in body


def _note(threshold=10):
    with translation.override("sv"):
        return footnote(threshold)


# --- The unit's chain ----------------------------------------------------------------------------
def test_the_unit_page_shows_dots_and_a_note_instead_of_the_small_groups_value(report_chain, people, login):
    body = _unit_page(login(people.rector), report_chain).content.decode()
    _assert_hidden(body)
    indicator = report_chain.indicator
    assert MARK in body and f'id="indicator-{indicator.pk}-suppressed"' in body
    assert f'href="#indicator-{indicator.pk}-suppressed"' in body and _note() in body
    # The latest value shown is the latest that may be shown, and progress is measured from it.
    assert "78,4" in body
    assert f'<progress id="progress-{indicator.pk}" max="100" value="49">' in body  # (78.4 - 72) / (85 - 72)
    # The local goal's check-in without a group size is shown as it is, with no note.
    assert f'id="indicator-{report_chain.local_indicator.pk}-suppressed"' not in body


def test_the_chart_leaves_the_point_out_and_says_so(report_chain):
    (state,) = [s for g in goal_states(Goal.objects.filter(pk=report_chain.goal.pk)) for s in g.indicators]
    assert state.suppression_threshold == 10 and state.latest_suppressed
    svg = str(indicator_chart(state.indicator, state.check_ins, threshold=10))
    _assert_hidden(svg)
    assert svg.count('class="point"') == 1  # only the check-in that may be shown
    with translation.override("en"):
        text = chart_description(state.indicator, state.check_ins, threshold=10)
    assert "Check-in 20 March 2026: the value is not shown, as it comes from a group smaller than 10." in text
    assert "Check-in 20 November 2025: 78.40 %." in text and "91" not in text
    # A report's snapshot dicts are understood too: a suppressed one has no value at all.
    snapshot = [{"date": "2026-03-20", "value": None, "suppressed": True}, {"date": "2025-11-20", "value": "78.40", "suppressed": False}]
    with translation.override("en"):
        assert "2026: the value is not shown" in chart_description(state.indicator, snapshot, threshold=10)


def test_the_indicator_fragment_redrawn_by_htmx_hides_it_too(report_chain, people, login):
    indicator = report_chain.indicator
    response = login(people.rector).post(
        reverse("check_in_create", args=[indicator.pk]), {"value": "mycket"}, headers={"HX-Request": "true"}
    )
    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    _assert_hidden(fragment)
    assert MARK in fragment and f'id="indicator-{indicator.pk}-suppressed"' in fragment


def test_the_analysis_form_shows_dots_beside_the_validity_questions(report_chain, people, login):
    response = login(people.rector).get(reverse("analysis_edit", args=[report_chain.analysis.pk]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    _assert_hidden(body)
    assert MARK in body and f'id="validity-{report_chain.indicator.pk}-suppressed"' in body


def test_only_the_check_ins_own_edit_form_shows_the_number_entered(report_chain, people, login):
    response = login(people.rector).get(reverse("check_in_edit", args=[report_chain.small_check_in.pk]))
    assert response.status_code == 200 and "91,25" in response.content.decode()


# --- The threshold is the municipality's ---------------------------------------------------------
def test_a_group_of_ten_is_shown(report_chain, people, login):
    CheckIn.objects.filter(pk=report_chain.small_check_in.pk).update(group_size=10)
    body = _unit_page(login(people.rector), report_chain).content.decode()
    assert "91,25" in body and MARK not in body


def test_a_municipality_with_threshold_five_shows_the_group_of_nine(report_chain, org, people, login):
    org.municipality.suppression_threshold = 5
    org.municipality.save()
    client = login(people.leadership)
    assert "91,25" in _unit_page(client, report_chain).content.decode()
    assert "91,25" in client.get(reverse("administration_goal", args=[report_chain.admin_goal.pk])).content.decode()
    workbook = load_workbook(io.BytesIO(client.get(_unit_export(report_chain)).content))
    sheet = workbook["Avstämningar"]
    values = dict(zip(_column(sheet, "Avstämnings-ID"), _column(sheet, "Värde")))
    assert Decimal(str(values[report_chain.small_check_in.pk])) == SMALL_GROUP_VALUE
    assert len(workbook.sheetnames) == 6  # nothing suppressed: no notes


def test_a_stricter_threshold_hides_more(report_chain, org, people, login):
    org.municipality.suppression_threshold = 50
    org.municipality.save()
    body = _unit_page(login(people.rector), report_chain).content.decode()
    assert "78,4" not in body and _note(50) in body


# --- The administration's pages ---------------------------------------------------------------
def test_the_administration_goal_page_hides_it(report_chain, people, login):
    body = login(people.leadership).get(reverse("administration_goal", args=[report_chain.admin_goal.pk])).content.decode()
    _assert_hidden(body)
    assert MARK in body and "78,4" in body
    assert body.count(f'id="goal-{report_chain.admin_goal.pk}-suppressed"') == 1


def test_the_equity_page_leaves_suppressed_units_out_and_says_how_many(report_chain, org, people, login):
    title = report_chain.indicator.title
    goal = UnitGoalFactory(unit=org.other_unit, parent=report_chain.admin_goal)
    CheckInFactory(indicator=IndicatorFactory(goal=goal, title=title), value=Decimal("80"), group_size=30)
    response = login(people.leadership).get(reverse("equity", args=[report_chain.admin_goal.pk]), {"indikator": title})
    body = response.content.decode()
    _assert_hidden(body)
    result = response.context["spread"]
    assert [v.unit_name for v in result.values] == [org.other_unit.name] and result.suppressed == 1
    assert 'id="equity-suppressed"' in body and _note() in body
    assert org.unit.name not in body.split('id="equity-caption"')[1]  # not in the table


def test_equity_with_every_value_suppressed_says_so(report_chain):
    result = spread(report_chain.admin_goal, report_chain.indicator.title)
    assert result.values == [] and result.suppressed == 1 and result.minimum is None


def test_the_dialogue_preparation_shows_no_value(report_chain, org, people, login):
    round_ = RoundFactory(administration=org.administration, kind="administration", school_year=report_chain.school_year)
    dialogue = DialogueFactory(round=round_, unit=org.unit)
    response = login(people.rector).get(reverse("dialogs:dialogue_prepare", args=[dialogue.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and report_chain.goal.title in body
    _assert_hidden(body)


def test_the_start_page_shows_no_value(report_chain, people, login):
    _assert_hidden(login(people.rector).get(reverse("start")).content.decode())


# --- The chain's Excel export ---------------------------------------------------------------------
def _unit_export(chain):
    return reverse("unit_export", args=[chain.unit.pk]) + f"?lasar={chain.school_year.start_year}"


def _column(sheet, heading):
    rows = list(sheet.iter_rows(values_only=True))
    index = rows[0].index(heading)
    return [row[index] for row in rows[1:]]


def _every_cell(workbook):
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]


@pytest.mark.parametrize("export", ["unit", "administration"])
def test_the_chain_export_has_dots_and_a_notes_sheet(report_chain, org, people, login, export):
    client = login(people.leadership)
    url = _unit_export(report_chain) if export == "unit" else (
        reverse("administration_export") + f"?forvaltning={org.administration.pk}&lasar={report_chain.school_year.start_year}"
    )
    workbook = load_workbook(io.BytesIO(client.get(url).content))
    cells = _every_cell(workbook)
    assert not any(isinstance(c, (int, float)) and abs(c - 91.25) < 0.001 for c in cells)
    assert not any(isinstance(c, str) and ("91,25" in c or "91.25" in c) for c in cells)
    sheet = workbook["Avstämningar"]
    ids = _column(sheet, "Avstämnings-ID")
    values = dict(zip(ids, _column(sheet, "Värde")))
    assert values[report_chain.small_check_in.pk] == ".."
    assert values[report_chain.shown_check_in.pk] == pytest.approx(78.4)  # a real number cell
    assert dict(zip(ids, _column(sheet, "Gruppstorlek")))[report_chain.small_check_in.pk] == 9
    notes = workbook.worksheets[-1]
    assert notes.title not in ("Avstämningar", "Analyser")
    assert [row[0] for row in notes.iter_rows(values_only=True)][1] == f"..: {_note()}"


def test_an_export_without_small_groups_has_no_notes_sheet(report_chain, people, login):
    CheckIn.objects.filter(pk=report_chain.small_check_in.pk).update(group_size=None)
    workbook = load_workbook(io.BytesIO(login(people.rector).get(_unit_export(report_chain)).content))
    assert workbook.sheetnames == ["Mål", "Indikatorer", "Avstämningar", "Aktiviteter", "Uppföljningar", "Analyser"]


def test_the_exported_workbook_imported_again_keeps_the_suppressed_value(report_chain, people, login):
    client = login(people.rector)
    content = client.get(_unit_export(report_chain)).content
    before = [(c.pk, c.value, c.group_size, c.comment, c.version) for c in CheckIn.objects.order_by("pk")]
    upload = io.BytesIO(content)
    upload.name = "export.xlsx"
    url = reverse("check_in_import", args=[report_chain.unit.pk]) + f"?lasar={report_chain.school_year.start_year}"
    response = client.post(url, {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [(c.pk, c.value, c.group_size, c.comment, c.version) for c in CheckIn.objects.order_by("pk")] == before


def test_dots_on_a_new_check_in_row_are_refused(report_chain, people, login):
    from ska.excel.check_in_import import check_ins_import
    from ska.excel.export import check_in_headers
    from ska.excel.writer import Sheet, write_workbook

    with translation.override("sv"):
        data = write_workbook([Sheet("Avstämningar", check_in_headers(), [["", report_chain.indicator.pk, "", "", "", datetime.date(2026, 4, 1), "..", 12, ""]])])
        result = check_ins_import(data=data, indicators=[report_chain.indicator], user=people.rector)
    assert [(e.row, e.column) for e in result.errors] == [(2, "G")]


# --- Queries stay the same however much is suppressed ---------------------------------------------
def test_the_unit_page_runs_the_same_queries_with_more_suppressed_values(report_chain, people, login):
    def queries():
        client = login(people.rector)
        with CaptureQueriesContext(connection) as context:
            assert _unit_page(client, report_chain).status_code == 200
        return len(context.captured_queries)

    small = queries()
    for n in range(8):
        indicator = IndicatorFactory(goal=report_chain.goal)
        CheckInFactory(indicator=indicator, value=Decimal("50") + n, group_size=n + 2)
        CheckInFactory(indicator=indicator, value=Decimal("60") + n, group_size=40, date=datetime.date(2026, 1, 1))
    assert queries() == small


def test_a_check_ins_history_with_its_raw_value_is_only_for_those_who_keep_it(org, people, login, report_chain):
    from django.urls import reverse

    url = reverse("record_history", args=["avstamning", report_chain.small_check_in.pk])
    assert login(people.rector).get(url).status_code == 200  # keeps the unit's chain, entered the value
    assert login(people.leadership).get(url).status_code == 200
    assert login(people.other_rector).get(url).status_code == 404
    for who in ("secretary", "member"):
        assert login(getattr(people, who)).get(url).status_code in (403, 404), who


def test_an_administration_indicators_check_in_history_is_refused_to_readers_who_do_not_keep_it(org, people, login):
    import datetime
    from decimal import Decimal

    from django.urls import reverse

    from ska.models import CheckIn, Indicator
    from tests.factories import AdministrationGoalFactory

    goal = AdministrationGoalFactory(administration=org.administration)
    indicator = Indicator.objects.create(goal=goal, title="Andel nyanlända elever med behörighet")
    check_in = CheckIn.objects.create(indicator=indicator, date=datetime.date(2026, 3, 1), value=Decimal("17.5"), group_size=5)
    url = reverse("record_history", args=["avstamning", check_in.pk])
    response = login(people.rector).get(url)  # sees the administration's goals, may not keep them
    assert response.status_code == 403
    assert b"17,5" not in response.content and b"17.5" not in response.content
    assert login(people.leadership).get(url).status_code == 200
