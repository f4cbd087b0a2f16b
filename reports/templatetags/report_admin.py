"""Template helpers of the administration's report documents (overall, förskola, grundskola,
analysis, plan), drawn from the snapshot only.

    {% load report_admin %}
    {% spread_svg item doc.suppression.threshold "spread-3-1" %}   →  <svg role="img">…</svg>
    {{ event.dates|wheel_dates }}                                  →  2, 9 och 16 september
    {{ part|share_of:whole }}                                      →  40 %
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ska.charts import spread_chart
from ska.equity import Spread, UnitValue

from .report_format import print_svg

register = template.Library()


@register.simple_tag
def spread_svg(item: dict, threshold: int, chart_id: str) -> SafeString:
    """The spread chart (``ska.charts.spread_chart``) of one indicator's distribution across
    units (``reports.services.data.distribution``): shown values only, the number of units left
    out by suppression said in its text alternative."""
    summary = item.get("summary")
    if not summary:
        return SafeString("")
    values = [
        UnitValue(v["unit_id"], v["unit_name"], Decimal(v["value"]), v["from_check_in"], v["outlier"])
        for v in item["values"]
        if v["value"] is not None
    ]
    spread = Spread(
        values, Decimal(summary["minimum"]), Decimal(summary["lower_quartile"]), Decimal(summary["median"]),
        Decimal(summary["upper_quartile"]), Decimal(summary["maximum"]),
    )
    spread.suppressed = item["suppressed"]
    spread.threshold = threshold
    return print_svg(spread_chart(spread, item["unit_of_measure"], chart_id=chart_id))


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@register.filter
def wheel_dates(dates: list[dict]) -> str:
    """The dates of one event within a month, compactly: "2, 9 och 16 september",
    "3–7 november", "30 november–4 december"."""
    days, spans = [], []
    month = None
    for item in dates:
        start, end = _day(item["date"]), _day(item.get("end_date"))
        month = month or start.month
        if end and end != start and (end.month != start.month or end.year != start.year):
            spans.append(f"{start.day} {MONTHS[start.month]}–{end.day} {MONTHS[end.month]}")
        elif end and end != start:
            days.append(f"{start.day}–{end.day}")
        else:
            days.append(str(start.day))
    parts = []
    if days:
        listed = days[0] if len(days) == 1 else _("%(first)s and %(last)s") % {
            "first": ", ".join(days[:-1]), "last": days[-1]
        }
        parts.append(f"{listed} {MONTHS[month]}")
    parts.extend(spans)
    return ", ".join(parts)


@register.filter
def share_of(part, whole) -> str:
    """``part`` as a whole percentage of ``whole`` ("40 %"), or "–" when there is no whole."""
    try:
        if not whole:
            return "–"
        return f"{round(100 * int(part) / int(whole))}\u00a0%"
    except (TypeError, ValueError):
        return "–"
