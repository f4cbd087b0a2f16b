"""A line break in a title, a place or a name cannot add lines to a calendar file or headers to
an e-mail: the iCalendar writers escape it, and e-mail subjects are one line."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from annualwheel.models import CalendarFeed, EventKind
from annualwheel.services.events import event_create, wheel_create
from dialogs.models import Participant
from dialogs.services.mail import booking_message, invitation_ics
from ska.schoolyear import SchoolYear
from tests.factories import DialogueFactory, RoundFactory, SlotFactory

INJECTED = "Möte\r\nATTENDEE:mailto:evil@example.org\r\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:Falsk"
HEADER = "Möte\r\nBcc: evil@example.org\nX-Injected: 1"


def assert_no_injected_lines(content: bytes) -> Calendar:
    lines = content.decode().split("\r\n")
    assert not any(line.startswith(("ATTENDEE:mailto:evil", "SUMMARY:Falsk", "Bcc")) for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    return Calendar.from_ical(content)


def test_a_wheel_feed_keeps_a_title_with_line_breaks_in_one_property(org, people):
    year = SchoolYear.current()
    wheel = wheel_create(values={"name": INJECTED, "school_year": year, "administration": org.administration}, user=people.leadership)
    event_create(
        wheel=wheel, user=people.leadership, relations=None,
        values={"kind": EventKind.OTHER, "title": INJECTED, "place": INJECTED, "description": INJECTED,
                "responsible_note": INJECTED, "start_date": year.start + datetime.timedelta(days=40)},
    )
    feed = CalendarFeed.objects.create(user=people.leadership, wheel=wheel)
    response = Client().get(reverse("annualwheel:feed", args=[feed.token]))
    assert response.status_code == 200
    calendar = assert_no_injected_lines(response.content)
    (event,) = calendar.events
    assert str(event["SUMMARY"]).replace("\r\n", "\n").startswith("Möte\nATTENDEE:mailto:evil@example.org")
    assert "ATTENDEE" not in event or all("evil" not in str(a) for a in event.get("ATTENDEE", []))


def test_a_dialogue_invitation_and_its_e_mail_keep_line_breaks_out_of_lines_and_headers(org, people):
    round_ = RoundFactory(administration=org.administration, title=HEADER, purpose=INJECTED)
    dialogue = DialogueFactory(round=round_, role_group=INJECTED)
    slot = SlotFactory(round=round_, place=INJECTED, hosts=[people.leadership])
    people.rector.first_name = INJECTED
    people.rector.save()
    Participant.objects.create(dialogue=dialogue, user=people.rector, name="x", side=Participant.Side.COUNTERPART)
    dialogue.slot = slot
    dialogue.save()
    assert_no_injected_lines(invitation_ics(dialogue, slot))
    message = booking_message(dialogue, "booked", None, people.leadership)
    assert "\n" not in message.subject and "\r" not in message.subject
    headers = message.message().as_string().split("\n\n", 1)[0]
    assert "\nBcc:" not in headers and "\nX-Injected" not in headers
