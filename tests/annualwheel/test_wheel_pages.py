"""The wheel pages: who reaches what, forms that refuse bad input in Swedish beside the field,
conflicting saves refused, and query counts that do not grow with the data."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annualwheel.models import Event, EventKind, Repeat, Wheel
from annualwheel.services.events import event_create
from ska.schoolyear import SchoolYear

from ..factories import UnitFactory

ROLES = ["rector", "other_rector", "contributor", "leadership", "secretary", "member", "provider_contact", "sysadmin", "outsider"]


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


@pytest.fixture
def wheels(org, people):
    year = SchoolYear.current()
    admin = Wheel.objects.create(name="SKA-hjulet", school_year=year, administration=org.administration)
    unit = Wheel.objects.create(name="Österportskolans hjul", school_year=year, unit=org.unit)
    committee = Wheel.objects.create(name="Nämndens årshjul", school_year=year, committee=org.committee)
    today = timezone.localdate()
    event = event_create(wheel=admin, values={"kind": EventKind.LEADER_FORUM, "title": "Ledarforum", "start_date": today}, user=people.leadership)
    unit_event = event_create(wheel=unit, values={"title": "Arbetsplatsträff", "start_date": today}, user=people.rector)
    return SimpleNamespace(admin=admin, unit=unit, committee=committee, event=event, unit_event=unit_event, occurrence=event.occurrences.get())


ADMIN_KEEPERS = _expect(403, leadership=200, sysadmin=200, secretary=404, member=404, provider_contact=404, outsider=404)
ADMIN_READERS = _expect(200, secretary=404, member=404, provider_contact=404, outsider=404)
UNIT_READERS = _expect(404, rector=200, contributor=200, leadership=200, sysadmin=200)
MATRIX = {
    "overview": (None, _expect(200, provider_contact=403, outsider=403)),
    "wheel_create": (None, _expect(200, member=403, provider_contact=403, outsider=403)),
    "wheel_detail": ("admin", ADMIN_READERS),
    "wheel_edit": ("admin", ADMIN_KEEPERS),
    "wheel_copy": ("admin", ADMIN_KEEPERS),
    "event_create": ("admin", ADMIN_KEEPERS),
    "event_detail": ("event", ADMIN_READERS),
    "event_edit": ("event", ADMIN_KEEPERS),
    "event_delete": ("event", _expect(405)),
    "event_restore": ("event", _expect(405)),
    "occurrence_change": ("occurrence", ADMIN_KEEPERS),
    "event_ics": ("event", ADMIN_READERS),
    "settings": (None, _expect(403, leadership=200, sysadmin=200)),
    "school_break_delete": ((1,), _expect(405)),
    "calendar_feeds": (None, _expect(200, provider_contact=403, outsider=403)),
    "calendar_feed_revoke": ((1,), _expect(405)),
    "feed": (("x",), _expect(404)),
    "reminder_preferences": (None, _expect(302)),
}


def test_every_wheel_url_is_in_the_matrix():
    from annualwheel.urls import urlpatterns

    assert {p.name for p in urlpatterns} == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_reaches_only_what_it_may(wheels, people, login, name):
    target, expected = MATRIX[name]
    if isinstance(target, tuple):
        url = reverse(f"annualwheel:{name}", args=target)
    elif target:
        url = reverse(f"annualwheel:{name}", args=[getattr(wheels, target).pk])
    else:
        url = reverse(f"annualwheel:{name}")
    for role in ROLES:
        response = login(getattr(people, role)).get(url)
        assert response.status_code == expected[role], f"{role} on {url}: {response.status_code}"
        if response.status_code in (403, 404) and target and not isinstance(target, tuple):
            assert str(getattr(wheels, target)) not in response.content.decode()


def test_unit_wheels_are_their_units_and_leaderships(wheels, people, login):
    url = reverse("annualwheel:wheel_detail", args=[wheels.unit.pk])
    for role, status in UNIT_READERS.items():
        assert login(getattr(people, role)).get(url).status_code == status, role
    edit = reverse("annualwheel:event_edit", args=[wheels.unit_event.pk])
    assert login(people.rector).get(edit).status_code == 200
    assert login(people.other_rector).get(edit).status_code == 404


def test_the_unit_wheel_shows_the_administrations_events_beside_its_own(wheels, people, login):
    page = login(people.rector).get(reverse("annualwheel:wheel_detail", args=[wheels.unit.pk])).content.decode()
    assert "Arbetsplatsträff" in page and "Ledarforum" in page


def test_creating_an_event_with_bad_input_says_what_is_wrong_and_saves_nothing(wheels, people, login):
    url = reverse("annualwheel:event_create", args=[wheels.admin.pk])
    response = login(people.leadership).post(url, {
        "kind": "leader_forum", "title": "Ledarforum", "start_date": "2026-12-01", "end_date": "2026-11-01",
        "repeat": "weekly", "interval": "1", "on_closed_day": "skip",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sista dagen kan inte vara före första dagen." in page
    assert "Ange till när händelsen upprepas." in page
    assert Event.objects.filter(title="Ledarforum").count() == 1
    bad_dates = login(people.leadership).post(url, {"kind": "other", "title": "X", "start_date": "2026-12-01", "repeat": "dates", "dates": "2026-13-01", "interval": "1", "on_closed_day": "skip"})
    assert "är inget datum" in bad_dates.content.decode()


def test_creating_a_recurring_event_in_the_browser_form(wheels, people, login):
    url = reverse("annualwheel:event_create", args=[wheels.admin.pk])
    response = login(people.leadership).post(url, {
        "kind": "leader_forum", "title": "Ledarforum varje vecka", "start_date": "2026-09-01", "start_time": "08:30",
        "end_time": "11:30", "repeat": "weekly", "interval": "1", "repeat_until": "2026-10-31", "on_closed_day": "skip",
        "concerns_roles": ["rector"], "responsible": [people.leadership.pk],
    })
    event = Event.objects.get(title="Ledarforum varje vecka")
    assert response.status_code == 302
    assert event.occurrences.count() == 9
    assert list(event.responsible.all()) == [people.leadership] and event.concerns_roles == ["rector"]


def test_an_edit_based_on_an_old_version_is_refused(wheels, people, login):
    url = reverse("annualwheel:event_edit", args=[wheels.event.pk])
    data = {"kind": "leader_forum", "title": "Ledarforum i aulan", "start_date": wheels.event.start_date.isoformat(), "repeat": "none", "interval": "1", "on_closed_day": "skip", "version": wheels.event.version}
    assert login(people.leadership).post(url, data).status_code == 302
    data["title"] = "Ledarforum i matsalen"
    response = login(people.sysadmin).post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{people.leadership} sparade det här" in page
    assert "titel är nu ”Ledarforum i aulan” (du skrev ”Ledarforum i matsalen”)" in page
    assert 'value="Ledarforum i matsalen"' in page  # the person's own values stay in the form
    wheels.event.refresh_from_db()
    assert wheels.event.title == "Ledarforum i aulan"
    # Saving again, knowingly, keeps theirs.
    data["version"] = wheels.event.version
    assert login(people.sysadmin).post(url, data).status_code == 302
    wheels.event.refresh_from_db()
    assert wheels.event.title == "Ledarforum i matsalen"


def test_removing_and_restoring_an_event_keeps_it(wheels, people, login):
    client = login(people.leadership)
    client.post(reverse("annualwheel:event_delete", args=[wheels.event.pk]))
    assert not Event.objects.filter(pk=wheels.event.pk).exists()
    client.get(reverse("start"))  # shows the message that it was removed
    assert "Ledarforum" not in client.get(reverse("start")).content.decode()
    client.post(reverse("annualwheel:event_restore", args=[wheels.event.pk]))
    assert Event.objects.filter(pk=wheels.event.pk).exists()


def test_moving_one_occurrence(wheels, people, login):
    occurrence = wheels.occurrence
    new_day = occurrence.date + datetime.timedelta(days=1)
    response = login(people.leadership).post(reverse("annualwheel:occurrence_change", args=[occurrence.pk]), {"action": "move", "date": new_day.isoformat()})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert (occurrence.date, occurrence.status, occurrence.overridden) == (new_day, "moved", True)
    missing = login(people.leadership).post(reverse("annualwheel:occurrence_change", args=[occurrence.pk]), {"action": "move", "date": ""})
    assert "Välj det nya datumet." in missing.content.decode()


def test_school_breaks_are_validated_and_move_recurring_events(org, wheels, people, login):
    year = SchoolYear.current()
    event = event_create(wheel=wheels.admin, values={"title": "Veckomöte", "start_date": year.start + datetime.timedelta(days=14), "repeat": Repeat.WEEKLY, "repeat_until": year.start + datetime.timedelta(days=60)}, user=people.leadership)
    client = login(people.leadership)
    url = reverse("annualwheel:settings")
    bad = client.post(url, {"action": "break", "name": "Höstlov", "school_year": year.start_year, "start": str(year.start + datetime.timedelta(days=30)), "end": str(year.start)})
    assert "Sista dagen kan inte vara före första dagen." in bad.content.decode()
    start = year.start + datetime.timedelta(days=14)
    client.post(url, {"action": "break", "name": "Studiedagar", "school_year": year.start_year, "start": str(start), "end": str(start)})
    assert event.occurrences.get(original_date=start).status == "skipped"
    kinds = client.post(url, {"action": "kinds", "kind-TOTAL_FORMS": 1, "kind-INITIAL_FORMS": 1, "kind-0-id": 1, "kind-0-reminder_days": 99})
    assert "Högst 60 dagar före." in kinds.content.decode()


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_wheel_pages_cost_the_same_queries_for_few_and_many_events(org, wheels, people, login):
    client = login(people.rector)
    urls = [
        reverse("start"),
        reverse("annualwheel:overview"),
        reverse("annualwheel:wheel_detail", args=[wheels.admin.pk]),
        reverse("annualwheel:wheel_detail", args=[wheels.unit.pk]),
        reverse("annualwheel:overview") + f"?enhet={org.unit.pk}",
    ]
    before = [_count(client, url) for url in urls]
    today = timezone.localdate()
    for n in range(15):
        event_create(wheel=wheels.admin, values={"title": f"Möte {n}", "start_date": today, "repeat": Repeat.WEEKLY, "repeat_until": today + datetime.timedelta(weeks=8)}, relations={"concerns_units": [org.unit, org.other_unit], "responsible": [people.rector]}, user=people.leadership)
        event_create(wheel=wheels.unit, values={"title": f"Enhetsmöte {n}", "start_date": today}, user=people.rector)
        UnitFactory(administration=org.administration)
    assert [_count(client, url) for url in urls] == before
