"""Turning an event's rule into dated occurrences, with holidays and school breaks handled.

``planned_dates`` is pure: the rule's dates, each with where it lands and why. ``sync_occurrences``
writes them: new dates are added, dates the rule no longer has are removed, and an occurrence
changed by hand stays as the person left it. Every change raises the occurrence's sequence, which
calendar programs use to replace their copy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil import rrule
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import ClosedDayRule, Event, Occurrence, Repeat
from .closed_days import closed_days, is_open

MAX_OCCURRENCES = 400  # more than two a day through a school year is not a plan
SEARCH_DAYS = 21  # how far a moved occurrence may travel to find an open weekday


@dataclass(frozen=True)
class Planned:
    original_date: datetime.date
    date: datetime.date
    status: str
    reason: str = ""


def rule_dates(event: Event) -> list[datetime.date]:
    """The dates the rule gives, before holidays are considered."""
    start = event.start_date
    if event.repeat == Repeat.NONE:
        return [start]
    if event.repeat == Repeat.DATES:
        dates = {start, *(datetime.date.fromisoformat(d) if isinstance(d, str) else d for d in event.dates)}
        return sorted(dates)[:MAX_OCCURRENCES]
    until = event.repeat_until or start
    weekday = rrule.weekday(start.weekday())
    if event.repeat == Repeat.WEEKLY:
        rule = rrule.rrule(rrule.WEEKLY, interval=max(1, event.interval), byweekday=weekday, dtstart=start, until=until)
    else:
        nth = event.nth or (start.day - 1) // 7 + 1
        rule = rrule.rrule(rrule.MONTHLY, byweekday=weekday(nth), dtstart=start, until=until)
    return [moment.date() for moment in rule[:MAX_OCCURRENCES]] if rule.count() else [start]


def _shift(day: datetime.date, step: int, closed) -> datetime.date | None:
    for _i in range(SEARCH_DAYS):
        day += datetime.timedelta(days=step)
        if is_open(day, closed):
            return day
    return None


def planned_dates(event: Event, closed: dict[datetime.date, str]) -> list[Planned]:
    planned = []
    for day in rule_dates(event):
        reason = closed.get(day)
        if reason is None or event.repeat == Repeat.NONE or event.on_closed_day == ClosedDayRule.KEEP:
            planned.append(Planned(day, day, Occurrence.Status.SCHEDULED))
            continue
        moved = None
        if event.on_closed_day != ClosedDayRule.SKIP:
            moved = _shift(day, 1 if event.on_closed_day == ClosedDayRule.NEXT else -1, closed)
        if moved is None:
            planned.append(Planned(day, day, Occurrence.Status.SKIPPED, reason))
        else:
            planned.append(Planned(day, moved, Occurrence.Status.MOVED, reason))
    return planned


def _range(event: Event) -> tuple[datetime.date, datetime.date]:
    dates = rule_dates(event)
    return min(dates) - datetime.timedelta(days=SEARCH_DAYS), max(dates) + datetime.timedelta(days=SEARCH_DAYS)


def sync_occurrences(event: Event) -> None:
    """Bring the event's occurrences in line with its rule (safe to run again)."""
    start, end = _range(event)
    planned = {p.original_date: p for p in planned_dates(event, closed_days(event.wheel.municipality_id, start, end))}
    length = (event.end_date - event.start_date) if event.end_date else None
    with transaction.atomic():
        existing = {o.original_date: o for o in Occurrence.objects.select_for_update().filter(event=event)}
        for original_date, occurrence in existing.items():
            if original_date not in planned and not occurrence.overridden:
                occurrence.delete()
        for original_date, plan in planned.items():
            occurrence = existing.get(original_date)
            if occurrence is not None and occurrence.overridden:
                continue
            values = {
                "date": plan.date,
                "end_date": plan.date + length if length else None,
                "status": plan.status,
                "reason": plan.reason,
            }
            if occurrence is None:
                Occurrence.objects.create(event=event, original_date=original_date, **values)
            elif any(getattr(occurrence, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(occurrence, name, value)
                occurrence.sequence += 1
                occurrence.save()


def change_occurrence(occurrence: Occurrence, *, date: datetime.date | None, skipped: bool, user) -> Occurrence:
    """A change by hand: move the occurrence, skip it, or bring a skipped one back."""
    with transaction.atomic():
        current = Occurrence.objects.select_for_update().select_related("event").get(pk=occurrence.pk)
        event = current.event
        length = (event.end_date - event.start_date) if event.end_date else None
        if skipped:
            current.status = Occurrence.Status.SKIPPED
            current.reason = current.reason or _("Cancelled by hand")
        else:
            current.date = date or current.date
            current.end_date = current.date + length if length else None
            current.status = (
                Occurrence.Status.SCHEDULED if current.date == current.original_date else Occurrence.Status.MOVED
            )
            if current.status == Occurrence.Status.MOVED and not current.reason:
                current.reason = _("Moved by hand")
        current.overridden = True
        current.sequence += 1
        current._history_user = user
        current.save()
        return current


def reset_occurrence(occurrence: Occurrence, user) -> None:
    """Let the rule decide again about an occurrence changed by hand."""
    with transaction.atomic():
        current = Occurrence.objects.select_for_update().select_related("event__wheel").get(pk=occurrence.pk)
        current.overridden = False
        current._history_user = user
        current.save()
        sync_occurrences(current.event)
