"""How one indicator's latest values spread across units, for the administration's reports on
quality and equity (*likvärdighet*) between units.

The same idea as ``ska.equity`` (five-number summary, outliers beyond 1.5 interquartile ranges),
but computed from a report's already-gathered indicator data, so that small-number suppression
holds: a unit whose latest value comes from a group below the threshold is left out of the
distribution and only counted as suppressed. Each unit's value is its latest check-in, or its
current state (baseline) when it has no check-in yet.
"""

from __future__ import annotations

import statistics
from decimal import Decimal


def _dec(value: float) -> str:
    return _plain(str(round(value, 2)))


def _plain(value: str) -> str:
    """A decimal string without trailing zeros ("78.40" → "78.4"), so charts and tables agree."""
    number = Decimal(value)
    return str(number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize())


def unit_value(indicator: dict) -> dict:
    """A unit's value of one indicator (from ``common.indicator_data``): its latest check-in,
    else its current state. ``value`` is None when suppressed or when nothing was measured."""
    latest = indicator["latest"]
    if latest is not None:
        if latest["suppressed"]:
            return {"value": None, "suppressed": True, "from_check_in": True, "date": latest["date"]}
        return {"value": _plain(latest["value"]), "suppressed": False, "from_check_in": True, "date": latest["date"]}
    baseline = indicator["baseline_value"]
    if indicator.get("baseline_suppressed"):
        return {"value": None, "suppressed": True, "from_check_in": False, "date": indicator["baseline_date"]}
    return {
        "value": None if baseline is None else _plain(baseline),
        "suppressed": False,
        "from_check_in": False,
        "date": indicator["baseline_date"],
    }


def summarise(values: list[dict]) -> dict | None:
    """Five-number summary and outliers over the shown values in ``values`` (each a dict with
    "value" as a decimal string or None); marks each value's "outlier" as "low", "high" or "".
    None when no value is shown."""
    shown = [v for v in values if v["value"] is not None]
    for v in values:
        v["outlier"] = ""
    if not shown:
        return None
    numbers = sorted(float(v["value"]) for v in shown)
    if len(numbers) < 2:
        q1 = median = q3 = numbers[0]
    else:
        q1, median, q3 = statistics.quantiles(numbers, n=4, method="inclusive")
    fence = 1.5 * (q3 - q1)
    for v in shown:
        number = float(v["value"])
        if number < q1 - fence:
            v["outlier"] = "low"
        elif number > q3 + fence:
            v["outlier"] = "high"
    return {
        "n": len(shown),
        "minimum": _dec(numbers[0]),
        "lower_quartile": _dec(q1),
        "median": _dec(median),
        "upper_quartile": _dec(q3),
        "maximum": _dec(numbers[-1]),
        "outliers": [v["unit_name"] for v in shown if v["outlier"]],
    }


def distribution(title: str, unit_of_measure: str, direction: str, entries: list[tuple[dict, dict]]) -> dict:
    """One shared indicator across units: ``entries`` are (unit, indicator data) pairs, one per
    unit. Returns the units' values (sorted by value, suppressed and missing last), the counts
    and the summary."""
    values = []
    for unit, indicator in entries:
        value = unit_value(indicator)
        progress = indicator["progress_percent"] if not value["suppressed"] else None
        values.append({
            "unit_id": unit["id"],
            "unit_name": unit["name"],
            **value,
            "target_value": indicator["target_value"],
            "progress_percent": progress,
        })
    summary = summarise(values)
    values.sort(key=lambda v: (v["value"] is None, float(v["value"]) if v["value"] is not None else 0, v["unit_name"]))
    moved = [v for v in values if v["from_check_in"] and v["progress_percent"] is not None]
    return {
        "title": title,
        "unit_of_measure": unit_of_measure,
        "direction": direction,
        "units": len(values),
        "shown": sum(v["value"] is not None for v in values),
        "suppressed": sum(v["suppressed"] for v in values),
        "missing": sum(v["value"] is None and not v["suppressed"] for v in values),
        "improved": sum(v["progress_percent"] > 0 for v in moved),
        "reached_target": sum(v["progress_percent"] >= 100 for v in moved),
        "summary": summary,
        "values": values,
    }
