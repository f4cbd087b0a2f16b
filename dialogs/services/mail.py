"""E-mails about bookings, each with an iCalendar invitation (RFC 5546 iTIP: METHOD:REQUEST
for a booked or moved dialogue, METHOD:CANCEL for a cancelled one) so calendar programs add,
move or remove the meeting. The UID is the dialogue's for as long as it exists; the SEQUENCE
is the dialogue's version, which goes up with every change of its time."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from annualwheel.services.ical import absolute_url
from annualwheel.services.reminders import AUTOMATIC_HEADERS, base_url
from ska.models import User
from ska.text import one_line

from ..models import Dialogue, Participant, Slot

PRODID = "-//SKA//Quality dialogues//SV"


def dialogue_uid(dialogue: Dialogue) -> str:
    return f"dialogue-{dialogue.pk}@ska"


def _people(dialogue: Dialogue) -> list[User]:
    rows = dialogue.participants.filter(user__isnull=False, user__is_active=True).select_related("user")
    return [p.user for p in rows]


def invitation_ics(dialogue: Dialogue, slot: Slot, *, cancel: bool = False) -> bytes:
    """The invitation (or cancellation) as an iCalendar file."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = VEvent()
    event.add("uid", dialogue_uid(dialogue))
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC).replace(microsecond=0))
    event.add("sequence", dialogue.version)
    event.add("dtstart", slot.starts_at.astimezone(datetime.UTC))
    event.add("dtend", slot.ends_at.astimezone(datetime.UTC))
    event.add("summary", f"{dialogue.round.title}: {dialogue.counterpart_name}")
    where = ", ".join(x for x in (slot.place, slot.video_link) if x)
    if where:
        event.add("location", where)
    url = absolute_url(base_url(), reverse("dialogs:dialogue_detail", args=[dialogue.pk]))
    event.add("url", url)
    event.add("description", "\n\n".join(x for x in (dialogue.round.purpose, url) if x))
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>').strip()}")
    organizer.params["cn"] = vText(dialogue.round.administration.name)
    event["organizer"] = organizer
    for person in _people(dialogue):
        if person.email:
            attendee = vCalAddress(f"mailto:{person.email}")
            attendee.params["cn"] = vText(str(person))
            event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def _when(slot: Slot) -> str:
    start = timezone.localtime(slot.starts_at)
    end = timezone.localtime(slot.ends_at)
    return f"{date_format(start, 'l j F Y')} {time_format(start, 'H:i')}–{time_format(end, 'H:i')}"


def booking_message(dialogue: Dialogue, change: str, previous: Slot | None, actor: User | None) -> EmailMessage | None:
    """The e-mail for ``change`` ("booked", "changed", "cancelled") to everyone invited."""
    recipients = sorted({p.email for p in _people(dialogue) if p.email})
    slot = dialogue.slot if change != "cancelled" else previous
    if not recipients or slot is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        values = {"round": dialogue.round.title, "counterpart": dialogue.counterpart_name}
        subject = {
            "booked": _("Booked: %(round)s – %(counterpart)s"),
            "changed": _("New time: %(round)s – %(counterpart)s"),
            "cancelled": _("Cancelled: %(round)s – %(counterpart)s"),
        }[change] % values
        lines = [
            {
                "booked": _("The quality dialogue is booked."),
                "changed": _("The quality dialogue has a new time."),
                "cancelled": _("The quality dialogue's time is cancelled. A new time will be booked."),
            }[change],
            "",
            _("Dialogue: %(round)s – %(counterpart)s") % values,
            _("When: %(when)s") % {"when": _when(slot)},
        ]
        if change == "changed" and previous is not None:
            lines.append(_("Before: %(when)s") % {"when": _when(previous)})
        if slot.place:
            lines.append(_("Place: %(place)s") % {"place": slot.place})
        if slot.video_link:
            lines.append(_("Video link: %(link)s") % {"link": slot.video_link})
        hosts = ", ".join(str(h) for h in slot.hosts.all())
        if hosts:
            lines.append(_("Hosts: %(names)s") % {"names": hosts})
        if actor is not None:
            lines.append(_("Changed by: %(name)s") % {"name": str(actor)})
        lines += ["", absolute_url(base_url(), reverse("dialogs:dialogue_detail", args=[dialogue.pk]))]
        message = EmailMessage(
            subject=one_line(subject),
            body="\n".join(lines) + "\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients,
            headers=AUTOMATIC_HEADERS,
        )
    method = "CANCEL" if change == "cancelled" else "REQUEST"
    message.attach("kvalitetsdialog.ics", invitation_ics(dialogue, slot, cancel=change == "cancelled"),
                   f"text/calendar; charset=utf-8; method={method}")
    return message


def reminder_message(dialogue: Dialogue, actor: User | None) -> EmailMessage | None:
    """A reminder to book a time, to the counterpart's contacts."""
    people = [
        p.user
        for p in dialogue.participants.filter(side=Participant.Side.COUNTERPART, user__isnull=False).select_related("user")
        if p.user.email and p.user.is_active
    ]
    if not people:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        round_ = dialogue.round
        values = {"round": round_.title, "counterpart": dialogue.counterpart_name}
        lines = [
            _("Please book a time for the quality dialogue %(round)s – %(counterpart)s.") % values,
            _("Times are offered from %(start)s to %(end)s.")
            % {"start": date_format(round_.starts_on, "j F Y"), "end": date_format(round_.ends_on, "j F Y")},
        ]
        if actor is not None:
            lines.append(_("Sent by: %(name)s") % {"name": str(actor)})
        lines += ["", absolute_url(base_url(), reverse("dialogs:dialogue_detail", args=[dialogue.pk]))]
        return EmailMessage(
            subject=one_line(_("Book a time: %(round)s") % values),
            body="\n".join(lines) + "\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=sorted({p.email for p in people}),
            headers=AUTOMATIC_HEADERS,
        )
