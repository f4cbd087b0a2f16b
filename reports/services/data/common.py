"""The pieces every report's data is made of, as plain JSON-able dicts.

A report's data (its *snapshot*) is gathered once, stored with the archived PDF, and is all
that the PDF, the Excel file and the archive export are made from. Small-number suppression
is applied here, while gathering, so a suppressed value is never in the snapshot at all:
it is ``None`` with ``"suppressed": True``, and tables hold ".." in its place.

Numbers are kept as decimal strings ("78.40"), dates as ISO strings ("2026-03-20").
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ska.chain_status import GoalState, IndicatorState
from ska.models import Attainment
from ska.suppression import SUPPRESSED, is_suppressed


def number(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def day(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def now_iso() -> str:
    return moment(timezone.now())


def moment(value: datetime.datetime | None) -> str | None:
    """A point in time as a local ISO string ("2026-11-20T14:05:00+01:00")."""
    return None if value is None else timezone.localtime(value).isoformat(timespec="seconds")


def cell(value: str | None, suppressed: bool = False) -> str | None:
    """A table cell for a value: ".." if suppressed, else the value."""
    return SUPPRESSED if suppressed else value


def check_in_data(check_in, threshold: int) -> dict:
    suppressed = is_suppressed(check_in.group_size, threshold)
    return {
        "id": check_in.pk,
        "date": day(check_in.date),
        "value": None if suppressed else number(check_in.value),
        "suppressed": suppressed,
        # The group size itself is not identifying; it is what tells a reader why a value is missing.
        "group_size": check_in.group_size,
        "comment": "" if suppressed else check_in.comment,
        # Fetched from Kolada ("kolada") or entered by hand or imported (""). Older snapshots lack both keys.
        "source": "kolada" if check_in.from_kolada else "",
        "fetched_at": moment(check_in.fetched_at),
    }


def indicator_data(state: IndicatorState, threshold: int) -> dict:
    """An indicator with its movement: current state (baseline), latest shown value, desired
    state (target), and every check-in (suppressed ones without value)."""
    indicator = state.indicator
    check_ins = [check_in_data(c, threshold) for c in state.check_ins]
    shown = [c for c in check_ins if not c["suppressed"]]
    latest = check_ins[-1] if check_ins else None
    latest_value = Decimal(latest["value"]) if latest and not latest["suppressed"] else None
    baseline_suppressed = state.baseline_suppressed
    progress = None if baseline_suppressed else indicator.progress(latest_value)
    return {
        "id": indicator.pk,
        "version": indicator.version,
        "title": indicator.title,
        # A unit's copy of an administration-wide indicator: the reports group the units by it.
        "definition_id": indicator.definition_id,
        "measures": indicator.measures,
        "source": indicator.source,
        "unit_of_measure": indicator.unit_of_measure,
        "direction": indicator.direction,
        # A baseline from a group below the threshold is not in the snapshot at all.
        "baseline_value": None if baseline_suppressed else number(indicator.baseline_value),
        "baseline_suppressed": baseline_suppressed,
        "baseline_date": day(indicator.baseline_date),
        "target_value": number(indicator.target_value),
        "target_date": day(indicator.target_date),
        "check_ins": check_ins,
        "latest": latest,  # may be suppressed: then its value is None
        "latest_shown": shown[-1] if shown else None,
        "progress_percent": None if progress is None else round(progress * 100),
        # Fed from Kolada: where from, and the reference lines of its chart (older snapshots lack both).
        "kolada": kolada_data(state.kolada),
        "references": [
            {
                "key": series.key,
                "label": str(series.label),
                "points": [{"date": day(d), "value": number(v)} for d, v in series.points],
            }
            for series in state.references
        ],
    }


def kolada_data(source) -> dict | None:
    """The Kolada source of an indicator for the report's source note, or None."""
    if source is None:
        return None
    return {
        "kpi_id": source.kpi_id,
        "kpi_title": source.kpi_title,
        "entity_title": source.entity_title or source.entity_id,
        "fetched_at": moment(source.fetched_at),
        "unreachable": source.unreachable,
    }


def goal_data(state: GoalState, threshold: int) -> dict:
    """A goal with its indicators, activities and their follow-ups, and its analyses with
    validity reviews and development areas."""
    goal = state.goal
    attainment = dict(Attainment.choices)
    return {
        "id": goal.pk,
        "version": goal.version,
        "level": goal.level,
        "title": goal.title,
        "description": goal.description,
        "expected_effects": goal.expected_effects,
        "period": goal.period_label,
        "parent_id": goal.parent_id,
        "parent_title": goal.parent.title if goal.parent_id else None,
        "unit_id": goal.unit_id,
        "indicators": [indicator_data(s, threshold) for s in state.indicators],
        "activities": [
            {
                "id": a.activity.pk,
                "title": a.activity.title,
                "purpose": a.activity.purpose,
                "aim": a.activity.aim,
                "owner": a.activity.owner,
                "status": a.activity.status,
                "status_label": str(a.activity.get_status_display()),
                "start": day(a.activity.start),
                "end": day(a.activity.end),
                "follow_ups": [
                    {
                        "date": day(f.date),
                        "process_data": f.process_data,
                        "on_track": f.on_track,
                        "on_track_label": str(f.get_on_track_display()),
                        "comment": f.comment,
                    }
                    for f in a.follow_ups
                ],
            }
            for a in state.activities
        ],
        "analyses": [
            {
                "id": analysis.pk,
                "term": str(analysis.term),
                "results": analysis.results,
                "causes": analysis.causes,
                "participants": analysis.participants,
                "participant_labels": analysis.get_participants_display(),
                "activity_effect": analysis.activity_effect,
                "attainment": analysis.attainment,
                "attainment_label": str(attainment[analysis.attainment]) if analysis.attainment else "",
                "validity_reviews": [
                    {
                        "indicator_id": review.indicator_id,
                        "reliability": review.reliability,
                        "measures_intended": review.measures_intended,
                        "reflects_reality": review.reflects_reality,
                    }
                    for review in analysis.validity_reviews.all()
                ],
                "development_areas": [
                    {"title": area.title, "description": area.description} for area in analysis.development_areas.all()
                ],
            }
            for analysis in state.analyses
        ],
    }


def indicator_rows(goals: list[dict], unit_name: str = "") -> list[list]:
    """Table rows, one per check-in (suppressed values as ".."), for Excel and CSV."""
    rows = []
    for goal in goals:
        for indicator in goal["indicators"]:
            base = [unit_name, goal["title"], indicator["title"], indicator["unit_of_measure"],
                    indicator["baseline_value"], indicator["target_value"]]
            if not indicator["check_ins"]:
                rows.append([*base, None, None, None])
            for c in indicator["check_ins"]:
                rows.append([*base, c["date"], cell(c["value"], c["suppressed"]), c["group_size"]])
    return rows


INDICATOR_COLUMNS = [
    _("Unit"), _("Goal"), _("Indicator"), _("Unit of measure"), _("Current state"), _("Desired state"),
    _("Date"), _("Value"), _("Group size"),
]


# --- Pieces every kind of report has (added for the unit report; shared) ---------------
def named(obj) -> dict | None:
    """{"id", "name"} of an organisation part, or None."""
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def logo_data(municipality) -> dict | None:
    """The cover's logo from the municipality's report settings (one query): its storage
    name (read by the PDF's URL fetcher) and its text alternative; None without a logo."""
    from reports.models import ReportSettings

    report_settings = ReportSettings.objects.filter(municipality=municipality).first() if municipality else None
    if report_settings is None or not report_settings.logo:
        return None
    return {"name": report_settings.logo.name, "alt": report_settings.logo_alt or municipality.name}


def any_suppressed(goals: list[dict]) -> bool:
    """Is any check-in of these goals (``goal_data`` dicts) suppressed?"""
    return any(c["suppressed"] for goal in goals for indicator in goal["indicators"] for c in indicator["check_ins"])


def suppression_data(threshold: int, used: bool) -> dict:
    return {"threshold": threshold, "used": used}


def versions(records) -> list[list[int]]:
    """[[id, version], ...]: which versions of the records (model instances or dicts with
    "id" and "version") a report was built from."""
    return [
        [r["id"], r["version"]] if isinstance(r, dict) else [r.pk, r.version]
        for r in records
    ]
