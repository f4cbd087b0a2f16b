"""Fetching an indicator's figures from Kolada and keeping them as check-ins.

A refresh asks Kolada for the source's own series (the unit's or the municipality's values)
and the reference series in at most two requests, then, under a lock on the source, stores
every value and brings the check-ins in line with the chosen gender's published values:

- a new year gets a check-in marked as fetched from Kolada, dated 30 June of that year;
- a revised value replaces the check-in's value (version + 1); the history keeps the old one;
- a year Kolada now publishes as missing or suppressed loses its check-in (soft-deleted, kept
  in history), so the page shows the year as missing, never as zero.

When Kolada cannot be reached nothing stored changes: the source records the failed try, and
the pages go on showing the stored values and say that the source could not be reached.
Running a refresh twice gives the same result as running it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ..models import CheckIn, KoladaSource, KoladaValue
from .client import KoladaClient
from .series import period_date
from .types import COUNTRY, KoladaUnavailable, Value

logger = logging.getLogger(__name__)

REVISED = "Revised in Kolada"
WITHDRAWN = "No longer published in Kolada"


@dataclass
class RefreshResult:
    created: int = 0
    revised: int = 0
    withdrawn: int = 0
    values: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def reference_ids(source: KoladaSource) -> dict[str, str]:
    """Kolada id → series key of the source's reference series."""
    ids = {}
    if source.compare_municipality and source.level == KoladaSource.Level.UNIT:
        ids[source.municipality_id] = KoladaValue.Series.MUNICIPALITY
    if source.group_id:
        ids[source.group_id] = KoladaValue.Series.GROUP
    if source.compare_country:
        ids[COUNTRY] = KoladaValue.Series.COUNTRY
    return ids


def fetch(source: KoladaSource, client: KoladaClient, fresh: KoladaClient) -> list[tuple[str, Value]]:
    """(series key, value) of everything the source shows; raises KoladaUnavailable. The own
    series is always asked for afresh (``fresh``: no cache), so a revision shows at once; the
    reference series, shared by every indicator on the same figure, may come from the cache."""
    if source.level == KoladaSource.Level.UNIT:
        own = fresh.ou_data(source.kpi_id, [source.ou_id])
    else:
        own = fresh.data(source.kpi_id, [source.municipality_id])
    fetched = [(KoladaValue.Series.OWN, v) for v in own if v.entity == source.entity_id]
    references = reference_ids(source)
    if references:
        fetched += [(references[v.entity], v) for v in client.data(source.kpi_id, list(references)) if v.entity in references]
    return fetched


def refresh_source(source: KoladaSource, *, client: KoladaClient | None = None) -> RefreshResult:
    """Fetch the source's values and apply them (see the module's docstring)."""
    client = client or KoladaClient()
    fresh = KoladaClient(client.base_url, timeout=client.timeout, retries=client.retries, use_cache=False)
    try:
        fetched = fetch(source, client, fresh)
    except KoladaUnavailable as error:
        logger.warning("Kolada could not be reached for source %s: %s", source.pk, error)
        KoladaSource.objects.filter(pk=source.pk).update(last_attempt_at=timezone.now(), last_error=str(error)[:300])
        source.refresh_from_db()
        return RefreshResult(error=str(error))
    result = apply(source, fetched)
    source.refresh_from_db()
    return result


@transaction.atomic
def apply(source: KoladaSource, fetched: list[tuple[str, Value]]) -> RefreshResult:
    now = timezone.now()
    source = KoladaSource.objects.select_for_update().select_related("indicator").get(pk=source.pk)
    result = RefreshResult(values=len(fetched))
    stored = {(v.series, v.period, v.gender): v for v in source.values.all()}
    for series, value in fetched:
        _store_value(source, stored, series, value, now)
    own = {
        v.period: v for (series, _p, gender), v in stored.items()
        if series == KoladaValue.Series.OWN and gender == source.gender
    }
    _apply_check_ins(source, own, now, result)
    KoladaSource.objects.filter(pk=source.pk).update(fetched_at=now, last_attempt_at=now, last_error="")
    return result


def _store_value(source, stored: dict, series: str, value: Value, now) -> None:
    key = (series, value.period, value.gender)
    row = stored.get(key)
    if row is None:
        stored[key] = KoladaValue.objects.create(
            source=source, series=series, period=value.period, gender=value.gender,
            value=value.value, state=value.state, status=value.status[:40], fetched_at=now,
        )
        return
    if row.value == value.value and row.state == value.state and row.status == value.status[:40]:
        return
    row.value, row.state, row.status, row.fetched_at = value.value, value.state, value.status[:40], now
    row._change_reason = REVISED
    row.save()


def _apply_check_ins(source, own: dict[int, KoladaValue], now, result: RefreshResult) -> None:
    indicator = source.indicator
    existing: dict = {}
    for check_in in CheckIn.all_objects.filter(indicator=indicator, origin=CheckIn.Origin.KOLADA).order_by("deleted_at", "pk"):
        # The live one first, if a year has several (it never should).
        existing.setdefault(check_in.date, check_in)
    for period, value in sorted(own.items()):
        day = period_date(period)
        check_in = existing.get(day)
        if value.value is None:
            if check_in is not None and not check_in.is_deleted:
                check_in.deleted_at = now
                check_in.version += 1
                check_in._change_reason = WITHDRAWN
                check_in.save()
                result.withdrawn += 1
            continue
        if check_in is None:
            check_in = CheckIn(indicator=indicator, date=day, value=_rounded(value.value), origin=CheckIn.Origin.KOLADA,
                               fetched_at=now)
            check_in.full_clean()
            check_in.save()
            result.created += 1
        elif check_in.value != _rounded(value.value) or check_in.is_deleted:
            check_in.value = _rounded(value.value)
            check_in.deleted_at = None
            check_in.deleted_by = None
            check_in.fetched_at = now
            check_in.version += 1
            check_in._change_reason = REVISED
            check_in.save()
            result.revised += 1


def _rounded(value):
    """Check-ins keep two decimals, as entered values do."""
    from decimal import ROUND_HALF_UP, Decimal

    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def refresh_all() -> int:
    """Queue a refresh of every source whose indicator is in use; returns how many."""
    from .tasks import refresh_source_task

    ids = list(KoladaSource.objects.filter(indicator__deleted_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        refresh_source_task.send_or_log(args=(pk,))
    return len(ids)


def request_refresh(source: KoladaSource) -> None:
    """Someone asked for fresh figures now: mark it and fetch in the background."""
    from .tasks import refresh_source_task

    now = timezone.now()
    KoladaSource.objects.filter(pk=source.pk).update(refresh_requested_at=now)
    source.refresh_requested_at = now
    refresh_source_task.delay_on_commit(source.pk)


# --- Choosing the source in the indicator form --------------------------------------------
OWN_FIELDS = {"kpi_id", "level", "ou_id", "municipality_id", "gender"}
CHANGED_FIGURE = "The indicator's Kolada figure was changed"


def municipality_name(unit) -> str:
    return (unit.administration.municipality if unit.administration_id else unit.provider.municipality).name


@transaction.atomic
def save_source(*, indicator, values: dict, user) -> KoladaSource:
    """Create or change the indicator's source from the form's values and fetch its figures.
    A different figure, unit or gender withdraws the check-ins fetched for the old one (kept
    in history); changed reference lines are fetched anew."""
    unit = indicator.goal.unit
    values = {**values, "municipality_title": municipality_name(unit)}
    source = KoladaSource.objects.select_for_update().filter(indicator=indicator).first()
    if source is None:
        source = KoladaSource(indicator=indicator, **values)
    else:
        changed = {name for name, value in values.items() if getattr(source, name) != value}
        if not changed:
            return source
        if changed & OWN_FIELDS:
            _withdraw_check_ins(indicator, user)
            source.values.all().delete()
        else:
            source.values.exclude(series=KoladaValue.Series.OWN).delete()
        for name, value in values.items():
            setattr(source, name, value)
        source.fetched_at = None
    source.full_clean()
    source._history_user = user
    source.save()
    if source.level == KoladaSource.Level.UNIT and not unit.kolada_ou_id:
        unit.kolada_ou_id = source.ou_id
        unit._history_user = user
        unit.save()
    request_refresh(source)
    return source


@transaction.atomic
def remove_source(*, indicator, user) -> None:
    """The indicator is no longer fed from Kolada: its fetched check-ins stay as they are."""
    source = KoladaSource.objects.filter(indicator=indicator).first()
    if source is not None:
        source._history_user = user
        source.delete()


def _withdraw_check_ins(indicator, user) -> None:
    now = timezone.now()
    for check_in in CheckIn.objects.filter(indicator=indicator, origin=CheckIn.Origin.KOLADA):
        check_in.deleted_at = now
        check_in.deleted_by = user
        check_in.version += 1
        check_in._history_user = user
        check_in._change_reason = CHANGED_FIGURE
        check_in.save()
