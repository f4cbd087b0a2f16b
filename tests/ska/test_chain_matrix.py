"""The administration's matrix of units × administration-wide goals."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ska.models import Analysis
from ska.schoolyear import SchoolYear

from ..factories import ActivityFactory, AdministrationGoalFactory, IndicatorFactory, UnitFactory, UnitGoalFactory


@pytest.fixture
def year():
    return SchoolYear.current()


def _goal(year, **kwargs):
    return {"school_year": year, "start_term": year.autumn, "end_term": year.spring, **kwargs}


def _complete_unit_goal(unit, parent, year):
    goal = UnitGoalFactory(unit=unit, parent=parent, **_goal(year))
    indicator = IndicatorFactory(goal=goal)
    ActivityFactory(goal=goal).indicators.add(indicator)
    Analysis.objects.create(goal=goal, term=year.autumn)
    return goal


def _cells(response):
    return {(row.unit.name, i): cell for row in response.context["rows"] for i, cell in enumerate(row.cells)}


def test_each_cell_says_what_the_units_chain_has(org, people, login, year):
    reading = AdministrationGoalFactory(administration=org.administration, title="Läsning", **_goal(year))
    safety = AdministrationGoalFactory(administration=org.administration, title="Trygghet", **_goal(year))
    _complete_unit_goal(org.unit, reading, year)
    partial = UnitGoalFactory(unit=org.other_unit, parent=safety, **_goal(year))
    IndicatorFactory(goal=partial, target_value=None)
    response = login(people.leadership).get(reverse("chain_matrix"))
    assert response.status_code == 200
    cells = _cells(response)
    assert cells[("Österportskolan", 0)].is_complete
    assert not cells[("Österportskolan", 1)].linked
    other = cells[("Västervångskolan", 1)]
    assert other.linked and not other.has_measured_indicators and not other.has_activity and not other.has_follow_up
    body = response.content.decode()
    assert "✓ Komplett" in body and "✗ Inget mål" in body and "Läsning" in body


def test_a_deleted_activity_no_longer_counts(org, people, login, year):
    from ska.services.records import record_delete

    reading = AdministrationGoalFactory(administration=org.administration, **_goal(year))
    goal = _complete_unit_goal(org.unit, reading, year)
    record_delete(record=goal.activities.get(), user=people.rector)
    cell = _cells(login(people.leadership).get(reverse("chain_matrix")))[("Österportskolan", 0)]
    assert cell.linked and not cell.has_activity and not cell.is_complete


def test_only_leadership_sees_the_matrix(org, people, login):
    for person, status in [("leadership", 200), ("sysadmin", 200), ("rector", 403), ("contributor", 403),
                           ("secretary", 403), ("provider_contact", 403), ("outsider", 403)]:
        assert login(getattr(people, person)).get(reverse("chain_matrix")).status_code == status, person


def test_the_matrix_runs_the_same_queries_for_10_units_as_for_200(org, people, login, year):
    goals = [AdministrationGoalFactory(administration=org.administration, **_goal(year)) for _ in range(3)]

    def add_units(n):
        for _ in range(n):
            unit = UnitFactory(administration=org.administration)
            _complete_unit_goal(unit, goals[0], year)
            UnitGoalFactory(unit=unit, parent=goals[1], **_goal(year))

    def queries():
        client = login(people.leadership)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("chain_matrix")).status_code == 200
        return len(context.captured_queries)

    add_units(10 - 3)
    ten = queries()
    add_units(190)
    assert queries() == ten
