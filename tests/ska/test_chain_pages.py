"""The unit's goal chain in the browser's pages: the tree, gaps, check-ins through htmx,
access and query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ska.models import Analysis, CheckIn
from ska.schoolyear import SchoolYear, Term

from ..factories import ActivityFactory, AdministrationGoalFactory, CheckInFactory, IndicatorFactory, UnitGoalFactory


@pytest.fixture
def year():
    return SchoolYear.current()


@pytest.fixture
def goal(org, year):
    parent = AdministrationGoalFactory(administration=org.administration, school_year=year,
                                       start_term=year.autumn, end_term=year.spring, title="Trygghet och studiero")
    return UnitGoalFactory(unit=org.unit, parent=parent, school_year=year, start_term=year.autumn,
                           end_term=year.spring, title="Ökad studiero")


def test_the_unit_page_shows_the_chain_as_a_tree_with_its_gaps(org, people, login, goal):
    indicator = IndicatorFactory(goal=goal, title="Arbetsro på lektionerna", baseline_value=Decimal("60"),
                                 target_value=Decimal("80"))
    CheckInFactory(indicator=indicator, value=Decimal("70"), date=timezone.localdate())
    ActivityFactory(goal=goal, title="Gemensamma lektionsstarter")
    body = login(people.rector).get(reverse("unit_detail", args=[org.unit.pk])).content.decode()
    assert "Ökad studiero" in body and "Trygghet och studiero" in body
    assert "Arbetsro på lektionerna" in body and 'value="50"' in body  # halfway from 60 to 80
    assert "Gemensamma lektionsstarter" in body
    assert "Kopplad till ingen indikator." in body  # the activity moves no indicator yet
    # The follow-up and analysis is missing once a term of the goal has ended, not before.
    from ska.chain_status import ended_term

    ended = ended_term(goal.school_year, timezone.localdate())
    if ended:
        assert f"Inte uppföljt och analyserat för {ended}." in body
    else:
        assert "Ingen uppföljning och analys än" in body and "Målet har inte följts upp" not in body
    assert '<svg class="indicator-chart"' in body and "Avstämning" in body


def test_the_chain_is_for_the_chosen_school_year(org, people, login, goal, year):
    previous = UnitGoalFactory(unit=org.unit, school_year=year.previous(), title="Förra årets mål",
                               start_term=year.previous().autumn, end_term=year.previous().spring,
                               parent__school_year=year.previous(), parent__administration=org.administration)
    client = login(people.rector)
    now = client.get(reverse("unit_detail", args=[org.unit.pk])).content.decode()
    assert "Ökad studiero" in now and previous.title not in now
    then = client.get(reverse("unit_detail", args=[org.unit.pk]), {"lasar": year.previous().start_year}).content.decode()
    assert previous.title in then and "Ökad studiero" not in then
    assert client.get(reverse("unit_detail", args=[org.unit.pk]), {"lasar": "x\x00"}).status_code == 200


def test_goal_crowding_is_warned_at_the_administrations_limit(org, people, login, goal, year):
    org.administration.goal_limit = 2
    org.administration.save()
    for n in range(2):
        UnitGoalFactory(unit=org.unit, parent=goal.parent, school_year=year, start_term=year.autumn, end_term=year.spring)
    body = login(people.rector).get(reverse("unit_detail", args=[org.unit.pk])).content.decode()
    assert "Målträngsel" in body and "3 mål" in body and "högst 2" in body


def test_drafts_and_goals_closed_early_do_not_crowd(org, people, login, goal, year):
    org.administration.goal_limit = 2
    org.administration.save()
    UnitGoalFactory(unit=org.unit, parent=goal.parent, school_year=year, status="draft")
    UnitGoalFactory(unit=org.unit, parent=goal.parent, school_year=year, status="closed",
                    closed_on=year.start, outcome="not_relevant", closing_reason="Ersatt")
    body = login(people.rector).get(reverse("unit_detail", args=[org.unit.pk])).content.decode()
    assert "Målträngsel" not in body


def test_a_check_in_takes_one_post_and_redraws_the_indicator(org, people, login, goal):
    indicator = IndicatorFactory(goal=goal, baseline_value=Decimal("60"), target_value=Decimal("80"))
    response = login(people.rector).post(
        reverse("check_in_create", args=[indicator.pk]), {"value": "75,5"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    check_in = CheckIn.objects.get(indicator=indicator)
    assert check_in.value == Decimal("75.5") and check_in.date == timezone.localdate()
    assert check_in.history.get().history_user == people.rector
    fragment = response.content.decode()
    assert "<html" not in fragment and f'id="indicator-{indicator.pk}"' in fragment
    assert "75,5" in fragment and "Avstämningen har sparats." in fragment


def test_a_bad_check_in_is_explained_beside_the_field_and_saves_nothing(org, people, login, goal):
    indicator = IndicatorFactory(goal=goal)
    response = login(people.rector).post(
        reverse("check_in_create", args=[indicator.pk]), {"value": "mycket", "group_size": "-3"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="checkin-{indicator.pk}-value_error"' in body and "Fyll i ett tal." in body
    assert f'id="checkin-{indicator.pk}-group_size_error"' in body
    assert not CheckIn.objects.exists()


def test_rektor_cannot_touch_another_units_chain(org, people, login, year):
    other_goal = UnitGoalFactory(unit=org.other_unit, school_year=year, start_term=year.autumn, end_term=year.spring,
                                 parent__administration=org.administration, parent__school_year=year)
    indicator = IndicatorFactory(goal=other_goal)
    client = login(people.rector)
    page = client.get(reverse("unit_detail", args=[org.other_unit.pk]))
    assert page.status_code == 404 and other_goal.title not in page.content.decode()
    crafted = client.post(reverse("check_in_create", args=[indicator.pk]), {"value": "99"}, headers={"HX-Request": "true"})
    assert crafted.status_code == 404
    assert not CheckIn.objects.exists()
    # Those who may see a unit but not keep its chain (a provider's contact) see no chain at all.
    assert "Styrkedjan" not in login(people.provider_contact).get(reverse("unit_detail", args=[org.provider_unit.pk])).content.decode()


def test_leadership_may_record_check_ins_too(org, people, login, goal):
    indicator = IndicatorFactory(goal=goal)
    assert login(people.leadership).post(reverse("check_in_create", args=[indicator.pk]), {"value": "1"}).status_code == 302
    assert CheckIn.objects.filter(indicator=indicator).exists()


def test_the_unit_page_runs_the_same_queries_for_a_small_and_a_large_chain(org, people, login, goal, year):
    def build(goal, n):
        for i in range(n):
            indicator = IndicatorFactory(goal=goal)
            for d in range(3):
                CheckInFactory(indicator=indicator, date=datetime.date(2025, 9, 1) + datetime.timedelta(days=30 * d))
            activity = ActivityFactory(goal=goal)
            activity.indicators.add(indicator)
        Analysis.objects.create(goal=goal, term=Term.parse(f"HT {year.start_year}"))

    def queries():
        client = login(people.rector)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("unit_detail", args=[org.unit.pk])).status_code == 200
        return len(context.captured_queries)

    build(goal, 1)
    small = queries()
    for _ in range(6):
        build(UnitGoalFactory(unit=org.unit, parent=goal.parent, school_year=year, start_term=year.autumn,
                              end_term=year.spring), 4)
    assert queries() == small


def test_the_rektors_start_page_lists_the_gaps_as_things_to_do(org, people, login, goal, year):
    AdministrationGoalFactory(administration=org.administration, title="Delaktighet", school_year=year,
                              start_term=year.autumn, end_term=year.spring)
    IndicatorFactory(goal=goal, title="Trygghetsenkäten", target_value=None)
    body = login(people.rector).get(reverse("start")).content.decode()
    assert "Inget av enhetens mål hör till det förvaltningsgemensamma målet ”Delaktighet”." in body
    assert "Ökad studiero: Indikatorn ”Trygghetsenkäten” saknar nuläge eller önskat läge." in body
    assert "Ökad studiero: Målet har ingen aktivitet." in body
    other = login(people.other_rector).get(reverse("start")).content.decode()
    assert "Trygghetsenkäten" not in other and "Ökad studiero" not in other


def test_the_rektors_start_page_runs_the_same_queries_for_a_small_and_a_large_chain(org, people, login, goal, year):
    def queries():
        client = login(people.rector)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("start")).status_code == 200
        return len(context.captured_queries)

    IndicatorFactory(goal=goal)
    ActivityFactory(goal=goal)  # one of each kind, so that every prefetch runs in both cases
    small = queries()
    for _ in range(5):
        extra = UnitGoalFactory(unit=org.unit, parent=goal.parent, school_year=year, start_term=year.autumn,
                                end_term=year.spring)
        for _ in range(3):
            CheckInFactory(indicator=IndicatorFactory(goal=extra))
        ActivityFactory(goal=extra)
        AdministrationGoalFactory(administration=org.administration, school_year=year, start_term=year.autumn,
                                  end_term=year.spring)
    assert queries() == small


def test_the_unit_page_runs_the_same_queries_in_a_municipality_of_10_units_as_of_200(org, people, login, goal, year):
    from ..factories import UnitFactory

    def queries():
        client = login(people.rector)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("unit_detail", args=[org.unit.pk])).status_code == 200
        return len(context.captured_queries)

    def units(n):
        for _ in range(n):
            unit = UnitFactory(administration=org.administration)
            other = UnitGoalFactory(unit=unit, parent=goal.parent, school_year=year, start_term=year.autumn,
                                    end_term=year.spring)
            CheckInFactory(indicator=IndicatorFactory(goal=other))

    CheckInFactory(indicator=IndicatorFactory(goal=goal))
    ActivityFactory(goal=goal)
    units(10 - 3)
    ten = queries()
    units(190)
    assert queries() == ten
