"""The wheels as iCalendar (RFC 5545): calendar feeds that calendar programs subscribe to, and
single events to download.

Every occurrence is its own VEVENT (no RRULE): the wheel has already decided which dates skip
or move around holidays, and calendar programs could not repeat that. An occurrence keeps its
UID for as long as it exists, whatever is edited, and its SEQUENCE goes up with every change of
the event or of the occurrence, so that calendar programs replace their copy. A skipped
occurrence is sent as STATUS:CANCELLED, so that calendars remove it rather than show it.

All functions take a fixed number of queries, however many occurrences there are.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from ska.schoolyear import SchoolYear
from ska.text import one_line

from ..models import Event, Occurrence, Repeat, Wheel
from . import reading

PRODID = "-//SKA//Annual wheel//SV"
REFRESH = datetime.timedelta(hours=1)
DEFAULT_LENGTH = datetime.timedelta(hours=1)  # of a timed event without an end time
# SEQUENCE = event version × SEQUENCE_STEP + occurrence revision. Both only go up, but an
# occurrence that is removed by a rule change and later comes back starts again at revision 0;
# the step keeps SEQUENCE rising across such a change (any edit raises the event's version).
SEQUENCE_STEP = 1000



# --- Identity ----------------------------------------------------------------------------
def occurrence_uid(occurrence: Occurrence) -> str:
    """The occurrence's UID, the same for as long as it exists.

    A one-off event's occurrence is the event itself: its UID stays when the date changes. An
    occurrence of a recurring event is named by the event and the date the rule gave it, which
    stays when the occurrence is moved by hand or by a holiday.
    """
    event = occurrence.event
    if event.repeat == Repeat.NONE and occurrence.original_date == event.start_date:
        return f"{event.uid}@ska"
    return f"{event.uid}-{occurrence.original_date:%Y%m%d}@ska"


def occurrence_sequence(occurrence: Occurrence) -> int:
    """The SEQUENCE: goes up whenever the event or the occurrence changes."""
    return occurrence.event.version * SEQUENCE_STEP + occurrence.sequence


# --- Building blocks -----------------------------------------------------------------------
def _tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def absolute_url(base, path: str) -> str:
    """``path`` as an absolute URL. ``base`` is the request, or an absolute base URL such as
    "https://ska.example.org/" where there is no request (e-mails sent by the worker)."""
    if hasattr(base, "build_absolute_uri"):
        return base.build_absolute_uri(path)
    return urljoin(str(base).rstrip("/") + "/", path.lstrip("/"))


def _utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    return None if moment is None else moment.astimezone(datetime.UTC).replace(microsecond=0)


def occurrence_times(occurrence: Occurrence) -> tuple[datetime.date | datetime.datetime, datetime.date | datetime.datetime]:
    """DTSTART and DTEND: whole days with an exclusive end, or local times in the app's time zone."""
    event = occurrence.event
    last_day = occurrence.last_day
    if event.start_time is None:
        return occurrence.date, last_day + datetime.timedelta(days=1)
    tz = _tz()
    start = datetime.datetime.combine(occurrence.date, event.start_time, tzinfo=tz)
    if event.end_time is not None:
        end = datetime.datetime.combine(last_day, event.end_time, tzinfo=tz)
    else:
        end = datetime.datetime.combine(last_day, event.start_time, tzinfo=tz) + DEFAULT_LENGTH
    if end <= start:  # an end time before the start on a one-day event
        end = start + DEFAULT_LENGTH
    return start, end


def _description(occurrence: Occurrence, *, with_wheel: bool) -> str:
    event = occurrence.event
    parts = []
    if event.description.strip():
        parts.append(event.description.strip())
    facts = []
    names = sorted(str(person) for person in event.responsible.all())
    if event.responsible_note:
        names.append(event.responsible_note)
    if names:
        facts.append(_("Responsible: %(names)s") % {"names": ", ".join(names)})
    if with_wheel:
        facts.append(_("Annual wheel: %(wheel)s") % {"wheel": event.wheel})
    if occurrence.status == Occurrence.Status.SKIPPED:
        facts.append(
            _("Cancelled: %(reason)s") % {"reason": occurrence.reason} if occurrence.reason else _("Cancelled.")
        )
    elif occurrence.status == Occurrence.Status.MOVED:
        values = {"date": date_format(occurrence.original_date, "SHORT_DATE_FORMAT"), "reason": occurrence.reason}
        facts.append(
            _("Moved from %(date)s: %(reason)s") % values if occurrence.reason else _("Moved from %(date)s.") % values
        )
    if facts:
        parts.append("\n".join(facts))
    return "\n\n".join(parts)


def occurrence_vevent(occurrence: Occurrence, base, *, stamp: datetime.datetime, with_wheel: bool = False) -> VEvent:
    """One occurrence as a VEVENT (uses ``event.responsible`` as prefetched)."""
    event = occurrence.event
    start, end = occurrence_times(occurrence)
    return VEvent.new(
        uid=occurrence_uid(occurrence),
        stamp=stamp,
        sequence=occurrence_sequence(occurrence),
        created=_utc(event.created_at),
        last_modified=_utc(event.updated_at),
        summary=event.title,
        description=_description(occurrence, with_wheel=with_wheel) or None,
        location=event.place or None,
        categories=[str(event.get_kind_display())],
        url=absolute_url(base, reverse("annualwheel:event_detail", args=[event.pk])),
        start=start,
        end=end,
        status="CANCELLED" if occurrence.is_skipped else "CONFIRMED",
        # Whole days (deadlines, analysis days) do not make a person busy in their calendar.
        transparency="TRANSPARENT" if event.start_time is None else "OPAQUE",
    )


def _timezone_component(days: Iterable[datetime.date]) -> Timezone:
    """The VTIMEZONE for the app's time zone, covering the given days (whole years around them)."""
    days = list(days)
    today = timezone.localdate()
    first = min(days, default=today)
    last = max(days, default=today)
    return Timezone.from_tzid(
        settings.TIME_ZONE, first_date=datetime.date(first.year - 1, 1, 1), last_date=datetime.date(last.year + 2, 1, 1)
    )


def _calendar(
    name: str,
    uid: str,
    occurrences: list[Occurrence],
    base,
    *,
    description: str = "",
    window: tuple[datetime.date, datetime.date] | None = None,
    with_wheel: bool = False,
) -> bytes:
    calendar = Calendar.new(
        prodid=PRODID,
        version="2.0",
        calscale="GREGORIAN",
        method="PUBLISH",
        name=one_line(name),  # a name is not escaped like other text
        description=description or None,
        uid=uid,
        refresh_interval=REFRESH,
    )
    calendar.add("X-WR-TIMEZONE", settings.TIME_ZONE)
    calendar.add("X-PUBLISHED-TTL", "PT1H")
    days = [o.date for o in occurrences] + [o.last_day for o in occurrences] + list(window or ())
    # Always there: the events' TZID needs it, and RFC 5545 wants at least one component.
    calendar.add_component(_timezone_component(days))
    stamp = _utc(timezone.now())
    for occurrence in occurrences:
        calendar.add_component(occurrence_vevent(occurrence, base, stamp=stamp, with_wheel=with_wheel))
    return calendar.to_ical()


def _with_responsible(occurrences: list[Occurrence]) -> list[Occurrence]:
    """Fetch who is responsible for all the occurrences' events in one query."""
    people = get_user_model().objects.only("pk", "username", "first_name", "last_name")
    prefetch_related_objects(occurrences, Prefetch("event__responsible", queryset=people))
    return occurrences


# --- What goes in each calendar ----------------------------------------------------------------
def wheel_window(wheel: Wheel) -> tuple[datetime.date, datetime.date]:
    """The days a wheel's feed covers: its school year, with a year's margin either side."""
    return wheel.school_year.previous().first_day, wheel.school_year.next().end


def wheel_occurrences(wheel: Wheel) -> list[Occurrence]:
    """The wheel's occurrences (skipped ones too); for a unit's wheel also the administration's
    events that concern the unit, as the unit's page shows them."""
    return _with_responsible(reading.wheel_occurrences(wheel, *wheel_window(wheel)))


def person_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The days a person's feed covers: last school year to the end of the next."""
    year = SchoolYear.of(today or timezone.localdate())
    return year.previous().first_day, year.next().end


def person_occurrences(user, today: datetime.date | None = None) -> list[Occurrence]:
    start, end = person_window(today)
    return _with_responsible([item.occurrence for item in reading.concerning(user, start, end, include_skipped=True)])


# --- Calendars ------------------------------------------------------------------------------
def wheel_calendar(wheel: Wheel, base) -> bytes:
    """A wheel's feed, named after the wheel and its school year."""
    return _calendar(
        str(wheel),
        f"wheel-{wheel.pk}@ska",
        wheel_occurrences(wheel),
        base,
        description=wheel.description,
        window=wheel_window(wheel),
        with_wheel=wheel.unit_id is not None,
    )


def person_calendar(user, base, *, today: datetime.date | None = None) -> bytes:
    """Everything that concerns the person, from last school year to the end of the next."""
    return _calendar(
        _("SKA – %(name)s") % {"name": user},
        f"person-{user.pk}@ska",
        person_occurrences(user, today),
        base,
        window=person_window(today),
        with_wheel=True,
    )


def event_calendar(event: Event, base) -> bytes:
    """All occurrences of one event, for download."""
    occurrences = list(
        Occurrence.objects.filter(event=event).select_related("event__wheel").order_by("date", "pk")
    )
    return _calendar(
        f"{event.title} – {event.wheel}",
        f"event-{event.uid}@ska",
        _with_responsible(occurrences),
        base,
        with_wheel=True,
    )
