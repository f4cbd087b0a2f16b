"""Calendars (RFC 5545): feeds that calendar programs subscribe to, and .ics downloads.

Dates are set in the current school year, because a person's feed covers the school years
around today."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from annualwheel.models import CalendarFeed, ClosedDayRule, EventKind, Repeat, SchoolBreak
from annualwheel.services import ical
from annualwheel.services.events import event_create, event_update, wheel_create
from annualwheel.services.recurrence import change_occurrence
from ska.models import RoleAssignment
from ska.schoolyear import SchoolYear
from ska.services.records import record_delete

YEAR = SchoolYear.current()
Y = YEAR.start_year


def _first_monday(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


MONDAY = _first_monday(datetime.date(Y + 1, 2, 2))  # well before Easter, so no public holiday
WEEKS = 7


def _event(wheel, user, *, relations=None, **values):
    values.setdefault("kind", EventKind.OTHER)
    return event_create(wheel=wheel, values=values, relations=relations, user=user)


@pytest.fixture
def plan(org, people):
    """The administration's wheel with a weekly meeting (two Mondays fall in school breaks and
    are skipped), a committee meeting at a set time and analysis days over three whole days;
    each unit has its own wheel too."""
    SchoolBreak.objects.create(
        municipality=org.municipality, school_year=YEAR, name="Sportlov",
        start=MONDAY + datetime.timedelta(weeks=2), end=MONDAY + datetime.timedelta(weeks=2, days=4),
    )
    SchoolBreak.objects.create(
        municipality=org.municipality, school_year=YEAR, name="Studiedag",
        start=MONDAY + datetime.timedelta(weeks=5), end=MONDAY + datetime.timedelta(weeks=5),
    )
    leader = people.leadership
    wheel = wheel_create(values={"name": "Förvaltningens årshjul", "school_year": YEAR, "administration": org.administration}, user=leader)
    weekly = _event(
        wheel, leader, kind=EventKind.LEADER_FORUM, title="Rektorsforum", start_date=MONDAY,
        start_time=datetime.time(13, 0), end_time=datetime.time(14, 30), repeat=Repeat.WEEKLY,
        repeat_until=MONDAY + datetime.timedelta(weeks=WEEKS - 1), on_closed_day=ClosedDayRule.SKIP,
        relations={"responsible": [leader]}, responsible_note="LgU",
    )
    meeting = _event(
        wheel, leader, kind=EventKind.COMMITTEE_MEETING, title="Nämndsammanträde",
        start_date=datetime.date(Y, 10, 15), start_time=datetime.time(18, 0), place="Stadshuset, sal A",
    )
    analysis = _event(
        wheel, leader, kind=EventKind.ANALYSIS_DAY, title="Analysdagar",
        start_date=datetime.date(Y + 1, 6, 10), end_date=datetime.date(Y + 1, 6, 12),
    )
    elsewhere = _event(
        wheel, leader, title="Besök på Västervångskolan", start_date=datetime.date(Y, 11, 3),
        relations={"concerns_units": [org.other_unit]},
    )
    unit_wheel = wheel_create(values={"name": "Österportskolans årshjul", "school_year": YEAR, "unit": org.unit}, user=people.rector)
    unit_event = _event(unit_wheel, people.rector, title="Arbetsplatsträff", start_date=datetime.date(Y, 9, 8))
    other_wheel = wheel_create(values={"name": "Västervångskolans årshjul", "school_year": YEAR, "unit": org.other_unit}, user=people.other_rector)
    other_event = _event(other_wheel, people.other_rector, title="Västervångs föräldramöte", start_date=datetime.date(Y, 9, 9))
    return SimpleNamespace(
        wheel=wheel, weekly=weekly, meeting=meeting, analysis=analysis, elsewhere=elsewhere,
        unit_wheel=unit_wheel, unit_event=unit_event, other_wheel=other_wheel, other_event=other_event,
    )


def _feed(user, wheel=None) -> CalendarFeed:
    return CalendarFeed.objects.create(user=user, wheel=wheel)


def _url(feed: CalendarFeed) -> str:
    return reverse("annualwheel:feed", args=[feed.token])


def _fetch(feed: CalendarFeed) -> Calendar:
    response = Client().get(_url(feed))
    assert response.status_code == 200, response.status_code
    return _parse(response.content)


def _parse(content: bytes) -> Calendar:
    """Parse, and hold the calendar to the rules of RFC 5545 that can be checked."""
    # Content lines end in CRLF and are folded at 75 octets (3.1).
    lines = content.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    calendar = Calendar.from_ical(content)
    calendar.validate()  # PRODID, VERSION and at least one component
    for component in calendar.walk():
        # What the parser had to skip over is kept on each component.
        assert component.errors == [], (component.name, component.errors)
        for name in component.required:
            assert name in component, f"{component.name} lacks {name}"
        for name in component.singletons:
            assert not isinstance(component.get(name), list), f"{component.name} has more than one {name}"
        assert sum(name in component for name in component.exclusive) <= 1, component.name
    assert calendar.get_missing_tzids() == set()  # every TZID has its VTIMEZONE
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert calendar.refresh_interval == datetime.timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Stockholm"
    for vevent in calendar.events:
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS", "URL", "CATEGORIES"):
            assert name in vevent, name
        assert vevent.start < vevent.end
        assert str(vevent["STATUS"]) in ("CONFIRMED", "CANCELLED")
        assert str(vevent["URL"]).startswith("http://testserver/arshjul/handelser/")
        assert vevent.DTSTAMP.tzinfo is not None and vevent.DTSTAMP.utcoffset() == datetime.timedelta(0)
    uids = [str(v["UID"]) for v in calendar.events]
    assert len(uids) == len(set(uids)), "UIDs are unique within a calendar"
    return calendar


def _by_title(calendar: Calendar, title: str):
    return [v for v in calendar.events if str(v["SUMMARY"]) == title]


# --- The wheel's feed ---------------------------------------------------------------------
def test_a_wheel_feed_is_a_valid_calendar_with_one_vevent_per_occurrence(plan, people):
    response = Client().get(_url(_feed(people.leadership, plan.wheel)))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=900"
    assert not response.cookies
    calendar = _parse(response.content)
    assert str(calendar["X-WR-CALNAME"]) == f"Förvaltningens årshjul {YEAR}"
    assert str(calendar["PRODID"]) == ical.PRODID
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Stockholm"]
    assert len(_by_title(calendar, "Rektorsforum")) == WEEKS
    assert len(calendar.events) == WEEKS + 3
    assert "RRULE" not in response.content.decode()
    assert not _by_title(calendar, "Arbetsplatsträff"), "a unit's own events are not in the administration's feed"


def test_skipped_occurrences_are_cancelled_with_the_reason(plan, people):
    calendar = _fetch(_feed(people.leadership, plan.wheel))
    weekly = sorted(_by_title(calendar, "Rektorsforum"), key=lambda v: v.start)
    cancelled = [v for v in weekly if str(v["STATUS"]) == "CANCELLED"]
    assert [v.start.date() for v in cancelled] == [MONDAY + datetime.timedelta(weeks=2), MONDAY + datetime.timedelta(weeks=5)]
    assert "Sportlov" in str(cancelled[0]["DESCRIPTION"])
    assert all(str(v["STATUS"]) == "CONFIRMED" for v in weekly if v not in cancelled)


def test_times_whole_days_and_descriptions(plan, people):
    calendar = _fetch(_feed(people.leadership, plan.wheel))
    (analysis,) = _by_title(calendar, "Analysdagar")
    assert analysis["DTSTART"].params.get("VALUE") == "DATE"
    assert analysis.start == datetime.date(Y + 1, 6, 10)
    assert analysis.end == datetime.date(Y + 1, 6, 13), "DTEND is the day after the last day"
    assert str(analysis["TRANSP"]) == "TRANSPARENT"
    assert analysis.categories == [str(EventKind.ANALYSIS_DAY.label)]

    (meeting,) = _by_title(calendar, "Nämndsammanträde")
    assert meeting["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert meeting.start.replace(tzinfo=None) == datetime.datetime(Y, 10, 15, 18, 0)
    assert meeting.start.utcoffset() == datetime.timedelta(hours=2)  # summer time in October
    assert meeting.end - meeting.start == datetime.timedelta(hours=1), "an hour when there is no end time"
    assert str(meeting["LOCATION"]) == "Stadshuset, sal A"
    assert str(meeting["URL"]) == f"http://testserver{reverse('annualwheel:event_detail', args=[plan.meeting.pk])}"
    assert meeting["CREATED"].dt.utcoffset() == datetime.timedelta(0)
    assert "LAST-MODIFIED" in meeting

    weekly = _by_title(calendar, "Rektorsforum")[0]
    assert weekly.start.time() == datetime.time(13, 0) and weekly.end.time() == datetime.time(14, 30)
    assert weekly.start.utcoffset() == datetime.timedelta(hours=1)  # winter time in February
    description = str(weekly["DESCRIPTION"])
    assert people.leadership.get_full_name() in description and "LgU" in description


def test_a_unit_wheel_feed_has_the_administration_events_that_concern_the_unit(plan, people):
    calendar = _fetch(_feed(people.rector, plan.unit_wheel))
    titles = {str(v["SUMMARY"]) for v in calendar.events}
    assert {"Arbetsplatsträff", "Rektorsforum", "Nämndsammanträde", "Analysdagar"} <= titles
    assert "Besök på Västervångskolan" not in titles, "concerns another unit only"
    assert "Västervångs föräldramöte" not in titles
    assert str(calendar["X-WR-CALNAME"]) == f"Österportskolans årshjul {YEAR}"


# --- Stable identities ---------------------------------------------------------------------
def _identities(calendar: Calendar, title: str) -> dict[str, int]:
    return {str(v["UID"]): int(v["SEQUENCE"]) for v in _by_title(calendar, title)}


def test_uids_stay_and_sequence_rises_when_events_are_edited(plan, people):
    feed = _feed(people.leadership, plan.wheel)
    before = _fetch(feed)
    meeting_before = _identities(before, "Nämndsammanträde")
    weekly_before = _identities(before, "Rektorsforum")
    assert all(uid.endswith("@ska") and str(plan.meeting.uid) in uid for uid in meeting_before)

    meeting = event_update(event=plan.meeting, version=plan.meeting.version, values={"title": "Nämndmöte"}, user=people.leadership)
    meeting = event_update(
        event=meeting, version=meeting.version, values={"start_date": datetime.date(Y, 10, 22), "end_time": datetime.time(20, 0)},
        user=people.leadership,
    )
    weekly = event_update(event=plan.weekly, version=plan.weekly.version, values={"title": "Rektorernas forum"}, user=people.leadership)
    after = _fetch(feed)

    meeting_after = _identities(after, "Nämndmöte")
    assert meeting_after.keys() == meeting_before.keys(), "the one-off event keeps its UID when its date moves"
    (uid,) = meeting_after
    assert meeting_after[uid] > meeting_before[uid]
    (vevent,) = _by_title(after, "Nämndmöte")
    assert vevent.start.date() == datetime.date(Y, 10, 22) and vevent.end.time() == datetime.time(20, 0)

    weekly_after = _identities(after, "Rektorernas forum")
    assert weekly_after.keys() == weekly_before.keys()
    assert all(weekly_after[uid] > weekly_before[uid] for uid in weekly_before)
    assert weekly.version > plan.weekly.version

    # The same identities in the .ics download of the event.
    client = Client()
    client.force_login(people.leadership)
    download = _parse(client.get(reverse("annualwheel:event_ics", args=[meeting.pk])).content)
    assert _identities(download, "Nämndmöte") == meeting_after


def test_an_occurrence_changed_by_hand_keeps_its_uid(plan, people):
    feed = _feed(people.leadership, plan.wheel)
    before = _identities(_fetch(feed), "Rektorsforum")
    occurrences = list(plan.weekly.occurrences.order_by("original_date"))
    change_occurrence(occurrences[1], date=occurrences[1].date + datetime.timedelta(days=1), skipped=False, user=people.leadership)
    change_occurrence(occurrences[3], date=None, skipped=True, user=people.leadership)
    calendar = _fetch(feed)
    after = _identities(calendar, "Rektorsforum")
    assert after.keys() == before.keys()
    changed = {ical.occurrence_uid(o) for o in (occurrences[1], occurrences[3])}
    assert all(after[uid] > before[uid] for uid in changed)
    assert all(after[uid] == before[uid] for uid in after.keys() - changed), "the others are untouched"
    vevents = {str(v["UID"]): v for v in calendar.events}
    moved, skipped = (vevents[ical.occurrence_uid(o)] for o in (occurrences[1], occurrences[3]))
    assert moved.start.date() == occurrences[1].date + datetime.timedelta(days=1)
    assert str(moved["STATUS"]) == "CONFIRMED" and "Flyttat från" in str(moved["DESCRIPTION"])
    assert str(skipped["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize(
    "start_time, end_time, last_day, expected_end",
    [
        ((9, 0), None, None, datetime.datetime(2026, 3, 2, 10, 0)),
        ((9, 0), (16, 0), datetime.date(2026, 3, 4), datetime.datetime(2026, 3, 4, 16, 0)),
        ((9, 0), None, datetime.date(2026, 3, 4), datetime.datetime(2026, 3, 4, 10, 0)),
        ((23, 30), None, None, datetime.datetime(2026, 3, 3, 0, 30)),
        ((15, 0), (14, 0), None, datetime.datetime(2026, 3, 2, 16, 0)),  # an end before the start
    ],
)
def test_the_end_of_timed_events(start_time, end_time, last_day, expected_end):
    from annualwheel.models import Event, Occurrence

    event = Event(
        title="x", start_date=datetime.date(2026, 3, 2), end_date=last_day,
        start_time=datetime.time(*start_time), end_time=datetime.time(*end_time) if end_time else None,
    )
    start, end = ical.occurrence_times(Occurrence(event=event, original_date=event.start_date, date=event.start_date, end_date=last_day))
    assert start.replace(tzinfo=None) == datetime.datetime(2026, 3, 2, *start_time)
    assert end.replace(tzinfo=None) == expected_end
    assert str(start.tzinfo) == str(end.tzinfo) == "Europe/Stockholm"


def test_user_text_is_escaped_and_comes_back_the_same(plan, people):
    title = 'Möte <script>alert("x")</script>; del 1, del 2'
    description = "Rad ett\nRad två; med semikolon, komma och \\ bakstreck\r\n<b>fet</b>"
    place = "Aula, plan 2; rum 3"
    _event(plan.wheel, people.leadership, title=title, description=description, place=place,
           start_date=datetime.date(Y, 12, 1), responsible_note="LgU; presidiet, m.fl.")
    response = Client().get(_url(_feed(people.leadership, plan.wheel)))
    content = response.content.decode()
    assert "&lt;" not in content and "<script>" in content, "text, not HTML"
    (vevent,) = _by_title(_parse(response.content), title)
    assert str(vevent["DESCRIPTION"]).startswith(description.replace("\r\n", "\n"))
    assert "LgU; presidiet, m.fl." in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == place


# --- The person's own feed -------------------------------------------------------------------
def test_the_personal_feed_has_what_concerns_the_person(plan, people):
    calendar = _fetch(_feed(people.rector))
    titles = {str(v["SUMMARY"]) for v in calendar.events}
    assert {"Rektorsforum", "Nämndsammanträde", "Analysdagar", "Arbetsplatsträff"} <= titles
    assert "Västervångs föräldramöte" not in titles, "another unit's wheel"
    assert "Besök på Västervångskolan" not in titles, "concerns another unit"
    assert str(calendar["X-WR-CALNAME"]) == f"SKA – {people.rector.get_full_name()}"
    assert any(str(v["STATUS"]) == "CANCELLED" for v in calendar.events), "skipped ones are sent, cancelled"
    weekly = _by_title(calendar, "Rektorsforum")[0]
    assert str(plan.wheel) in str(weekly["DESCRIPTION"])

    other = {str(v["SUMMARY"]) for v in _fetch(_feed(people.other_rector)).events}
    assert "Västervångs föräldramöte" in other and "Besök på Västervångskolan" in other
    assert "Arbetsplatsträff" not in other


def test_a_person_without_wheels_gets_an_empty_but_valid_calendar(plan, people):
    calendar = _fetch(_feed(people.provider_contact))
    assert calendar.events == []


# --- Who may fetch ---------------------------------------------------------------------------
def test_unknown_and_revoked_addresses_are_not_found(plan, people, login):
    feed = _feed(people.rector, plan.wheel)
    assert Client().get(reverse("annualwheel:feed", args=["not-a-token"])).status_code == 404
    assert Client().get(reverse("annualwheel:feed", args=["x" * 200])).status_code == 404
    assert Client().post(_url(feed)).status_code == 405

    # Only the owner may revoke, and only by POST.
    assert login(people.other_rector).post(reverse("annualwheel:calendar_feed_revoke", args=[feed.pk])).status_code == 404
    rector = login(people.rector)
    assert rector.get(reverse("annualwheel:calendar_feed_revoke", args=[feed.pk])).status_code == 405
    assert Client().get(_url(feed)).status_code == 200
    response = rector.post(reverse("annualwheel:calendar_feed_revoke", args=[feed.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("annualwheel:calendar_feeds")
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    response = Client().get(_url(feed))
    assert response.status_code == 404
    assert plan.wheel.name not in response.content.decode()


def test_losing_access_closes_the_wheel_feed(plan, people):
    wheel_feed = _feed(people.rector, plan.wheel)
    own_feed = _feed(people.rector)
    assert Client().get(_url(wheel_feed)).status_code == 200
    RoleAssignment.objects.filter(user=people.rector).delete()
    response = Client().get(_url(wheel_feed))
    assert response.status_code == 404
    assert plan.wheel.name not in response.content.decode()
    # The own feed stays, but shows nothing any more.
    assert _fetch(own_feed).events == []


def test_an_inactive_person_or_a_removed_wheel_closes_the_feed(plan, people):
    feed = _feed(people.leadership, plan.wheel)
    record_delete(record=plan.wheel, user=people.leadership)
    assert Client().get(_url(feed)).status_code == 404
    own = _feed(people.rector)
    people.rector.is_active = False
    people.rector.save()
    assert Client().get(_url(own)).status_code == 404


def test_last_use_is_written_only_now_and_then(plan, people):
    feed = _feed(people.leadership, plan.wheel)
    Client().get(_url(feed))
    feed.refresh_from_db()
    first = feed.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        Client().get(_url(feed))
    assert not any(q["sql"].lstrip().upper().startswith("UPDATE") for q in queries.captured_queries)
    feed.refresh_from_db()
    assert feed.last_used_at == first
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now() - datetime.timedelta(hours=1))
    Client().get(_url(feed))
    feed.refresh_from_db()
    assert feed.last_used_at > first


# --- Downloading one event -----------------------------------------------------------------
def test_an_event_downloads_as_ics_for_those_who_see_its_wheel(plan, people, login):
    url = reverse("annualwheel:event_ics", args=[plan.weekly.pk])
    response = login(people.rector).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="[a-z0-9-]+\.ics"', response["Content-Disposition"])
    calendar = _parse(response.content)
    assert len(calendar.events) == WEEKS
    assert {str(v["SUMMARY"]) for v in calendar.events} == {"Rektorsforum"}
    feed_uids = _identities(_fetch(_feed(people.rector, plan.wheel)), "Rektorsforum")
    assert _identities(calendar, "Rektorsforum") == feed_uids, "the same UIDs as in the feeds"

    for person in (people.outsider, people.secretary, people.provider_contact):
        response = login(person).get(url)
        assert response.status_code == 404, person
        assert "Rektorsforum" not in response.content.decode()
    assert login(people.rector).get(reverse("annualwheel:event_ics", args=[plan.other_event.pk])).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


# --- The page of feeds -----------------------------------------------------------------------
def test_the_feeds_page_creates_lists_and_revokes_addresses(plan, people, login):
    page = reverse("annualwheel:calendar_feeds")
    client = login(people.rector)
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_calendar"' in html and 'name="calendar"' in html
    assert plan.wheel.name in html and plan.unit_wheel.name in html
    assert plan.other_wheel.name not in html, "only wheels the person can see"

    response = client.post(page, {"calendar": str(plan.wheel.pk)})
    assert response.status_code == 302 and response["Location"] == page  # post, redirect, get
    assert len(client.get(page).context["messages"]) == 1
    response = client.post(page, {"calendar": "me"}, follow=True)
    feeds = CalendarFeed.objects.filter(user=people.rector)
    assert {f.wheel_id for f in feeds} == {plan.wheel.pk, None}
    html = response.content.decode()
    for feed in feeds:
        assert f"http://testserver/arshjul/kalender/{feed.token}.ics" in html
        assert reverse("annualwheel:calendar_feed_revoke", args=[feed.pk]) in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert len(response.context["messages"]) == 1

    # The same calendar twice gives no second address; a wheel out of sight is refused.
    client.post(page, {"calendar": str(plan.wheel.pk)})
    response = client.post(page, {"calendar": str(plan.other_wheel.pk)})
    assert response.status_code == 200 and response.context["form"].errors
    assert CalendarFeed.objects.filter(user=people.rector).count() == 2

    revoked = feeds.get(wheel=plan.wheel)
    client.post(reverse("annualwheel:calendar_feed_revoke", args=[revoked.pk]))
    html = client.get(page).content.decode()
    assert revoked.token not in html

    for person in (people.outsider, people.provider_contact):
        assert login(person).get(page).status_code == 403
        assert login(person).post(page, {"calendar": "me"}).status_code == 403
    assert not CalendarFeed.objects.filter(user__in=[people.outsider, people.provider_contact]).exists()


# --- A fixed number of queries ---------------------------------------------------------------
def _queries_for(feed: CalendarFeed) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(feed))
    assert response.status_code == 200
    return len(queries.captured_queries)


def _fill(wheel, user, people, count: int):
    for i in range(count):
        _event(
            wheel, user, title=f"Händelse {i}", start_date=datetime.date(Y, 9, 1) + datetime.timedelta(days=i),
            start_time=datetime.time(9, 0) if i % 2 else None, repeat=Repeat.WEEKLY if i % 3 else Repeat.NONE,
            repeat_until=datetime.date(Y, 9, 1) + datetime.timedelta(days=i, weeks=i % 4),
            relations={"responsible": [people.leadership, people.rector][: i % 3]},
        )


@pytest.mark.parametrize("kind", ["administration", "unit", "person"])
def test_feeds_take_the_same_number_of_queries_for_3_and_30_events(org, people, kind):
    counts = []
    for count in (3, 30):
        administration_wheel = wheel_create(
            values={"name": f"Hjul {count}", "school_year": YEAR, "administration": org.administration}, user=people.leadership
        )
        unit_wheel = wheel_create(values={"name": f"Enhetens hjul {count}", "school_year": YEAR, "unit": org.unit}, user=people.rector)
        _fill(administration_wheel, people.leadership, people, count)
        _fill(unit_wheel, people.rector, people, count)
        wheel = {"administration": administration_wheel, "unit": unit_wheel, "person": None}[kind]
        counts.append(_queries_for(_feed(people.rector, wheel)))
        for old in (administration_wheel, unit_wheel):
            record_delete(record=old, user=people.leadership)
    assert counts[0] == counts[1]
