"""E-mail reminders before the wheel's events, and the weekly digest.

Who is reminded (``recipients_by_event``): the people responsible for the event, and, when the
event names roles it concerns, the holders of those roles where the event applies:

- a unit's wheel: principals and unit contributors at that unit;
- an administration's wheel: principals and unit contributors at the administration's units that
  the event concerns (its units and school forms, ``reading.concerns_unit``), and the
  administration's leadership;
- a committee's wheel: the committee's secretaries and members, the leadership of the
  administrations under the committee, and principals and contributors at those administrations'
  units that the event concerns — the same people the wheel shows the event to
  (``reading.concerning``).

Each only for the roles the event lists, only units that are open, and only active people with
an e-mail address who have not switched reminders off.

Exactly once: each e-mail is sent inside the transaction that inserts its ``ReminderSent`` (or
``DigestSent``) row. A second run, or a concurrent one (which waits on the unique index until
the first commits), finds the row and sends nothing; if sending fails, the row is rolled back
and the next run tries again. The one gap left is a crash after the mail server has accepted the
mail but before the commit: that mail is sent again on the next run.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ska.models import Role, RoleAssignment, Unit, User
from ska.text import one_line

from ..models import (
    DigestSent,
    Event,
    EventKindSetting,
    Occurrence,
    ReminderPreference,
    ReminderSent,
)
from ..models.wheels import DEADLINE_KINDS, DEFAULT_REMINDER_DAYS
from .reading import concerning, concerns_unit

logger = logging.getLogger(__name__)

UNIT_ROLES = frozenset({Role.RECTOR, Role.CONTRIBUTOR})
COMMITTEE_ROLES = frozenset({Role.SECRETARY, Role.MEMBER})
REACHABLE_ROLES = UNIT_ROLES | COMMITTEE_ROLES | {Role.LEADERSHIP}
# Mail that no one should auto-reply to (RFC 3834), and Outlook's own way of saying so.
AUTOMATIC_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


# --- Who ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recipient:
    user: User
    responsible: bool  # among those responsible for the event
    roles: frozenset[str]  # the event's roles through which it concerns them


@dataclass
class Audience:
    """Who is reminded of one event, and everyone responsible for it (to name in the mail)."""

    recipients: list[Recipient] = field(default_factory=list)
    responsible: list[User] = field(default_factory=list)


def base_url() -> str:
    """Where the site is, for links in e-mails (sent outside any request)."""
    return settings.SKA_BASE_URL.rstrip("/")


def _events_of(items: Iterable[Occurrence | Event]) -> list[Event]:
    events = {}
    for item in items:
        event = item.event if isinstance(item, Occurrence) else item
        events.setdefault(event.pk, event)
    return list(events.values())


def _reminders_on(user: User) -> bool:
    try:
        return user.reminder_preference.reminders
    except ReminderPreference.DoesNotExist:
        return True  # without a row, reminders are on


def _role_rows(events: list[Event], today: datetime.date) -> list[tuple]:
    """The assignments of every role the events name, where their wheels reach. One query."""
    roles = set().union(*(set(e.concerns_roles) & REACHABLE_ROLES for e in events)) if events else set()
    if not roles:
        return []
    unit_wheel_units = {e.wheel.unit_id for e in events if e.wheel.unit_id and e.concerns_roles}
    administrations = {e.wheel.administration_id for e in events if e.wheel.administration_id and e.concerns_roles}
    committees = {e.wheel.committee_id for e in events if e.wheel.committee_id and e.concerns_roles}
    at_units = Q(unit_id__in=unit_wheel_units) | Q(unit__administration_id__in=administrations) | Q(
        unit__administration__committee_id__in=committees
    )
    open_unit = Q(unit__closed_on__isnull=True) | Q(unit__closed_on__gt=today)
    reach = Q(pk__in=[])
    if roles & UNIT_ROLES:
        reach |= Q(role__in=roles & UNIT_ROLES) & at_units & open_unit
    if Role.LEADERSHIP in roles:
        reach |= Q(role=Role.LEADERSHIP) & (
            Q(administration_id__in=administrations) | Q(administration__committee_id__in=committees)
        )
    if roles & COMMITTEE_ROLES:
        reach |= Q(role__in=roles & COMMITTEE_ROLES, committee_id__in=committees)
    return list(
        RoleAssignment.objects.filter(reach).values_list(
            "user_id",
            "role",
            "unit_id",
            "unit__administration_id",
            "unit__administration__committee_id",
            "administration_id",
            "administration__committee_id",
            "committee_id",
        )
    )


def recipients_by_event(
    items: Iterable[Occurrence | Event], *, today: datetime.date | None = None
) -> dict[int, Audience]:
    """For each event (given as events or occurrences, their wheels loaded), who is reminded.

    At most six queries however many events: responsible people, role assignments, the units'
    school forms, the people, and the events' concerned units and school forms if not prefetched.
    """
    today = today or timezone.localdate()
    events = _events_of(items)
    if not events:
        return {}
    prefetch_related_objects(
        events, Prefetch("concerns_units", queryset=Unit.objects.only("pk", "name")), "concerns_school_forms"
    )

    responsible: dict[int, set[int]] = defaultdict(set)
    for event_id, user_id in Event.responsible.through.objects.filter(
        event_id__in=[e.pk for e in events]
    ).values_list("event_id", "user_id"):
        responsible[event_id].add(user_id)

    # Index the role holders by where they hold their role.
    at_unit: dict[int, set[tuple[int, str]]] = defaultdict(set)  # unit -> (user, role)
    units_of_administration: dict[int, set[int]] = defaultdict(set)
    units_under_committee: dict[int, set[int]] = defaultdict(set)
    leading_administration: dict[int, set[int]] = defaultdict(set)
    leading_under_committee: dict[int, set[int]] = defaultdict(set)
    in_committee: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for user_id, role, unit_id, unit_admin, unit_committee, admin_id, admin_committee, committee_id in _role_rows(
        events, today
    ):
        if role in UNIT_ROLES:
            at_unit[unit_id].add((user_id, role))
            if unit_admin:
                units_of_administration[unit_admin].add(unit_id)
            if unit_committee:
                units_under_committee[unit_committee].add(unit_id)
        elif role == Role.LEADERSHIP:
            leading_administration[admin_id].add(user_id)
            leading_under_committee[admin_committee].add(user_id)
        else:
            in_committee[committee_id].add((user_id, role))
    forms_of_unit: dict[int, set[int]] = defaultdict(set)
    shared_units = set().union(*units_of_administration.values(), *units_under_committee.values())
    if shared_units:
        for unit_id, form_id in Unit.school_forms.through.objects.filter(unit_id__in=shared_units).values_list(
            "unit_id", "schoolform_id"
        ):
            forms_of_unit[unit_id].add(form_id)

    reasons: dict[int, dict[int, set[str]]] = {}  # event -> user -> roles
    for event in events:
        wanted = set(event.concerns_roles)
        wheel = event.wheel
        found: dict[int, set[str]] = defaultdict(set)
        if wanted:
            if wheel.unit_id:
                units = [wheel.unit_id]
            else:
                shared = units_of_administration[wheel.administration_id] if wheel.administration_id else (
                    units_under_committee[wheel.committee_id]
                )
                units = [u for u in shared if concerns_unit(event, u, forms_of_unit[u])]
            for unit_id in units:
                for user_id, role in at_unit[unit_id]:
                    if role in wanted:
                        found[user_id].add(role)
            if wheel.administration_id:
                if Role.LEADERSHIP in wanted:
                    for user_id in leading_administration[wheel.administration_id]:
                        found[user_id].add(Role.LEADERSHIP)
            elif wheel.committee_id:
                if Role.LEADERSHIP in wanted:
                    for user_id in leading_under_committee[wheel.committee_id]:
                        found[user_id].add(Role.LEADERSHIP)
                for user_id, role in in_committee[wheel.committee_id]:
                    if role in wanted:
                        found[user_id].add(role)
        for user_id in responsible[event.pk]:
            found.setdefault(user_id, set())
        reasons[event.pk] = found

    user_ids = set().union(*(set(found) for found in reasons.values()))
    users = {
        user.pk: user
        for user in User.objects.filter(pk__in=user_ids, is_active=True).select_related("reminder_preference")
    }
    audiences = {}
    for event in events:
        audience = Audience(
            responsible=sorted((users[u] for u in responsible[event.pk] if u in users), key=str),
        )
        for user_id, roles in reasons[event.pk].items():
            user = users.get(user_id)
            if user is None or not user.email or not _reminders_on(user):
                continue
            audience.recipients.append(Recipient(user, user_id in responsible[event.pk], frozenset(roles)))
        audience.recipients.sort(key=lambda r: (str(r.user), r.user.pk))
        audiences[event.pk] = audience
    return audiences


def recipients(occurrence_or_event: Occurrence | Event, *, today: datetime.date | None = None) -> list[User]:
    """The people reminded of one occurrence or event (see ``recipients_by_event``)."""
    audience = recipients_by_event([occurrence_or_event], today=today)
    return [r.user for r in next(iter(audience.values())).recipients] if audience else []


# --- When -------------------------------------------------------------------------------
def reminder_days() -> dict[str, int]:
    """Days before an occurrence that its kind's reminder goes out, for kinds that have one."""
    days = {str(kind): value for kind, value in DEFAULT_REMINDER_DAYS.items()}
    days.update(EventKindSetting.objects.values_list("kind", "reminder_days"))
    return {kind: value for kind, value in days.items() if value > 0}


def due_occurrences(today: datetime.date) -> list[Occurrence]:
    """Live, not skipped occurrences whose reminder window (``date - days`` to ``date``) holds today."""
    days = reminder_days()
    if not days:
        return []
    occurrences = (
        Occurrence.objects.filter(
            event__deleted_at__isnull=True,
            event__wheel__deleted_at__isnull=True,
            event__kind__in=list(days),
            date__gte=today,
            date__lte=today + datetime.timedelta(days=max(days.values())),
        )
        .exclude(status=Occurrence.Status.SKIPPED)
        .select_related("event__wheel__unit", "event__wheel__administration", "event__wheel__committee")
        .order_by("date", "pk")
    )
    return [o for o in occurrences if o.date - datetime.timedelta(days=days[o.event.kind]) <= today]


# --- The e-mails -------------------------------------------------------------------------
def _day(day: datetime.date) -> str:
    return date_format(day, "l j F Y")


def _when(occurrence: Occurrence) -> str:
    event = occurrence.event
    text = _day(occurrence.date)
    if occurrence.end_date and occurrence.end_date != occurrence.date:
        text = _("%(start)s to %(end)s") % {"start": text, "end": _day(occurrence.end_date)}
    if event.start_time:
        times = time_format(event.start_time, "TIME_FORMAT")
        if event.end_time:
            times = f"{times}–{time_format(event.end_time, 'TIME_FORMAT')}"
        text = _("%(day)s at %(time)s") % {"day": text, "time": times}
    return text


def _event_url(event: Event) -> str:
    return base_url() + reverse("annualwheel:event_detail", args=[event.pk])


def _account_url() -> str:
    return base_url() + reverse("my_account")


def _greeting(user: User) -> str:
    return _("Hello %(name)s,") % {"name": user.first_name or str(user)}


def reminder_message(occurrence: Occurrence, recipient: Recipient, audience: Audience, today: datetime.date):
    """The reminder e-mail to one person (in the active language)."""
    event = occurrence.event
    user = recipient.user
    left = (occurrence.date - today).days
    if event.kind in DEADLINE_KINDS:
        opening = _("The deadline “%(title)s” is %(when)s.")
    else:
        opening = _("“%(title)s” is %(when)s.")
    lines = [
        _greeting(user),
        "",
        opening % {"title": event.title, "when": _when(occurrence)},
        _("That is today.") if left == 0 else ngettext("That is in %(count)d day.", "That is in %(count)d days.", left)
        % {"count": left},
        "",
        _("Type: %(kind)s") % {"kind": event.get_kind_display()},
        _("Annual wheel: %(wheel)s") % {"wheel": event.wheel.name},
    ]
    if event.place:
        lines.append(_("Place: %(place)s") % {"place": event.place})
    others = [str(person) for person in audience.responsible if person.pk != user.pk]
    if event.responsible_note:
        others.append(event.responsible_note)
    if others:
        lines.append(_("Also responsible: %(names)s") % {"names": ", ".join(others)})
    if event.description:
        lines += ["", event.description.strip()]
    lines.append("")
    if recipient.responsible:
        lines.append(_("You get this reminder because you are responsible for the event."))
    else:
        roles = ", ".join(str(Role(role).label).lower() for role in sorted(recipient.roles))
        lines.append(_("You get this reminder because the event concerns you as %(roles)s.") % {"roles": roles})
    lines += [
        _("Read more in SKA: %(url)s") % {"url": _event_url(event)},
        "",
        "-- ",
        _(
            "SKA reminds you before events in the annual wheels that concern you. "
            "You can switch reminders off under My account: %(url)s"
        )
        % {"url": _account_url()},
    ]
    subject = _("Reminder: %(title)s %(date)s") % {"title": event.title, "date": date_format(occurrence.date, "j F Y")}
    return EmailMessage(
        subject=one_line(subject), body="\n".join(lines), to=[user.email], headers=dict(AUTOMATIC_HEADERS)
    )


def send_due_reminders(today: datetime.date | None = None) -> int:
    """Send the reminders due today, each at most once per occurrence and person. Returns how many
    were sent; failed ones are logged and left for the next run."""
    today = today or timezone.localdate()
    occurrences = due_occurrences(today)
    if not occurrences:
        return 0
    audiences = recipients_by_event(occurrences, today=today)
    done = set(
        ReminderSent.objects.filter(occurrence__in=occurrences).values_list("occurrence_id", "user_id")
    )
    pending = [
        (occurrence, recipient)
        for occurrence in occurrences
        for recipient in audiences[occurrence.event_id].recipients
        if (occurrence.pk, recipient.user.pk) not in done
    ]
    if not pending:
        return 0
    sent = failed = 0
    with translation.override(settings.LANGUAGE_CODE), get_connection() as connection:
        for occurrence, recipient in pending:
            message = reminder_message(occurrence, recipient, audiences[occurrence.event_id], today)
            message.connection = connection
            outcome = _send_once(message, ReminderSent, occurrence=occurrence, user=recipient.user)
            sent += outcome is True
            failed += outcome is None
    if failed:
        logger.warning("%d reminder(s) could not be sent; the next run tries again.", failed)
    return sent


def _send_once(message: EmailMessage, model, **row) -> bool | None:
    """Insert the row and send in one transaction: True if sent, False if already sent (now or
    by a concurrent run), None if sending failed (the row is rolled back)."""
    try:
        with transaction.atomic():
            model.objects.create(**row)
            message.send()
    except IntegrityError:
        return False
    except Exception:
        logger.exception("Could not send “%s” to %s", message.subject, message.to)
        return None
    return True


# --- The weekly digest -------------------------------------------------------------------
def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week ``day`` is in."""
    return day - datetime.timedelta(days=day.weekday())


def digest_message(user: User, upcoming: list, start: datetime.date, end: datetime.date) -> EmailMessage:
    lines = [
        _greeting(user),
        "",
        _("This is what concerns you in SKA's annual wheels from %(start)s to %(end)s:")
        % {"start": _day(start), "end": _day(end)},
        "",
    ]
    for item in upcoming:
        occurrence = item.occurrence
        event = occurrence.event
        line = f"{_when(occurrence)}: {event.title} ({event.get_kind_display()}, {event.wheel.name})"
        if item.responsible:
            line += " – " + _("you are responsible")
        lines += [line, "  " + _event_url(event)]
    lines += [
        "",
        "-- ",
        _("You get this summary on Mondays because you asked for it. You can switch it off under My account: %(url)s")
        % {"url": _account_url()},
    ]
    week = start.isocalendar().week
    return EmailMessage(
        subject=_("Your week in SKA: week %(week)d") % {"week": week},
        body="\n".join(lines),
        to=[user.email],
        headers=dict(AUTOMATIC_HEADERS),
    )


def send_weekly_digests(today: datetime.date | None = None) -> int:
    """To everyone who asked for it (whether or not their reminders are on: the digest is a
    choice of its own), what concerns them in the seven days from ``today``; once per person and
    ISO week, and nothing for an empty week. Returns how many were sent."""
    today = today or timezone.localdate()
    week = week_of(today)
    end = today + datetime.timedelta(days=6)
    people = (
        User.objects.filter(is_active=True, reminder_preference__weekly_digest=True)
        .exclude(email="")
        .exclude(pk__in=DigestSent.objects.filter(week=week).values("user_id"))
        .order_by("pk")
    )
    sent = failed = 0
    connection = None
    with translation.override(settings.LANGUAGE_CODE):
        try:
            for user in people:
                upcoming = concerning(user, today, end)
                if not upcoming:
                    continue
                if connection is None:
                    connection = get_connection()
                    connection.open()
                message = digest_message(user, upcoming, today, end)
                message.connection = connection
                outcome = _send_once(message, DigestSent, user=user, week=week)
                sent += outcome is True
                failed += outcome is None
        finally:
            if connection is not None:
                connection.close()
    if failed:
        logger.warning("%d weekly digest(s) could not be sent; the next run tries again.", failed)
    return sent
