"""Equity across units and the administration-wide goal's page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ska.equity import shared_indicators, spread
from ska.schoolyear import SchoolYear

from ..factories import AdministrationGoalFactory, CheckInFactory, IndicatorFactory, UnitFactory, UnitGoalFactory


@pytest.fixture
def year():
    return SchoolYear.current()


@pytest.fixture
def admin_goal(org, year):
    return AdministrationGoalFactory(administration=org.administration, school_year=year, start_term=year.autumn,
                                     end_term=year.spring, title="Trygghet")


def _unit_value(org, admin_goal, year, name, *, checked=None, baseline=Decimal("50"), title="Trygghetsenkäten"):
    unit = UnitFactory(name=name, administration=org.administration)
    goal = UnitGoalFactory(unit=unit, parent=admin_goal, school_year=year, start_term=year.autumn, end_term=year.spring)
    indicator = IndicatorFactory(goal=goal, title=title, baseline_value=baseline)
    if checked is not None:
        CheckInFactory(indicator=indicator, value=Decimal("1"), date=year.start)
        CheckInFactory(indicator=indicator, value=Decimal(checked), date=year.start.replace(month=10))
    return unit


def test_the_spread_of_a_shared_indicator(org, admin_goal, year):
    for name, value in [("A", 70), ("B", 72), ("C", 74), ("D", 76), ("E", 78), ("F", 20)]:
        _unit_value(org, admin_goal, year, name, checked=value)
    _unit_value(org, admin_goal, year, "G", baseline=Decimal("75"))  # no check-in: its current state counts
    _unit_value(org, admin_goal, year, "H", title="Något annat")
    result = spread(admin_goal, "Trygghetsenkäten")
    assert [(v.unit_name, v.value) for v in result.values] == [
        ("F", 20), ("A", 70), ("B", 72), ("C", 74), ("G", 75), ("D", 76), ("E", 78)
    ]
    assert result.minimum == 20 and result.maximum == 78 and result.median == 74
    assert [v.unit_name for v in result.outliers] == ["F"] and result.outliers[0].outlier == "low"
    assert not next(v for v in result.values if v.unit_name == "G").from_check_in
    assert shared_indicators(admin_goal) == [("Trygghetsenkäten", 7), ("Något annat", 1)]


def test_the_equity_page_shows_the_spread_in_words_and_a_table(org, people, login, admin_goal, year):
    for name, value in [("Alfa", 70), ("Beta", 72), ("Gamma", 74), ("Delta", 20)]:
        _unit_value(org, admin_goal, year, name, checked=value)
    response = login(people.leadership).get(reverse("equity", args=[admin_goal.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Spridning över 4 enheter" in body and "Avvikande: Delta (20 %)" in body
    assert "◆ ovanligt lågt" in body


def test_only_leadership_sees_equity_and_the_administration_goal(org, people, login, admin_goal):
    for name in ["equity", "administration_goal"]:
        url = reverse(name, args=[admin_goal.pk])
        assert login(people.leadership).get(url).status_code == 200
        assert login(people.rector).get(url).status_code == 403
        assert login(people.provider_contact).get(url).status_code == 404


@pytest.mark.parametrize("url_name", ["equity", "administration_goal"])
def test_same_queries_for_10_units_as_for_200(org, people, login, admin_goal, year, url_name):
    def queries():
        client = login(people.leadership)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse(url_name, args=[admin_goal.pk])).status_code == 200
        return len(context.captured_queries)

    for n in range(10):
        _unit_value(org, admin_goal, year, f"Enhet {n:03d}", checked=60 + n)
    ten = queries()
    for n in range(10, 200):
        _unit_value(org, admin_goal, year, f"Enhet {n:03d}", checked=60 + n % 20)
    assert queries() == ten
