"""A goal's life: draft → active → closed with an outcome and a reason (and reopened), changed
by whoever may change the goal; only goals in force count in the matrix, to-do lists and
reports, while closed goals stay readable on the unit's page."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from ska.chain_status import chain_matrix, unit_todo
from ska.models import Goal
from ska.schoolyear import SchoolYear

from ..factories import AdministrationGoalFactory, UnitGoalFactory

TODAY = datetime.date(2026, 12, 6)
YEAR = SchoolYear(2026)


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, 0), tick=False):
        yield


@pytest.fixture
def admin_goal(org):
    return AdministrationGoalFactory(administration=org.administration, school_year=YEAR, start_term=YEAR.autumn,
                                     end_term=YEAR.spring, title="Trygghet och studiero")


@pytest.fixture
def goal(org, admin_goal):
    return UnitGoalFactory(unit=org.unit, parent=admin_goal, school_year=YEAR, start_term=YEAR.autumn,
                           end_term=YEAR.spring, title="Ökad studiero")


def _cell(admin_goal, unit):
    (row,) = chain_matrix([admin_goal], [unit], YEAR)
    return row.cells[0]


def test_a_draft_counts_nowhere_until_it_is_made_active(org, people, login, admin_goal, goal):
    goal.status = Goal.Status.DRAFT
    goal.save()
    assert not _cell(admin_goal, org.unit).linked
    assert any("Trygghet och studiero" in item for item in unit_todo([org.unit], YEAR)[org.unit.pk])
    client = login(people.rector)
    page = client.get(reverse("unit_detail", args=[org.unit.pk])).content.decode()
    assert "Utkast" in page and "Gör målet aktivt" in page

    response = client.post(reverse("goal_activate", args=[goal.pk]), {"version": goal.version})
    assert response.status_code == 302 and response["Location"].endswith(f"#goal-{goal.pk}")
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACTIVE and goal.history.first().history_user == people.rector
    assert _cell(admin_goal, org.unit).linked
    assert "är nu ett aktivt mål" in client.get(response["Location"]).content.decode()


def test_closing_asks_for_outcome_and_reason_in_swedish_and_saves_nothing_without(org, people, login, goal):
    client = login(people.rector)
    url = reverse("goal_close", args=[goal.pk])
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Hur slutade målet?" in form and "När läsåret slutar" in form
    response = client.post(url, {"version": goal.version, "outcome": "", "closing_reason": " ", "when": "today"})
    body = response.content.decode()
    assert response.status_code == 200 and body.count("Detta fält måste fyllas i.") == 2
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACTIVE and goal.version == 1


def test_a_goal_closed_today_stops_counting_but_stays_readable(org, people, login, admin_goal, goal):
    client = login(people.rector)
    response = client.post(
        reverse("goal_close", args=[goal.pk]),
        {"version": goal.version, "outcome": "not_relevant", "closing_reason": "Ersätts av <ett nytt mål>.", "when": "today"},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.status, goal.closed_on, goal.outcome) == (Goal.Status.CLOSED, TODAY, "not_relevant")
    assert not _cell(admin_goal, org.unit).linked
    page = client.get(reverse("unit_detail", args=[org.unit.pk])).content.decode()
    assert "Ökad studiero" in page and "Avslutat 6 december 2026: Inte längre aktuellt." in page
    assert "Ersätts av &lt;ett nytt mål&gt;." in page and "Det räknas inte längre i 2026/27." in page


def test_a_goal_closed_at_the_year_end_counts_for_the_whole_year(org, people, login, admin_goal, goal):
    login(people.leadership).post(
        reverse("goal_close", args=[goal.pk]),
        {"version": goal.version, "outcome": "attained", "closing_reason": "Målet är nått.", "when": "year_end"},
    )
    goal.refresh_from_db()
    assert goal.closed_on == datetime.date(2027, 6, 30) and goal.status == Goal.Status.CLOSED
    assert _cell(admin_goal, org.unit).linked
    assert Goal.objects.in_force(YEAR).filter(pk=goal.pk).exists()
    assert not Goal.objects.in_force(YEAR.next()).filter(pk=goal.pk).exists()


def test_reopening_brings_a_closed_goal_back(org, people, login, admin_goal, goal):
    client = login(people.rector)
    client.post(reverse("goal_close", args=[goal.pk]),
                {"version": 1, "outcome": "not_attained", "closing_reason": "Av misstag", "when": "today"})
    client.post(reverse("goal_reopen", args=[goal.pk]), {"version": 2})
    goal.refresh_from_db()
    assert (goal.status, goal.closed_on, goal.outcome, goal.closing_reason) == (Goal.Status.ACTIVE, None, "", "")
    assert [h.status for h in goal.history.order_by("history_date")] == ["active", "closed", "active"]


def test_a_status_change_on_an_older_version_is_refused(org, people, login, goal):
    client = login(people.rector)
    client.post(reverse("goal_close", args=[goal.pk]),
                {"version": 1, "outcome": "attained", "closing_reason": "Nått", "when": "today"})
    response = client.post(reverse("goal_close", args=[goal.pk]),
                           {"version": 1, "outcome": "partly", "closing_reason": "Delvis", "when": "today"})
    goal.refresh_from_db()
    assert goal.outcome == "attained"
    assert response.status_code == 200 and "Bara ett aktivt mål kan avslutas." in response.content.decode()
    # Reopening with the version seen before the closing is refused too.
    response = client.post(reverse("goal_reopen", args=[goal.pk]), {"version": 1}, follow=True)
    goal.refresh_from_db()
    assert goal.status == Goal.Status.CLOSED and "medan du redigerade" in response.content.decode()


@pytest.mark.parametrize("who, status", [("other_rector", 404), ("outsider", 404), ("member", 404)])
def test_only_those_who_may_change_the_goal_change_its_status(org, people, login, goal, who, status):
    client = login(getattr(people, who))
    assert client.post(reverse("goal_close", args=[goal.pk]),
                       {"version": 1, "outcome": "attained", "closing_reason": "x", "when": "today"}).status_code == status
    assert client.post(reverse("goal_activate", args=[goal.pk]), {"version": 1}).status_code == status
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACTIVE
