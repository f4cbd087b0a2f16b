"""Administration-wide indicators: defined once on an administration-wide goal, on every unit it
applies to (and nowhere else) with the unit's own baseline and target, grouped by definition in
the equity view with a trend over the school years and a split by school form."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from ska.equity import by_school_form, definition_spread, trend
from ska.models import Goal, Indicator, SchoolForm
from ska.schoolyear import SchoolYear
from ska.services.rollover import CONTINUE, Decision, goal_continue
from ska.services.shared_indicators import roll_out

from ..factories import AdministrationGoalFactory, CheckInFactory, UnitFactory, UnitGoalFactory

YEAR = SchoolYear(2026)
PERIOD = {"school_year": YEAR, "start_term": YEAR.autumn, "end_term": YEAR.spring}
HTMX = {"HX-Request": "true"}


@pytest.fixture
def admin_goal(org):
    return AdministrationGoalFactory(administration=org.administration, title="Trygghet och studiero", **PERIOD)


@pytest.fixture
def unit_goals(org, admin_goal):
    return {unit: UnitGoalFactory(unit=unit, parent=admin_goal, title=f"Trygghet på {unit.name}", **PERIOD)
            for unit in (org.unit, org.other_unit, org.preschool)}


def _define(client, admin_goal, **extra):
    data = {"title": "Andel elever som känner sig trygga", "measures": "Skolenkäten, fråga 12", "source_kind": "survey",
            "source": "Skolenkäten", "unit_of_measure": "%", "direction": "higher", "administration_wide": "on", **extra}
    return client.post(reverse("indicator_create", args=[admin_goal.pk]), data)


def test_defined_once_it_appears_on_every_unit_it_applies_to_and_nowhere_else(org, people, login, admin_goal, unit_goals):
    grundskola = SchoolForm.objects.get(code="grundskola")
    response = _define(login(people.leadership), admin_goal, school_forms=[grundskola.pk])
    assert response.status_code == 302
    definition = Indicator.objects.get(goal=admin_goal)
    assert definition.administration_wide and list(definition.school_forms.all()) == [grundskola]
    copies = Indicator.objects.filter(definition=definition)
    assert {c.goal.unit for c in copies} == {org.unit, org.other_unit}
    assert all(c.title == definition.title and c.unit_of_measure == "%" and c.source_kind == "survey" for c in copies)
    # The preschool's page does not show it; the school's does, as the administration's.
    preschool = login(people.leadership).get(reverse("unit_detail", args=[org.preschool.pk])).content.decode()
    assert "Andel elever som känner sig trygga" not in preschool
    school = login(people.rector).get(reverse("unit_detail", args=[org.unit.pk])).content.decode()
    assert "Andel elever som känner sig trygga" in school and "Formuleringen och källan kommer från förvaltningen" in school


def test_a_unit_keeps_its_own_baseline_and_target_but_not_the_wording(org, people, login, admin_goal, unit_goals):
    _define(login(people.leadership), admin_goal)
    copy = Indicator.objects.get(definition__goal=admin_goal, goal__unit=org.unit)
    client = login(people.rector)
    form = client.get(reverse("indicator_edit", args=[copy.pk]), headers=HTMX).content.decode()
    assert 'name="title"' not in form and 'name="baseline_value"' in form and "Ta bort" not in form
    response = client.post(reverse("indicator_edit", args=[copy.pk]), {
        "title": "Något annat", "baseline_value": "71,5", "baseline_group_size": "120", "target_value": "85",
        "version": copy.version,
    })
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.title == "Andel elever som känner sig trygga"
    assert (copy.baseline_value, copy.baseline_group_size, copy.target_value) == (Decimal("71.5"), 120, Decimal("85"))
    assert client.post(reverse("record_delete", args=["indikator", copy.pk])).status_code == 403
    assert Indicator.objects.filter(pk=copy.pk).exists()


def test_a_unit_goal_made_later_gets_it_and_the_wording_follows_the_definition(org, people, login, admin_goal, unit_goals):
    _define(login(people.leadership), admin_goal)
    definition = Indicator.objects.get(goal=admin_goal)
    new_unit = UnitFactory(name="Norrskolan", administration=org.administration, forms=["grundskola"])
    login_rector = login(people.leadership)
    response = login_rector.post(reverse("goal_create", args=[new_unit.pk]) + "?lasar=2026", {
        "title": "Trygg skola", "parent": admin_goal.pk, "start_term": YEAR.autumn.code, "end_term": YEAR.spring.code,
    })
    assert response.status_code == 302
    assert Indicator.objects.filter(definition=definition, goal__unit=new_unit).count() == 1
    login(people.leadership).post(reverse("indicator_edit", args=[definition.pk]), {
        "title": "Andel trygga elever", "source_kind": "survey", "direction": "higher", "unit_of_measure": "%",
        "administration_wide": "on", "version": definition.version,
    })
    assert set(Indicator.objects.filter(definition=definition).values_list("title", flat=True)) == {"Andel trygga elever"}
    # Limited to förskola: the schools' copies are removed (kept in history), the preschool gets one.
    definition.refresh_from_db()
    definition.school_forms.set([SchoolForm.objects.get(code="forskola")])
    roll_out(definition=definition)
    assert [c.goal.unit for c in Indicator.objects.filter(definition=definition)] == [org.preschool]
    assert Indicator.all_objects.filter(definition=definition, deleted_at__isnull=False).count() == 3


def _values(admin_goal, year_values):
    definition = Indicator.objects.get(goal=admin_goal)
    for copy in Indicator.objects.filter(definition=definition).select_related("goal__unit"):
        value = year_values.get(copy.goal.unit.name)
        if value is not None:
            copy.target_value = Decimal("80")
            copy.save()
            CheckInFactory(indicator=copy, value=Decimal(value), group_size=40,
                           date=datetime.date(copy.goal.school_year.start_year, 11, 15))
    return definition


def test_the_equity_view_groups_by_the_definition_with_a_trend_and_school_forms(org, people, login, admin_goal, unit_goals):
    _define(login(people.leadership), admin_goal)
    # A unit-typed indicator of the same title is not mixed in.
    Indicator.objects.create(goal=unit_goals[org.unit], title="Andel elever som känner sig trygga", baseline_value=5)
    first = _values(admin_goal, {"Österportskolan": 70, "Västervångskolan": 82, "Förskolan Solrosen": 90})
    spread = definition_spread(first)
    assert sorted(v.value for v in spread.values) == [70, 82, 90] and spread.median == 82 and spread.at_target == 2
    # Next school year: the goal and the units' goals continue; new values.
    next_goal = goal_continue(goal=admin_goal)
    for goal in unit_goals.values():
        goal_continue(goal=goal)
    second = _values(next_goal, {"Österportskolan": 78, "Västervångskolan": 84, "Förskolan Solrosen": 91})
    assert second.continued_from == first
    points = trend(second)
    assert [(str(p.school_year), p.spread.median) for p in points] == [("2026/27", 82), ("2027/28", 84)]
    forms = {form.code: spread for form, spread in by_school_form(second)}
    assert forms["grundskola"].median == 81 and forms["forskola"].median == 91

    page = login(people.leadership).get(reverse("equity", args=[next_goal.pk]), {"indikator": f"d{second.pk}"}).content.decode()
    assert "Över läsåren" in page and "2026/27" in page and "2027/28" in page and "Per skolform" in page
    assert "förvaltningsgemensam, 3 enheter" in page
    goal_page = login(people.leadership).get(reverse("administration_goal", args=[next_goal.pk])).content.decode()
    assert "Förvaltningsgemensam" in goal_page and "Enheter med värde" in goal_page and "2 av 3" in goal_page


def test_the_reports_ask_only_the_units_a_goal_applies_to_and_group_by_the_definition(org, people, login, admin_goal, unit_goals):
    from reports.services.data import gather

    admin_goal.school_forms.set([SchoolForm.objects.get(code="grundskola")])
    _define(login(people.leadership), admin_goal)
    # A preschool's goal under a grundskola goal is not asked of it: take it away.
    unit_goals[org.preschool].delete()
    for copy in Indicator.objects.filter(definition__goal=admin_goal).select_related("goal__unit"):
        copy.title = f"Trygga elever på {copy.goal.unit.name}"  # how the units happen to call it does not split it
        copy.save()
        CheckInFactory(indicator=copy, value=Decimal("80"), group_size=50, date=datetime.date(2026, 11, 1))
    data = gather("overall", school_year=YEAR, administration=org.administration)
    goals = next(s for s in data["sections"] if s["id"] == "goals")["goals"]
    goal = next(g for g in goals if g["goal_id"] == admin_goal.pk)
    assert goal["units_total"] == 2 and goal["units_working"] == 2 and goal["units_not_working"] == []
    [item] = goal["indicators"]
    assert item["units"] == 2


def test_the_matrix_shows_each_units_latest_value_of_the_administration_wide_indicator(org, people, login, admin_goal, unit_goals):
    _define(login(people.leadership), admin_goal)
    _values(admin_goal, {"Österportskolan": 70})
    small = Indicator.objects.get(definition__goal=admin_goal, goal__unit=org.other_unit)
    CheckInFactory(indicator=small, value=Decimal("91.25"), group_size=4, date=datetime.date(2026, 11, 15))
    page = login(people.leadership).get(reverse("chain_matrix"), {"lasar": 2026}).content.decode()
    assert "Andel elever som känner sig trygga: <strong>70 %</strong>" in page
    assert "91,25" not in page and "(visas inte: gruppen är för liten)" in page
