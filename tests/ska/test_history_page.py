"""A record's history page reads as people write: names rather than ids, labels rather than
codes, Swedish numbers and dates, times in Stockholm's time, and the same queries however long
the history is."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ska.display import display_value
from ska.models import Analysis, CheckIn, CurriculumArea, Goal
from ska.services.records import record_delete, record_restore, record_update

from ..factories import YEAR, AdministrationGoalFactory, CheckInFactory, IndicatorFactory, UnitGoalFactory, UserFactory


@pytest.fixture
def karin(people):
    people.rector.first_name, people.rector.last_name = "Karin", "Berg"
    people.rector.save()
    return people.rector


@pytest.fixture
def goals(org):
    return (
        AdministrationGoalFactory(administration=org.administration, title="Ökad läsförståelse"),
        AdministrationGoalFactory(administration=org.administration, title="Trygghet och studiero"),
    )


def _page(client, kind, pk) -> str:
    response = client.get(reverse("record_history", args=[kind, pk]))
    assert response.status_code == 200
    return response.content.decode()


def _change(goal, user, **values):
    goal.refresh_from_db()
    return record_update(record=goal, version=goal.version, values=values, user=user)


def test_a_goals_changes_show_names_labels_and_the_person(org, karin, login, goals):
    first, second = goals
    goal = UnitGoalFactory(unit=org.unit, parent=first, title="Fler läser med flyt")
    goal = _change(goal, karin, parent=second, status=Goal.Status.CLOSED, end_term=YEAR.autumn)
    areas = list(CurriculumArea.objects.filter(name__in=["Normer och värden", "Kunskaper"]))
    goal._history_user = karin
    goal.curriculum_areas.set(areas)

    page = _page(login(karin), "mal", goal.pk)
    assert "Karin Berg" in page and "rektor ·" not in page
    assert "Ökad läsförståelse" in page and "Trygghet och studiero" in page  # the goal above, by title
    assert "Aktivt" in page and "Avslutat" in page  # the status's labels, not "active"/"closed"
    assert "HT 2025" in page and "VT 2026" in page
    assert "Kunskaper, Normer och värden" in page
    assert page.count("Karin Berg · ändrad") == 2  # the fields, then the curriculum areas
    assert "{&#x27;" not in page and "[{" not in page and f">{first.pk}<" not in page


def test_a_check_ins_values_dates_and_times_read_the_swedish_way(org, karin, login):
    check_in = CheckInFactory(indicator__goal__unit=org.unit, value=Decimal("61"), date=datetime.date(2026, 3, 1))
    record_update(record=check_in, version=check_in.version, user=karin,
                  values={"value": Decimal("62.5"), "date": datetime.date(2026, 3, 2), "origin": CheckIn.Origin.IMPORT})
    winter, summer = datetime.datetime(2026, 3, 2, 11, 30, tzinfo=datetime.UTC), datetime.datetime(2026, 7, 1, 10, 0, tzinfo=datetime.UTC)
    rows = list(check_in.history.order_by("history_date"))
    CheckIn.history.filter(history_id=rows[0].history_id).update(history_date=winter)
    CheckIn.history.filter(history_id=rows[1].history_id).update(history_date=summer)

    page = _page(login(karin), "avstamning", check_in.pk)
    assert "2 mars 2026 12:30" in page  # CET, an hour ahead of UTC
    assert "1 juli 2026 12:00" in page  # CEST, two hours ahead
    assert ">61<" in page and ">62,5<" in page and "62.50" not in page
    assert "1 mars 2026" in page and "2 mars 2026" in page
    assert "Inlagd för hand" in page and "Importerad från Excel" in page


def test_an_analysis_shows_who_took_part_and_the_attainment_by_their_labels(org, karin, login):
    goal = UnitGoalFactory(unit=org.unit)
    analysis = Analysis.objects.create(goal=goal, term=YEAR.spring, participants=["teachers"])
    record_update(record=analysis, version=analysis.version, user=karin,
                  values={"participants": ["teachers", "pupils"], "attainment": 3})
    page = _page(login(karin), "analys", analysis.pk)
    assert "Lärare och övrig personal, Barn och elever" in page
    assert "I hög grad uppnått" in page
    assert "pupils" not in page and "[&#x27;" not in page


def test_creating_deleting_and_restoring_read_as_such(org, karin, login):
    indicator = IndicatorFactory(goal__unit=org.unit)
    erik = UserFactory(username="erik", first_name="", last_name="")
    record_delete(record=indicator, user=erik)
    record_restore(record=indicator, user=karin)
    page = _page(login(karin), "indikator", indicator.pk)
    assert page.index("Karin Berg · återställd") < page.index("erik · borttagen") < page.index("systemet · skapad")
    assert "Borttagen" not in page.split("<ol", 1)[1]  # "deleted at" is the entry itself, not a changed field


def test_yes_and_no_and_empty_values():
    assert (display_value(True), display_value(False), display_value(None)) == ("Ja", "Nej", "")


def _history_queries(client, goal) -> int:
    with CaptureQueriesContext(connection) as queries:
        _page(client, "mal", goal.pk)
    return len(queries.captured_queries)


def test_the_page_runs_as_many_queries_for_a_long_history_as_for_a_short_one(org, karin, login, goals):
    areas = list(CurriculumArea.objects.order_by("pk")[:4])
    client = login(karin)

    def goal_with_changes(n):
        goal = UnitGoalFactory(unit=org.unit, parent=goals[0])
        for i in range(n):
            goal = _change(goal, karin, parent=goals[(i + 1) % 2], title=f"Mål {i}")
            goal.curriculum_areas.set(areas[: i % 4 + 1])
        return goal

    short, long = goal_with_changes(1), goal_with_changes(6)
    assert Goal.history.filter(id=long.pk).count() > 3 * Goal.history.filter(id=short.pk).count()
    assert _history_queries(client, long) == _history_queries(client, short)
