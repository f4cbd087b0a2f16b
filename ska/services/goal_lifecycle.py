"""A goal's life: draft → active → closed (with an outcome and a reason), and back.

A draft (a development area turned into next year's goal, say) counts nowhere until it is
made active. Closing a goal records the day, how it ended and why; a goal closed before the
end of its school year no longer counts in that year's matrix, to-do lists and reports, while
one closed at the end of the year ran the whole year and still does (``GoalQuerySet.in_force``).
Every change goes through ``record_update``: history kept, a save on an older version refused.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Goal
from .records import record_update


@transaction.atomic
def goal_activate(*, goal: Goal, version: int, user) -> Goal:
    if goal.status != Goal.Status.DRAFT:
        raise ValidationError(_("Only a draft goal can be made active."))
    return record_update(record=goal, version=version, values={"status": Goal.Status.ACTIVE}, user=user)


@transaction.atomic
def goal_close(
    *, goal: Goal, version: int, outcome: str, reason: str, closed_on: datetime.date | None = None, user
) -> Goal:
    """Close an active goal; ``closed_on`` defaults to today and may not lie before the school
    year began (a goal closed at the year's end is closed on its last day)."""
    if goal.status != Goal.Status.ACTIVE:
        raise ValidationError(_("Only an active goal can be closed."))
    if outcome not in Goal.Outcome.values:
        raise ValidationError({"outcome": _("Choose how the goal ended.")})
    if not reason.strip():
        raise ValidationError({"closing_reason": _("Say why the goal is closed.")})
    closed_on = closed_on or timezone.localdate()
    if closed_on < goal.school_year.first_day:
        raise ValidationError({"closed_on": _("A goal cannot be closed before its school year began.")})
    values = {"status": Goal.Status.CLOSED, "closed_on": closed_on, "outcome": outcome, "closing_reason": reason.strip()}
    return record_update(record=goal, version=version, values=values, user=user)


@transaction.atomic
def goal_reopen(*, goal: Goal, version: int, user) -> Goal:
    """Make a closed goal active again (closed by mistake); the history keeps the closing."""
    if goal.status != Goal.Status.CLOSED:
        raise ValidationError(_("Only a closed goal can be reopened."))
    values = {"status": Goal.Status.ACTIVE, "closed_on": None, "outcome": "", "closing_reason": ""}
    return record_update(record=goal, version=version, values=values, user=user)
