"""Recurring events: the rule's dates, holidays and school breaks skipped or moved, exceptions
visible and kept by hand through later edits of the rule."""

import datetime

import pytest

from annualwheel.models import ClosedDayRule, EventKind, Occurrence, Repeat, SchoolBreak, Wheel
from annualwheel.services.closed_days import closed_days
from annualwheel.services.events import event_create, event_update
from annualwheel.services.recurrence import change_occurrence, reset_occurrence
from ska.schoolyear import SchoolYear

D = datetime.date
YEAR = SchoolYear(2026)


@pytest.fixture
def wheel(org):
    return Wheel.objects.create(name="SKA-hjulet", school_year=YEAR, administration=org.administration)


def _dates(event, status=None):
    occurrences = event.occurrences.order_by("original_date")
    if status:
        occurrences = occurrences.filter(status=status)
    return [o.date for o in occurrences]


def _weekly(wheel, user, **values):
    defaults = {
        "kind": EventKind.LEADER_FORUM,
        "title": "Ledarforum",
        "start_date": D(2026, 12, 1),  # a Tuesday
        "repeat": Repeat.WEEKLY,
        "interval": 1,
        "repeat_until": D(2027, 1, 19),
    }
    return event_create(wheel=wheel, values={**defaults, **values}, user=user)


def test_public_holidays_include_the_swedish_eves_but_not_sundays(db, org):
    closed = closed_days(org.municipality.pk, D(2026, 12, 20), D(2027, 1, 10))
    assert closed[D(2026, 12, 24)] == "Julafton"
    assert closed[D(2026, 12, 25)] == "Juldagen"
    assert closed[D(2027, 1, 6)] == "Trettondedag jul"
    assert D(2026, 12, 27) not in closed  # an ordinary Sunday


def test_a_weekly_event_skips_the_school_break_and_shows_why(org, people, wheel):
    SchoolBreak.objects.create(municipality=org.municipality, school_year=YEAR, name="Jullov", start=D(2026, 12, 21), end=D(2027, 1, 8))
    event = _weekly(wheel, people.leadership)
    assert _dates(event) == [D(2026, 12, 1) + datetime.timedelta(weeks=n) for n in range(8)]
    skipped = event.occurrences.filter(status=Occurrence.Status.SKIPPED).order_by("date")
    assert [o.date for o in skipped] == [D(2026, 12, 22), D(2026, 12, 29), D(2027, 1, 5)]
    assert {o.reason for o in skipped} == {"Jullov"}


def test_every_second_week(org, people, wheel):
    event = _weekly(wheel, people.leadership, interval=2)
    assert _dates(event) == [D(2026, 12, 1), D(2026, 12, 15), D(2026, 12, 29), D(2027, 1, 12)]


def test_moved_to_the_next_open_weekday(org, people, wheel):
    # Thursdays; 24 and 31 December are holidays in practice, 1 January too.
    event = _weekly(wheel, people.leadership, start_date=D(2026, 12, 17), repeat_until=D(2027, 1, 7), on_closed_day=ClosedDayRule.NEXT)
    moved = {o.original_date: o.date for o in event.occurrences.filter(status=Occurrence.Status.MOVED)}
    assert moved == {D(2026, 12, 24): D(2026, 12, 28), D(2026, 12, 31): D(2027, 1, 4)}


def test_moved_to_the_previous_open_weekday(org, people, wheel):
    event = _weekly(wheel, people.leadership, start_date=D(2026, 12, 24), repeat_until=D(2026, 12, 24), on_closed_day=ClosedDayRule.PREVIOUS)
    (occurrence,) = event.occurrences.all()
    assert (occurrence.date, occurrence.status, occurrence.reason) == (D(2026, 12, 23), "moved", "Julafton")


def test_monthly_on_the_first_tuesday(org, people, wheel):
    event = _weekly(wheel, people.leadership, repeat=Repeat.MONTHLY, nth=1, start_date=D(2026, 9, 1), repeat_until=D(2027, 3, 31), on_closed_day=ClosedDayRule.KEEP)
    assert _dates(event) == [D(2026, 9, 1), D(2026, 10, 6), D(2026, 11, 3), D(2026, 12, 1), D(2027, 1, 5), D(2027, 2, 2), D(2027, 3, 2)]


def test_monthly_on_the_last_wednesday(org, people, wheel):
    event = _weekly(wheel, people.leadership, repeat=Repeat.MONTHLY, nth=-1, start_date=D(2026, 9, 30), repeat_until=D(2026, 11, 30), on_closed_day=ClosedDayRule.KEEP)
    assert _dates(event) == [D(2026, 9, 30), D(2026, 10, 28), D(2026, 11, 25)]


def test_a_list_of_dates(org, people, wheel):
    event = _weekly(wheel, people.leadership, repeat=Repeat.DATES, start_date=D(2026, 8, 20), dates=["2026-10-08", "2026-11-19"])
    assert _dates(event) == [D(2026, 8, 20), D(2026, 10, 8), D(2026, 11, 19)]


def test_a_single_event_on_a_holiday_is_kept(org, people, wheel):
    event = event_create(wheel=wheel, values={"title": "Nyårsmöte", "start_date": D(2027, 1, 1)}, user=people.leadership)
    assert [(o.date, o.status) for o in event.occurrences.all()] == [(D(2027, 1, 1), "scheduled")]


def test_a_changed_occurrence_survives_edits_of_the_rule_and_can_follow_it_again(org, people, wheel):
    event = _weekly(wheel, people.leadership)
    occurrence = event.occurrences.get(original_date=D(2026, 12, 8))
    change_occurrence(occurrence, date=D(2026, 12, 9), skipped=False, user=people.leadership)
    cancelled = event.occurrences.get(original_date=D(2026, 12, 15))
    change_occurrence(cancelled, date=None, skipped=True, user=people.leadership)
    event.refresh_from_db()
    event = event_update(event=event, version=event.version, values={"title": "Ledarforum (nytt namn)", "start_time": datetime.time(9)}, user=people.leadership)
    moved = event.occurrences.get(original_date=D(2026, 12, 8))
    assert (moved.date, moved.status, moved.overridden) == (D(2026, 12, 9), "moved", True)
    assert event.occurrences.get(original_date=D(2026, 12, 15)).status == "skipped"
    sequence = moved.sequence
    reset_occurrence(moved, people.leadership)
    moved.refresh_from_db()
    assert (moved.date, moved.status, moved.overridden) == (D(2026, 12, 8), "scheduled", False)
    assert moved.sequence > sequence
    assert moved.history.count() >= 3


def test_shortening_the_rule_removes_later_occurrences_but_not_hand_changed_ones(org, people, wheel):
    event = _weekly(wheel, people.leadership)
    kept = event.occurrences.get(original_date=D(2027, 1, 12))
    change_occurrence(kept, date=D(2027, 1, 13), skipped=False, user=people.leadership)
    event.refresh_from_db()
    event_update(event=event, version=event.version, values={"repeat_until": D(2026, 12, 31)}, user=people.leadership)
    assert sorted(event.occurrences.values_list("original_date", flat=True)) == [
        D(2026, 12, 1), D(2026, 12, 8), D(2026, 12, 15), D(2026, 12, 22), D(2026, 12, 29), D(2027, 1, 12)
    ]


def test_running_the_sync_twice_changes_nothing(org, people, wheel):
    from annualwheel.services.recurrence import sync_occurrences

    event = _weekly(wheel, people.leadership)
    before = list(event.occurrences.values_list("pk", "date", "sequence"))
    sync_occurrences(event)
    assert list(event.occurrences.values_list("pk", "date", "sequence")) == before
