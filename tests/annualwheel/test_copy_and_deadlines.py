"""Next year's wheel, and deadlines that make unfollowed goals overdue."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from annualwheel.models import EventKind, Repeat, Wheel
from annualwheel.services.copying import copy_plan, copy_wheel, same_week_next_year
from annualwheel.services.deadlines import overdue_follow_ups
from annualwheel.services.events import event_create
from ska.schoolyear import SchoolYear

from ..factories import AdministrationGoalFactory, CheckInFactory, IndicatorFactory, UnitGoalFactory

D = datetime.date


def test_same_weekday_of_the_same_week():
    assert same_week_next_year(D(2026, 8, 18)) == D(2027, 8, 24)  # Tuesday of week 34
    assert D(2027, 8, 24).isocalendar()[1:] == (34, 2)
    assert same_week_next_year(D(2027, 3, 2)) == D(2028, 2, 29)  # Tuesday of week 9, leap year


def test_week_53_becomes_week_52():
    assert D(2026, 12, 31).isocalendar()[:2] == (2026, 53)
    assert same_week_next_year(D(2026, 12, 31)) == D(2027, 12, 30)


@pytest.fixture
def wheel(org, people):
    wheel = Wheel.objects.create(name="SKA-hjulet", school_year=SchoolYear(2026), administration=org.administration)
    event_create(
        wheel=wheel,
        values={"kind": EventKind.LEADER_FORUM, "title": "Ledarforum", "start_date": D(2026, 8, 18), "repeat": Repeat.WEEKLY, "repeat_until": D(2027, 6, 15)},
        relations={"responsible": [people.leadership]},
        user=people.leadership,
    )
    event_create(wheel=wheel, values={"kind": EventKind.ANALYSIS_DAY, "title": "Analysdag", "start_date": D(2027, 6, 16)}, user=people.leadership)
    return wheel


def test_copy_moves_dates_and_leaves_the_old_wheel_alone(wheel, people):
    before = list(wheel.events.values_list("pk", "start_date", "version"))
    plan = copy_plan(wheel)
    assert [(i.event.title, i.start_date) for i in plan] == [("Ledarforum", D(2027, 8, 24)), ("Analysdag", D(2028, 6, 14))]
    plan[1].start_date = D(2028, 6, 13)
    copy = copy_wheel(wheel, name="SKA-hjulet", items=plan, user=people.leadership)
    assert copy.school_year == SchoolYear(2027) and copy.copied_from == wheel
    forum = copy.events.get(title="Ledarforum")
    assert (forum.start_date, forum.repeat_until, forum.copied_from.wheel) == (D(2027, 8, 24), D(2028, 6, 13), wheel)
    assert list(forum.responsible.all()) == [people.leadership]
    assert forum.occurrences.count() > 30
    assert copy.events.get(title="Analysdag").start_date == D(2028, 6, 13)
    assert list(wheel.events.values_list("pk", "start_date", "version")) == before
    # Safe to run twice.
    assert copy_wheel(wheel, name="Again", items=plan, user=people.leadership) == copy
    assert Wheel.objects.filter(school_year=SchoolYear(2027)).count() == 1


def test_copy_page_previews_then_saves(wheel, people, login):
    client = login(people.leadership)
    url = reverse("annualwheel:wheel_copy", args=[wheel.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "2027-08-24" in page.content.decode()
    response = client.post(url, {
        "name": "SKA-hjulet",
        "event-TOTAL_FORMS": 2, "event-INITIAL_FORMS": 2,
        "event-0-include": "on", "event-0-start_date": "2027-08-24",
        "event-1-start_date": "2028-06-14",  # left out
    })
    copy = Wheel.objects.get(school_year=SchoolYear(2027))
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    assert list(copy.events.values_list("title", flat=True)) == ["Ledarforum"]
    bad = client.post(reverse("annualwheel:wheel_copy", args=[wheel.pk]))
    assert bad.status_code == 302  # already copied: on to the copy


def test_copy_refuses_a_bad_date_without_saving(wheel, people, login):
    response = login(people.leadership).post(reverse("annualwheel:wheel_copy", args=[wheel.pk]), {
        "name": "SKA-hjulet",
        "event-TOTAL_FORMS": 2, "event-INITIAL_FORMS": 2,
        "event-0-include": "on", "event-0-start_date": "17/8",
        "event-1-include": "on", "event-1-start_date": "2028-06-14",
    })
    assert response.status_code == 200
    assert "Fyll i ett giltigt datum" in response.content.decode()
    assert not Wheel.objects.filter(school_year=SchoolYear(2027)).exists()


def test_only_keepers_may_copy(wheel, people, login):
    assert login(people.rector).get(reverse("annualwheel:wheel_copy", args=[wheel.pk])).status_code == 403
    assert login(people.provider_contact).get(reverse("annualwheel:wheel_copy", args=[wheel.pk])).status_code == 404


# --- Overdue follow-ups -------------------------------------------------------------
@pytest.fixture
def deadline(org, people):
    year = SchoolYear.current()
    wheel = Wheel.objects.create(name="SKA-hjulet", school_year=year, administration=org.administration)
    today = timezone.localdate()
    event_create(wheel=wheel, values={"kind": EventKind.FOLLOW_UP_DEADLINE, "title": "Uppföljning av indikatorer", "start_date": today - datetime.timedelta(days=2)}, user=people.leadership)
    return year


def test_a_goal_not_followed_up_by_the_deadline_is_overdue_to_its_rektor_and_in_the_matrix(org, people, login, deadline):
    year = deadline
    admin_goal = AdministrationGoalFactory(administration=org.administration, school_year=year, title="Trygghet och studiero")
    late = UnitGoalFactory(unit=org.unit, parent=admin_goal, school_year=year, title="Tryggare raster")
    IndicatorFactory(goal=late, title="Andel trygga elever")
    done = UnitGoalFactory(unit=org.other_unit, parent=admin_goal, school_year=year, title="Lugnare lektioner")
    CheckInFactory(indicator=IndicatorFactory(goal=done, title="Studiero"), date=timezone.localdate() - datetime.timedelta(days=3))

    overdue = overdue_follow_ups([org.unit, org.other_unit], year)
    assert set(overdue) == {org.unit.pk}
    assert [(g.goal_id, g.parent_id, g.indicators) for g in overdue[org.unit.pk].goals] == [
        (late.pk, admin_goal.pk, ["Andel trygga elever"])
    ]

    start = login(people.rector).get(reverse("start")).content.decode()
    assert "Försenade uppföljningar" in start
    assert "Tryggare raster" in start and "Andel trygga elever" in start
    other = login(people.other_rector).get(reverse("start")).content.decode()
    assert "Lugnare lektioner: ingen avstämning" not in other

    matrix = login(people.leadership).get(reverse("chain_matrix")).content.decode()
    assert matrix.count("Uppföljningen försenad sedan") == 1
    leader_start = login(people.leadership).get(reverse("start")).content.decode()
    assert "1 enhet har inte följt upp" in leader_start


def test_a_check_in_after_the_deadline_clears_it(org, people, deadline):
    goal = UnitGoalFactory(unit=org.unit, school_year=deadline)
    indicator = IndicatorFactory(goal=goal)
    assert overdue_follow_ups([org.unit], deadline)
    CheckInFactory(indicator=indicator, date=timezone.localdate())
    assert not overdue_follow_ups([org.unit], deadline)


def test_a_deadline_for_another_school_form_does_not_apply(org, people, deadline):
    from ska.models import SchoolForm

    event = org.administration.wheels.get().events.get()
    event.concerns_school_forms.set([SchoolForm.objects.get(code="forskola")])
    UnitGoalFactory(unit=org.unit, school_year=deadline)
    assert not overdue_follow_ups([org.unit], deadline)
    UnitGoalFactory(unit=org.preschool, school_year=deadline)
    assert set(overdue_follow_ups([org.unit, org.preschool], deadline)) == {org.preschool.pk}


def test_a_skipped_or_future_deadline_makes_nothing_overdue(org, people, deadline):
    UnitGoalFactory(unit=org.unit, school_year=deadline)
    occurrence = org.administration.wheels.get().events.get().occurrences.get()
    occurrence.status = "skipped"
    occurrence.save()
    assert not overdue_follow_ups([org.unit], deadline)
