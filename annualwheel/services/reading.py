"""Reading the wheels: which occurrences to show whom, in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from ska.access import scope_of, visible_wheels
from ska.models import Role, Unit

from ..models import Event, Occurrence, Wheel


def occurrences_of(
    wheels,
    start: datetime.date,
    end: datetime.date,
    *,
    kinds: list[str] | None = None,
    include_skipped: bool = True,
) -> list[Occurrence]:
    """Occurrences of live events in ``wheels`` between two days, with what they concern. Three queries."""
    occurrences = (
        Occurrence.objects.filter(
            event__wheel__in=wheels,
            event__deleted_at__isnull=True,
            event__wheel__deleted_at__isnull=True,
            date__lte=end,
        )
        .filter(Q(date__gte=start) | Q(end_date__gte=start))
        .select_related("event__wheel")
        .prefetch_related(
            Prefetch("event__concerns_units", queryset=Unit.objects.only("pk", "name")),
            "event__concerns_school_forms",
        )
        .order_by("date", "event__start_time", "event__title", "pk")
    )
    if kinds:
        occurrences = occurrences.filter(event__kind__in=kinds)
    if not include_skipped:
        occurrences = occurrences.exclude(status=Occurrence.Status.SKIPPED)
    return list(occurrences)


def concerns_unit(event: Event, unit_id: int, unit_form_ids: set[int]) -> bool:
    """Whether an administration-wide event is one the unit must follow (uses prefetched rows)."""
    return concerns(concerned_ids(event), unit_id, unit_form_ids)


def concerned_ids(event: Event) -> tuple[frozenset[int], frozenset[int]]:
    """The units and the school forms an event concerns (pks of prefetched rows; empty: all), to
    read once for an event that ``concerns`` then checks against many units."""
    return frozenset(u.pk for u in event.concerns_units.all()), frozenset(f.pk for f in event.concerns_school_forms.all())


def concerns(concerned: tuple[frozenset[int], frozenset[int]], unit_id: int, unit_form_ids: set[int]) -> bool:
    """``concerns_unit`` for an event's ``concerned_ids``."""
    units, forms = concerned
    if units and unit_id not in units:
        return False
    return not forms or bool(forms & unit_form_ids)


def wheels_for_unit(unit: Unit, school_year) -> tuple[list[Wheel], list[Wheel]]:
    """The unit's own wheels and its administration's wheels for a school year. One query."""
    wheels = list(
        Wheel.objects.filter(school_year=school_year)
        .filter(Q(unit=unit) | Q(administration_id=unit.administration_id, administration__isnull=False))
        .order_by("name")
    )
    return [w for w in wheels if w.unit_id == unit.pk], [w for w in wheels if w.unit_id != unit.pk]


def unit_occurrences(unit: Unit, wheels_own, wheels_above, start, end, *, kinds=None) -> list[Occurrence]:
    """The unit's own occurrences beside the administration's that concern it."""
    form_ids = {form.pk for form in unit.school_forms.all()}
    own = {w.pk for w in wheels_own}
    return [
        o
        for o in occurrences_of([*wheels_own, *wheels_above], start, end, kinds=kinds)
        if o.event.wheel_id in own or concerns_unit(o.event, unit.pk, form_ids)
    ]


def wheel_occurrences(wheel: Wheel, start, end, *, kinds=None) -> list[Occurrence]:
    """What a wheel shows: its occurrences, and for a municipal unit's wheel also the
    administration's events that concern the unit. Whoever may see a unit's wheel may see its
    administration's wheels too (``ska.access``), so nothing here needs checking per wheel."""
    unit = wheel.unit
    if unit is None or unit.administration_id is None:
        return occurrences_of([wheel], start, end, kinds=kinds)
    _own, above = wheels_for_unit(unit, wheel.school_year)
    return unit_occurrences(unit, [wheel], above, start, end, kinds=kinds)


@dataclass
class Upcoming:
    occurrence: Occurrence
    responsible: bool  # the person is among those responsible


def _concerns_person(event: Event, roles: set[str], unit_ids: set[int], unit_forms: dict[int, set[int]]) -> bool:
    if event.concerns_roles and not (set(event.concerns_roles) & roles):
        return False
    wheel = event.wheel
    if wheel.unit_id is not None or wheel.committee_id is not None or not unit_ids:
        return True
    return any(concerns_unit(event, unit_id, forms) for unit_id, forms in unit_forms.items())


def upcoming_for(user, days: int = 30, today: datetime.date | None = None) -> list[Upcoming]:
    """What comes up in the next ``days`` days in the wheels that concern the person."""
    today = today or timezone.localdate()
    return concerning(user, today, today + datetime.timedelta(days=days))


def concerning(user, start: datetime.date, end: datetime.date, *, include_skipped: bool = False) -> list[Upcoming]:
    """Occurrences between two days in the wheels that concern the person: their units' wheels,
    their administrations' and committees' wheels (filtered to what concerns their roles and
    units), and everything they are responsible for. Six queries whatever the data."""
    scope = scope_of(user)
    if not (scope.is_sysadmin or scope.roles):
        return []
    if scope.is_sysadmin and not scope.roles - {Role.SYSADMIN}:
        # An administrator without other roles follows the shared wheels, not every unit's.
        mine = Q(administration__isnull=False) | Q(committee__isnull=False)
    else:
        mine = (
            Q(unit_id__in=scope.unit_staff_units)
            | Q(administration_id__in=scope.led_administrations | scope.staff_administrations)
            | Q(committee_id__in=scope.committees | scope.related_committees)
        )
    wheels = visible_wheels(user).filter(mine)
    occurrences = occurrences_of(wheels, start, end, include_skipped=include_skipped)
    responsible = set(
        Event.responsible.through.objects.filter(
            user=user, event__in={o.event_id for o in occurrences}
        ).values_list("event_id", flat=True)
    )
    units = Unit.objects.filter(pk__in=scope.unit_staff_units).prefetch_related("school_forms")
    unit_forms = {unit.pk: {f.pk for f in unit.school_forms.all()} for unit in units} if scope.unit_staff_units else {}
    leads = scope.led_administrations
    shown = []
    for occurrence in occurrences:
        event = occurrence.event
        mine = event.pk in responsible
        if mine or event.wheel.administration_id in leads or scope.is_sysadmin or _concerns_person(
            event, set(scope.roles), set(scope.unit_staff_units), unit_forms
        ):
            shown.append(Upcoming(occurrence, mine))
    return shown
