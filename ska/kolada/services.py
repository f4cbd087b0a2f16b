"""Fetching an indicator's figures from Kolada and keeping them as check-ins.

A refresh asks Kolada for the source's own series (the unit's or the municipality's values)
and the reference series in at most two requests, then, under a lock on the source, stores
every value and brings the check-ins in line with the chosen gender's published values:

- a new year gets a check-in marked as fetched from Kolada, dated 30 June of that year;
- a revised value replaces the check-in's value (version + 1); the history keeps the old one;
- a year Kolada now publishes as missing or suppressed, or no longer lists, loses its
  check-in (soft-deleted, kept in history), so the page shows the year as missing, never as 0.

When Kolada cannot be reached nothing stored changes: the source records the failed try, and
the pages go on showing the stored values and say that the source could not be reached.
Running a refresh twice gives the same result as running it once, and a refresh whose
source was changed while it fetched stores nothing (the change asked for a fetch of its own).
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from ..models import CheckIn, KoladaSource, KoladaValue
from ..suppression import municipality_of_goal
from .client import KoladaClient
from .series import period_date, reference_lines
from .types import KoladaUnavailable, Value

logger = logging.getLogger(__name__)

# Why a check-in changed, kept in English in its history and translated where it is shown
# (ska.services.check_ins.check_in_value_changes).
REVISED = gettext_noop("Revised in Kolada")
WITHDRAWN = gettext_noop("No longer published in Kolada")
REPUBLISHED = gettext_noop("Published again in Kolada")
CHANGED_FIGURE = gettext_noop("The indicator's Kolada figure was changed")
SERIES = KoladaValue.Series


@dataclass
class RefreshResult:
    created: int = 0
    revised: int = 0
    withdrawn: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def reference_ids(source: KoladaSource) -> dict[str, str]:
    """Kolada id → series key of the source's reference series."""
    return {kolada_id: key for key, kolada_id, _label in reference_lines(source)}


def what_is_fetched(source: KoladaSource) -> tuple:
    """Everything a fetch's answer depends on: if it differs under the lock, the answer is stale."""
    return (source.kpi_id, source.level, source.entity_id, tuple(sorted(reference_ids(source).items())))


def fetch(source: KoladaSource, client: KoladaClient, fresh: KoladaClient) -> list[tuple[str, Value]]:
    """(series key, value) of everything the source shows; raises KoladaUnavailable. The own
    series is always asked for afresh (``fresh``: no cache), so a revision shows at once; the
    reference series, shared by every indicator on the same figure, may come from the cache."""
    if source.level == KoladaSource.Level.UNIT:
        own = fresh.ou_data(source.kpi_id, [source.ou_id])
    else:
        own = fresh.data(source.kpi_id, [source.municipality_id])
    fetched = [(SERIES.OWN, v) for v in own if v.entity == source.entity_id]
    references = reference_ids(source)
    if references:
        fetched += [(references[v.entity], v) for v in client.data(source.kpi_id, list(references)) if v.entity in references]
    return fetched


def refresh_source(source: KoladaSource, *, client: KoladaClient | None = None) -> RefreshResult:
    """Fetch the source's values and apply them (see the module's docstring)."""
    client = client or KoladaClient()
    fresh = copy.copy(client)  # the same client and connection, without the cache
    fresh.use_cache = False
    fetched_for = what_is_fetched(source)
    try:
        fetched = fetch(source, client, fresh)
        result = apply(source, fetched, fetched_for=fetched_for)
    except (KoladaUnavailable, ValueError) as error:
        logger.warning("Kolada's values for source %s could not be fetched: %s", source.pk, error)
        _record_failure(source, str(error))
        return RefreshResult(error=str(error))
    except Exception as error:  # a value that cannot be stored, say: logged, and the page says so
        logger.exception("Kolada's values for source %s could not be stored", source.pk)
        _record_failure(source, f"The values could not be stored ({type(error).__name__})")
        return RefreshResult(error=str(error))
    source.refresh_from_db()
    return result


def _record_failure(source: KoladaSource, reason: str) -> None:
    KoladaSource.objects.filter(pk=source.pk).update(last_attempt_at=timezone.now(), last_error=reason[:300])
    source.refresh_from_db()


@transaction.atomic
def apply(source: KoladaSource, fetched: list[tuple[str, Value]], *, fetched_for: tuple | None = None, user=None) -> RefreshResult:
    """Store fetched values and bring the check-ins in line, under a lock on the source. With
    nothing fetched, the check-ins are brought in line with the stored values (a new gender)."""
    now = timezone.now()
    source = KoladaSource.objects.select_for_update(of=("self",)).select_related("indicator").get(pk=source.pk)
    if fetched_for is not None and fetched_for != what_is_fetched(source):
        return RefreshResult(error="The source was changed while its values were fetched")
    result = RefreshResult()
    stored = {(v.series, v.period, v.gender): v for v in source.values.all()}
    for series, value in fetched:
        _store_value(source, stored, series, value.period, value.gender, value.value, value.state, value.status, now)
    if fetched_for is not None and any(series == SERIES.OWN for series, _v in fetched):
        # Years Kolada no longer lists at all are no longer published either.
        listed = {(v.period, v.gender) for series, v in fetched if series == SERIES.OWN}
        for (series, period, gender), row in list(stored.items()):
            if series == SERIES.OWN and (period, gender) not in listed and row.value is not None:
                _store_value(source, stored, series, period, gender, None, KoladaValue.State.MISSING, "", now)
    own = {period: v for (series, period, gender), v in stored.items() if series == SERIES.OWN and gender == source.gender}
    _apply_check_ins(source, own, now, result, user)
    if fetched_for is not None:
        KoladaSource.objects.filter(pk=source.pk).update(fetched_at=now, last_attempt_at=now, last_error="")
    return result


def _store_value(source, stored: dict, series, period, gender, value, state, status, now) -> None:
    key, status = (series, period, gender), status[:40]
    row = stored.get(key)
    if row is None:
        stored[key] = KoladaValue.objects.create(
            source=source, series=series, period=period, gender=gender, value=value, state=state, status=status,
            fetched_at=now,
        )
        return
    if row.value == value and row.state == state and row.status == status:
        return
    row.value, row.state, row.status, row.fetched_at = value, state, status, now
    row._change_reason = REVISED if value is not None else WITHDRAWN
    row.save()


def _apply_check_ins(source, own: dict[int, KoladaValue], now, result: RefreshResult, user=None) -> None:
    """``user``: who changed the source, when that is why the check-ins change (else Kolada)."""
    indicator = source.indicator
    existing: dict = {}
    check_ins = CheckIn.all_objects.filter(indicator=indicator, origin=CheckIn.Origin.KOLADA)
    for check_in in check_ins.order_by(F("deleted_at").asc(nulls_first=True), "pk"):
        existing.setdefault(check_in.date, check_in)  # the live one first, if a year has several
    for period, value in sorted(own.items()):
        day = period_date(period)
        check_in = existing.get(day)
        if value.value is None:
            if check_in is not None and not check_in.is_deleted:
                _save_check_in(check_in, reason=WITHDRAWN, deleted_at=now)
                result.withdrawn += 1
            continue
        number = value.value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # as entered values are kept
        if check_in is None:
            check_in = CheckIn(indicator=indicator, date=day, value=number, origin=CheckIn.Origin.KOLADA, fetched_at=now)
            check_in.full_clean()
            check_in.save()
            result.created += 1
        elif check_in.value != number or check_in.is_deleted:
            # Brought back: after someone changed the figure or gender, or as Kolada publishes it again.
            if check_in.is_deleted:
                reason = CHANGED_FIGURE if check_in.deleted_by_id else REPUBLISHED
            else:
                reason = REVISED
            check_in.value = number
            _save_check_in(check_in, reason=reason, deleted_at=None, fetched_at=now, user=user)
            result.revised += 1


def _save_check_in(check_in, *, reason: str, deleted_at, fetched_at=None, user=None) -> None:
    check_in.deleted_at = deleted_at
    check_in.deleted_by = user if deleted_at else None
    if fetched_at is not None:
        check_in.fetched_at = fetched_at
    check_in.version += 1
    check_in._history_user = user
    check_in._change_reason = reason
    check_in.save()


def refresh_all() -> int:
    """Queue a refresh of every source whose indicator is in use; returns how many."""
    from .tasks import refresh_source_task

    ids = list(KoladaSource.objects.filter(indicator__deleted_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        refresh_source_task.send_or_log(args=(pk,))
    return len(ids)


def request_refresh(source: KoladaSource) -> None:
    """Someone asked for fresh figures now: mark it and fetch in the background. (If the
    fetch never runs, the mark expires: see ``KoladaSource.refresh_pending``.)"""
    from .tasks import refresh_source_task

    now = timezone.now()
    KoladaSource.objects.filter(pk=source.pk).update(refresh_requested_at=now)
    source.refresh_requested_at = now
    refresh_source_task.delay_on_commit(source.pk)


# --- Choosing the source in the indicator form --------------------------------------------
FIGURE_FIELDS = {"kpi_id", "level", "ou_id", "municipality_id"}


@transaction.atomic
def save_source(*, indicator, values: dict, user) -> KoladaSource:
    """Create or change the indicator's source from the form's values and fetch its figures.

    - Another figure or unit: the check-ins fetched for the old one are withdrawn (kept in
      history) and its values dropped; the new figure's are fetched.
    - Another gender: the check-ins follow the stored values of that gender at once.
    - Another group: the old group's line is dropped, the new one's fetched.
    Whatever the change, the pages keep showing what is stored while Kolada is away.
    """
    unit = indicator.goal.unit
    values = {**values, "municipality_title": municipality_of_goal(indicator.goal).name}
    source = KoladaSource.objects.select_for_update(of=("self",)).filter(indicator=indicator).first()
    if source is None:
        _withdraw_check_ins(indicator, user)  # left from an earlier source of the indicator
        source = KoladaSource(indicator=indicator, **values)
        changed = set(values)
    else:
        changed = {name for name, value in values.items() if getattr(source, name) != value}
        if not changed:
            return source
        if changed & FIGURE_FIELDS:
            _withdraw_check_ins(indicator, user)
            source.values.all().delete()
            source.fetched_at = None
        elif "group_id" in changed:
            source.values.filter(series=SERIES.GROUP).delete()
        for name, value in values.items():
            setattr(source, name, value)
    source.full_clean()
    source._history_user = user
    source.save()
    if changed & {"gender"} and not changed & FIGURE_FIELDS and source.fetched_at is not None:
        _withdraw_check_ins(indicator, user)
        apply(source, [], user=user)
    if source.level == KoladaSource.Level.UNIT and unit is not None and not unit.kolada_ou_id:
        unit.kolada_ou_id = source.ou_id
        unit._history_user = user
        unit.save(update_fields=["kolada_ou_id"])
    if changed & (FIGURE_FIELDS | {"group_id", "compare_municipality", "compare_country"}) or source.fetched_at is None:
        request_refresh(source)
    return source


@transaction.atomic
def remove_source(*, indicator, user) -> None:
    """The indicator is no longer fed from Kolada: its fetched check-ins stay, and may now be
    changed by hand like any other (ska.access)."""
    source = KoladaSource.objects.filter(indicator=indicator).first()
    if source is not None:
        source._history_user = user
        source.delete()


def _withdraw_check_ins(indicator, user) -> None:
    now = timezone.now()
    for check_in in CheckIn.objects.filter(indicator=indicator, origin=CheckIn.Origin.KOLADA):
        _save_check_in(check_in, reason=CHANGED_FIGURE, deleted_at=now, user=user)
