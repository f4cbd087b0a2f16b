"""When a unit's quality report is due, from the annual wheels' report deadlines.

The report of a school year is written as the year ends: a report deadline in the year's spring
term, or in the autumn term after it (Ekvalla's wheel has one in September), is the deadline of
that year's report. A deadline applies to a unit as every wheel deadline does: on the unit's own
wheel, or on its administration's wheel and concerning the unit (``concerns_unit``).
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from annualwheel.models import EventKind, Occurrence
from annualwheel.services.reading import concerns_unit
from ska.schoolyear import SchoolYear


def passed_report_deadlines(units, school_year: SchoolYear, today: datetime.date | None = None) -> dict[int, Occurrence]:
    """For each unit whose report of ``school_year`` had a deadline that has passed: the first
    such deadline. Two queries (units need ``school_forms`` prefetched, or they cost one each)."""
    today = today or timezone.localdate()
    first_day, after = school_year.spring.start, school_year.next().spring.start
    administrations = {u.administration_id for u in units if u.administration_id}
    occurrences = list(
        Occurrence.objects.filter(
            event__kind=EventKind.REPORT_DEADLINE,
            event__deleted_at__isnull=True,
            event__wheel__deleted_at__isnull=True,
            date__gte=first_day,
            date__lt=min(after, today),
        )
        .exclude(status=Occurrence.Status.SKIPPED)
        .filter(Q(event__wheel__administration_id__in=administrations) | Q(event__wheel__unit__in=units))
        .select_related("event__wheel")
        .prefetch_related("event__concerns_units", "event__concerns_school_forms")
        .order_by("date", "pk")
    )
    passed: dict[int, Occurrence] = {}
    for unit in units:
        forms = {f.pk for f in unit.school_forms.all()}
        for occurrence in occurrences:
            wheel = occurrence.event.wheel
            if wheel.unit_id == unit.pk or (
                wheel.administration_id == unit.administration_id and concerns_unit(occurrence.event, unit.pk, forms)
            ):
                passed[unit.pk] = occurrence
                break
    return passed
