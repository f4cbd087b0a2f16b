"""Setting the app's clock in a test. The app reads the time through ``django.utils.timezone``
(``now()``, and ``localdate()``/``localtime()``, which call it), so moving ``now`` moves the
app's today, the time it stamps on history and everything derived from them.

``SKA_TEST_TODAY=2026-07-15 pytest ...`` runs every test on that day (see ``conftest``), to find
code or tests that assume a season.
"""

import datetime

from django.utils import timezone

_real_now = timezone.now


def set_today(monkeypatch, day: datetime.date, hour: int = 12) -> None:
    """From now on it is ``day`` in the site's time zone, from ``hour`` o'clock; the clock keeps
    running, so saves still follow one another in time."""
    wanted = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    offset = wanted - _real_now()
    monkeypatch.setattr(timezone, "now", lambda: _real_now() + offset)
