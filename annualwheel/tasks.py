"""Background jobs of the annual wheel, run by Celery beat (``CELERY_BEAT_SCHEDULE``).

Thin: each calls one service function. Both are safe to run twice, or at the same time, or
again after a restart: the rows in ``ReminderSent`` and ``DigestSent`` make each e-mail go out
once (``annualwheel.services.reminders``).
"""

from __future__ import annotations

import datetime

from celery import shared_task

from .services import reminders


def _day(today: str | None) -> datetime.date | None:
    # Dates travel as ISO text (the JSON serializer); none means today in Stockholm.
    return datetime.date.fromisoformat(today) if today else None


@shared_task(name="annualwheel.send_due_reminders")
def send_due_reminders_task(today: str | None = None) -> int:
    """E-mail the reminders that are due (``today``: an ISO date, for tests and catching up)."""
    return reminders.send_due_reminders(_day(today))


@shared_task(name="annualwheel.send_weekly_digests")
def send_weekly_digests_task(today: str | None = None) -> int:
    """E-mail the weekly digests of the week ``today`` is in."""
    return reminders.send_weekly_digests(_day(today))
