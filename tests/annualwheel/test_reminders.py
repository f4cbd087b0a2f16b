"""E-mail reminders before the wheel's events (exactly once) and the weekly digest."""

from __future__ import annotations

import datetime
import email
import email.policy
import threading
import time

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from annualwheel.models import (
    DigestSent,
    EventKind,
    EventKindSetting,
    Occurrence,
    ReminderPreference,
    ReminderSent,
    Wheel,
)
from annualwheel.services.events import event_create, event_delete
from annualwheel.services.recurrence import change_occurrence
from annualwheel.services.reminders import (
    recipients,
    recipients_by_event,
    send_due_reminders,
    send_weekly_digests,
)
from annualwheel.tasks import send_due_reminders_task, send_weekly_digests_task
from ska.models import Role, SchoolForm
from ska.tasks import send_email

from ..factories import RoleFactory, UserFactory

DEADLINE = datetime.date(2025, 10, 15)  # a Wednesday, no holiday
REPORT_DAYS = 14  # the report deadline's reminder days shipped by the migration
FIRST_DAY = DEADLINE - datetime.timedelta(days=REPORT_DAYS)


@pytest.fixture
def wheels(org):
    return {
        "administration": Wheel.objects.create(
            name="Förvaltningens årshjul", school_year=2025, administration=org.administration
        ),
        "committee": Wheel.objects.create(name="Nämndens årshjul", school_year=2025, committee=org.committee),
        "unit": Wheel.objects.create(name="Österportskolans årshjul", school_year=2025, unit=org.unit),
    }


def make_event(
    wheel, user, *, kind=EventKind.REPORT_DEADLINE, day=DEADLINE, roles=(), units=(), forms=(), responsible=(), **values
):
    values.setdefault("title", "Kvalitetsrapport till förvaltningen")
    return event_create(
        wheel=wheel,
        values={"kind": kind, "start_date": day, "concerns_roles": list(roles), **values},
        relations={
            "responsible": list(responsible),
            "concerns_units": list(units),
            "concerns_school_forms": list(SchoolForm.objects.filter(code__in=forms)),
        },
        user=user,
    )


def addresses(messages=None) -> list[str]:
    return sorted(address for message in (mail.outbox if messages is None else messages) for address in message.to)


# --- Who is reminded ------------------------------------------------------------------------
def test_recipients_are_the_responsible_and_the_role_holders_at_concerned_units(org, people, wheels):
    event = make_event(
        wheels["administration"], people.leadership, roles=[Role.RECTOR], units=[org.unit], responsible=[people.secretary]
    )
    # The rector of the concerned unit; not the other unit's rector, not a contributor (role not named).
    assert set(recipients(event)) == {people.secretary, people.rector}


def test_recipients_follow_the_school_forms_and_leadership(org, people, wheels):
    preschool_head = UserFactory(username="forskolechef")
    RoleFactory(user=preschool_head, role=Role.RECTOR, unit=org.preschool)
    event = make_event(wheels["administration"], people.leadership, roles=[Role.RECTOR, Role.LEADERSHIP], forms=["forskola"])
    assert set(recipients(event)) == {preschool_head, people.leadership}

    everyone = make_event(wheels["administration"], people.leadership, roles=[Role.RECTOR])
    assert set(recipients(everyone)) == {people.rector, people.other_rector, preschool_head}


def test_recipients_of_unit_and_committee_wheels(org, people, wheels):
    unit_event = make_event(wheels["unit"], people.rector, roles=[Role.CONTRIBUTOR])
    assert recipients(unit_event) == [people.contributor]

    committee_event = make_event(wheels["committee"], people.secretary, roles=[Role.MEMBER])
    assert recipients(committee_event) == [people.member]
    both = make_event(wheels["committee"], people.secretary, roles=[Role.MEMBER, Role.SECRETARY, Role.LEADERSHIP])
    assert set(recipients(both)) == {people.member, people.secretary, people.leadership}

    nobody_named = make_event(wheels["committee"], people.secretary)
    assert recipients(nobody_named) == []


def test_people_who_opted_out_or_have_no_address_are_not_reminded(org, people, wheels):
    ReminderPreference.objects.create(user=people.rector, reminders=False, weekly_digest=True)
    people.other_rector.email = ""
    people.other_rector.save()
    people.contributor.is_active = False
    people.contributor.save()
    event = make_event(
        wheels["administration"],
        people.leadership,
        roles=[Role.RECTOR, Role.CONTRIBUTOR],
        responsible=[people.leadership, people.rector],
    )
    assert recipients(event) == [people.leadership]


def test_a_closed_unit_is_not_reminded(org, people, wheels):
    org.other_unit.closed_on = datetime.date(2024, 6, 30)
    org.other_unit.save()
    event = make_event(wheels["administration"], people.leadership, roles=[Role.RECTOR])
    assert recipients(event, today=FIRST_DAY) == [people.rector]


def test_recipients_of_many_events_take_a_fixed_number_of_queries(org, people, wheels, django_assert_max_num_queries):
    events = [
        make_event(
            wheel,
            people.leadership,
            roles=[Role.RECTOR, Role.LEADERSHIP, Role.MEMBER],
            units=[org.unit],
            forms=["grundskola"],
            responsible=[people.secretary],
            title=f"Händelse {i}",
        )
        for i in range(4)
        for wheel in wheels.values()
    ]
    occurrences = list(Occurrence.objects.filter(event__in=events).select_related("event__wheel"))
    with django_assert_max_num_queries(6):
        audiences = recipients_by_event(occurrences)
    assert len(audiences) == len(events)


# --- Reminders ------------------------------------------------------------------------------------
def test_reminder_goes_out_on_the_first_day_of_its_window_and_not_before(org, people, wheels, settings):
    settings.SKA_BASE_URL = "https://ska.ekvalla.example"
    event = make_event(
        wheels["administration"],
        people.leadership,
        roles=[Role.RECTOR],
        units=[org.unit],
        responsible=[people.leadership, people.secretary],
        place="Stadshuset",
        start_time=datetime.time(13, 0),
    )
    assert send_due_reminders(today=FIRST_DAY - datetime.timedelta(days=1)) == 0
    assert mail.outbox == []

    assert send_due_reminders(today=FIRST_DAY) == 3
    assert addresses() == sorted(p.email for p in (people.leadership, people.secretary, people.rector))
    message = next(m for m in mail.outbox if m.to == [people.rector.email])
    with translation.override("sv"):
        assert message.subject.endswith(f"Kvalitetsrapport till förvaltningen {date_format(DEADLINE, 'j F Y')}")
        assert date_format(DEADLINE, "l j F Y") in message.body  # Swedish by default: "onsdag 15 oktober 2025"
    assert "13:00" in message.body and "Stadshuset" in message.body
    assert str(people.leadership) in message.body and str(people.secretary) in message.body  # who is responsible
    assert f"https://ska.ekvalla.example{reverse('annualwheel:event_detail', args=[event.pk])}" in message.body
    assert f"https://ska.ekvalla.example{reverse('my_account')}" in message.body  # how to switch them off
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_running_twice_sends_once(org, people, wheels):
    make_event(wheels["administration"], people.leadership, responsible=[people.leadership, people.rector])
    assert send_due_reminders(today=FIRST_DAY) == 2
    assert send_due_reminders(today=FIRST_DAY) == 0
    assert send_due_reminders(today=DEADLINE) == 0  # later in the window: still once
    send_due_reminders_task.delay(FIRST_DAY.isoformat())
    assert addresses() == sorted([people.leadership.email, people.rector.email])
    assert ReminderSent.objects.count() == 2


def test_every_occurrence_of_a_recurring_event_is_reminded(org, people, wheels):
    make_event(
        wheels["administration"], people.leadership, kind=EventKind.FOLLOW_UP_DEADLINE, responsible=[people.leadership],
        repeat="weekly", interval=2, repeat_until=DEADLINE + datetime.timedelta(days=14),
    )
    assert send_due_reminders(today=DEADLINE - datetime.timedelta(days=7)) == 1
    assert send_due_reminders(today=DEADLINE + datetime.timedelta(days=7)) == 1  # the next one, two weeks on
    assert len(mail.outbox) == 2


def test_skipped_deleted_and_unreminded_occurrences_are_left_alone(org, people, wheels):
    skipped = make_event(wheels["administration"], people.leadership, responsible=[people.leadership], title="Inställd")
    change_occurrence(skipped.occurrences.get(), date=None, skipped=True, user=people.leadership)
    removed = make_event(wheels["administration"], people.leadership, responsible=[people.leadership], title="Borttagen")
    event_delete(event=removed, user=people.leadership)
    make_event(wheels["unit"], people.rector, responsible=[people.rector], title="Hjulet borttaget")
    Wheel.objects.filter(pk=wheels["unit"].pk).update(deleted_at=datetime.datetime(2025, 9, 1, tzinfo=datetime.UTC))
    make_event(wheels["administration"], people.leadership, kind=EventKind.COMMITTEE_MEETING, responsible=[people.leadership])
    assert EventKindSetting.objects.get(kind=EventKind.COMMITTEE_MEETING).reminder_days == 0

    for day in (FIRST_DAY, DEADLINE):
        assert send_due_reminders(today=day) == 0
    assert mail.outbox == []


def test_a_kind_without_reminders_can_be_given_some(org, people, wheels):
    EventKindSetting.objects.filter(kind=EventKind.COMMITTEE_MEETING).update(reminder_days=2)
    make_event(wheels["committee"], people.secretary, kind=EventKind.COMMITTEE_MEETING, roles=[Role.MEMBER])
    assert send_due_reminders(today=DEADLINE - datetime.timedelta(days=3)) == 0
    assert send_due_reminders(today=DEADLINE - datetime.timedelta(days=2)) == 1
    assert addresses() == [people.member.email]


def test_a_failed_send_is_tried_again_next_run(org, people, wheels, monkeypatch):
    make_event(wheels["administration"], people.leadership, responsible=[people.leadership])
    real_send = EmailMessage.send

    def broken(self, fail_silently=False):
        raise OSError("The mail server is away")

    monkeypatch.setattr(EmailMessage, "send", broken)
    assert send_due_reminders(today=FIRST_DAY) == 0
    assert not ReminderSent.objects.exists()  # rolled back with the failed send

    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert send_due_reminders(today=FIRST_DAY + datetime.timedelta(days=1)) == 1
    assert addresses() == [people.leadership.email]


# --- The weekly digest ---------------------------------------------------------------------
def test_weekly_digest_once_per_week_and_only_when_something_is_coming(org, people, wheels):
    monday = DEADLINE - datetime.timedelta(days=DEADLINE.weekday())
    make_event(wheels["administration"], people.leadership, roles=[Role.RECTOR], units=[org.unit], title="Analysdag")
    ReminderPreference.objects.create(user=people.rector, reminders=False, weekly_digest=True)  # digest without reminders
    ReminderPreference.objects.create(user=people.other_rector, weekly_digest=True)  # nothing concerns them
    ReminderPreference.objects.create(user=people.contributor, weekly_digest=False)

    assert send_weekly_digests(today=monday) == 1
    (message,) = mail.outbox
    assert message.to == [people.rector.email]
    assert "Analysdag" in message.body and "42" in message.subject
    assert send_weekly_digests(today=monday) == 0
    send_weekly_digests_task.delay((monday + datetime.timedelta(days=2)).isoformat())  # same ISO week
    assert len(mail.outbox) == 1
    assert list(DigestSent.objects.values_list("user", "week")) == [(people.rector.pk, monday)]

    assert send_weekly_digests(today=monday + datetime.timedelta(days=7)) == 0  # next week is empty


# --- Preferences -----------------------------------------------------------------------------------
def test_preferences_are_shown_on_my_account_and_saved(org, people, login):
    client = login(people.rector)
    page = client.get(reverse("my_account")).content.decode()
    assert 'id="reminders-heading"' in page
    assert f'action="{reverse("annualwheel:reminder_preferences")}"' in page
    assert 'name="reminders"' in page and 'name="weekly_digest"' in page
    assert 'id="reminders-reminders" checked' in page  # on by default
    assert 'aria-describedby="reminders-reminders_helptext"' in page and 'id="reminders-reminders_helptext"' in page
    assert "style=" not in page.split('id="reminders"')[1] and "<script" not in page.split('id="reminders"')[1]

    response = client.post(reverse("annualwheel:reminder_preferences"), {"weekly_digest": "on"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("my_account"))
    preference = ReminderPreference.objects.get(user=people.rector)
    assert (preference.reminders, preference.weekly_digest) == (False, True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]

    client.post(reverse("annualwheel:reminder_preferences"), {"reminders": "on"})
    preference.refresh_from_db()
    assert (preference.reminders, preference.weekly_digest) == (True, False)
    assert ReminderPreference.objects.count() == 1


def test_my_account_shows_when_reminders_come(org, people, login, settings):
    client = login(people.contributor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("my_account")).content.decode()
    section = page.split('id="reminders"')[1]
    assert "Report deadline" in section and "14 days before" in section
    assert "Committee meeting" in section and "No reminder" in section


def test_preferences_address_only_takes_posts(people, login):
    response = login(people.rector).get(reverse("annualwheel:reminder_preferences"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("my_account"))


# --- Through the real worker -------------------------------------------------------------------
def _delivered(worker, *, until: str, timeout: float = 60.0) -> list[tuple[str, str]]:
    """(subject, address) of every message sent so far, in this process and by the worker,
    once the one with the subject ``until`` is among them. The worker's file backend may put
    several messages in one file, so they are split, not counted as files."""
    separator = "\n" + "-" * 79 + "\n"
    deadline = time.monotonic() + timeout
    while True:
        found = [(m.subject, address) for m in mail.outbox for address in m.to]
        for path in sorted(worker.mail_dir.glob("*.log")) if worker.real else []:
            for text in path.read_text().split(separator):
                if text.strip():
                    message = email.message_from_string(text, policy=email.policy.default)
                    found.append((str(message["Subject"]), str(message["To"])))
        if any(subject == until for subject, _to in found) or time.monotonic() > deadline:
            return found
        if worker.process.poll() is not None:
            raise RuntimeError("The Celery worker stopped")
        time.sleep(0.2)


@pytest.mark.worker
def test_the_reminder_task_run_twice_and_at_once_by_the_worker_mails_each_person_once(
    celery_worker, org, people, monkeypatch
):
    wheel = Wheel.objects.create(name="Förvaltningens årshjul", school_year=2025, administration=org.administration)
    team = (people.leadership, people.secretary, people.rector, people.other_rector)
    make_event(wheel, people.leadership, roles=[Role.RECTOR], responsible=[people.leadership, people.secretary], title="Första")

    # Twice through the worker (one after the other: it runs a single process).
    send_due_reminders_task.delay(FIRST_DAY.isoformat())
    send_due_reminders_task.delay(FIRST_DAY.isoformat())
    # The worker takes its queue in order: when this one has gone out, both runs are done.
    send_email.delay(subject="Kön är tom 1", body="-", to=["ko@example.org"])
    first = [to for subject, to in _delivered(celery_worker, until="Kön är tom 1") if "Första" in subject]
    assert sorted(first) == sorted(p.email for p in team)

    # And at the same time as a run in this process whose slow sends hold each row's transaction
    # open: the worker's runs start while it holds the first row, wait on the unique index, and
    # then skip that row (and take any this run has not reached yet). Each person gets one e-mail.
    make_event(wheel, people.leadership, roles=[Role.RECTOR], responsible=[people.leadership, people.secretary], title="Andra")
    real_send = EmailMessage.send
    sending = threading.Event()

    def slow_send(self, fail_silently=False):
        sending.set()
        time.sleep(0.3)
        return real_send(self, fail_silently)

    def run_here():
        try:
            send_due_reminders(today=FIRST_DAY)
        finally:
            connection.close()

    monkeypatch.setattr(EmailMessage, "send", slow_send)
    here = threading.Thread(target=run_here)
    here.start()
    assert sending.wait(30)
    send_due_reminders_task.delay(FIRST_DAY.isoformat())
    send_due_reminders_task.delay(FIRST_DAY.isoformat())
    here.join(60)
    assert not here.is_alive()
    monkeypatch.setattr(EmailMessage, "send", real_send)
    send_email.delay(subject="Kön är tom 2", body="-", to=["ko@example.org"])
    second = [to for subject, to in _delivered(celery_worker, until="Kön är tom 2") if "Andra" in subject]
    assert sorted(second) == sorted(p.email for p in team)
    assert ReminderSent.objects.count() == 2 * len(team)
