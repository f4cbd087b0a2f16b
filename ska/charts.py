"""Indicator charts as server-rendered SVG: the same markup in the page and in PDF reports.

The chart shows the current state (baseline), each check-in and the desired state (target)
over time, and for an indicator fed from Kolada the reference lines (the municipality, similar
municipalities, the country). It is an image with a text alternative that says the same in
words; colour is never the only signal (the lines are dashed differently and labelled, and each
reference line has a marker shape of its own and a row in a legend below the chart).

A check-in from a group smaller than the suppression threshold (ska.suppression) is left out
of the drawing, and the text alternative says that its value is not shown.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .suppression import DEFAULT_THRESHOLD, is_suppressed

WIDTH, HEIGHT = 520, 200
LEFT, RIGHT, TOP, BOTTOM = 16, 136, 14, 28
LABEL_GAP = 10  # labels at the right end closer than this (px) are nudged apart
LABEL_CHARS = 21  # what fits in the right margin at 11px
LEGEND_ROW = 16
# Each reference series' marker shape (its dash pattern and colour are in the styles).
REFERENCE_MARKERS = {"municipality": "square", "group": "triangle", "country": "diamond"}


def _fmt(value: Decimal, unit: str) -> str:
    text = number_format(value.normalize() if value == value.to_integral() else value, use_l10n=True)
    return f"{text} {unit}".strip()


def _trim(value: Decimal) -> Decimal:
    """A reference value without the trailing zeros of its storage (221.5000 → 221.5)."""
    return value if value == value.to_integral() else value.normalize()


def _check_in_points(check_ins, threshold: int) -> list[tuple[datetime.date, Decimal | None]]:
    """(date, value) of each check-in, the value None where it may not be shown. Check-ins are
    CheckIn records, ShownCheckIns, or a report snapshot's dicts ({"date", "value", "suppressed"})."""
    points = []
    for c in check_ins:
        if isinstance(c, dict):
            day = c["date"] if isinstance(c["date"], datetime.date) else datetime.date.fromisoformat(c["date"])
            hidden = bool(c.get("suppressed")) or c.get("value") is None
            points.append((day, None if hidden else Decimal(str(c["value"]))))
            continue
        hidden = getattr(c, "suppressed", None)
        if hidden is None:
            hidden = is_suppressed(getattr(c, "group_size", None), threshold)
        points.append((c.date, None if hidden else c.value))
    return points


def indicator_chart(
    indicator, check_ins, *, chart_id: str = "", threshold: int | None = None, references=()
) -> SafeString:
    """An SVG line chart of baseline, check-ins and target, or an empty string if there is
    nothing to draw. ``threshold``: the municipality's suppression threshold (default 10).
    ``references``: series with ``key``, ``label`` and ``points`` of (date, Decimal | None)
    (``ska.kolada.series.ReferenceSeries``), each drawn through its published points only."""
    threshold = threshold or DEFAULT_THRESHOLD
    points = [(d, v) for d, v in _check_in_points(check_ins, threshold) if v is not None]
    dates = [d for d, _ in points]
    values = [v for _, v in points]
    references = _published(references)
    for series in references:
        for day, value in series.points:
            if value is not None:
                dates.append(day)
                values.append(value)
    if indicator.baseline_value is not None:
        values.append(indicator.baseline_value)
        if indicator.baseline_date:
            dates.append(indicator.baseline_date)
    if indicator.target_value is not None:
        values.append(indicator.target_value)
        if indicator.target_date:
            dates.append(indicator.target_date)
    if not values:
        return SafeString("")
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * Decimal("0.1")
    low, high = low - pad, high + pad
    first = min(dates) if dates else timezone.localdate()
    last = max(dates) if dates else first
    span = max((last - first).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: datetime.date) -> float:
        return round(LEFT + plot_w * (day - first).days / span, 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_h * float((high - value) / (high - low)), 1)

    unit = indicator.unit_of_measure
    lines = [
        (css, label, value)
        for label, value, css in (
            (_("Current state"), indicator.baseline_value, "baseline"),
            (_("Desired state"), indicator.target_value, "target"),
        )
        if value is not None
    ]
    ends = [[v for _d, v in r.points if v is not None][-1] for r in references]
    label_y = _spread_labels([y(value) + 4 for _c, _l, value in lines] + [y(value) + 4 for value in ends])
    parts = []
    parts.append(format_html('<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', LEFT, TOP + plot_h, LEFT + plot_w, TOP + plot_h))
    for (css, label, value), text_y in zip(lines, label_y):
        parts.append(
            format_html(
                '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"/><text class="label" x="{}" y="{}">{}</text>',
                css, LEFT, y(value), LEFT + plot_w, y(value), LEFT + plot_w + 6, text_y, _line_label(label, value, unit),
            )
        )
    for series, end, text_y in zip(references, ends, label_y[len(lines):]):
        shown = [(x(d), y(v)) for d, v in series.points if v is not None]
        parts.append(format_html(
            '<polyline class="reference ref-{}" points="{}"/>', series.key, " ".join(f"{px},{py}" for px, py in shown)
        ))
        parts.extend(
            _marker(series.key, x(d), y(v), f"{series.label} {date_format(d, 'Y')}: {_fmt(_trim(v), unit)}")
            for d, v in series.points if v is not None
        )
        parts.append(format_html(
            '<text class="label" x="{}" y="{}">{}</text>', LEFT + plot_w + 6, text_y, _end_label(series.label, end)
        ))
    if points:
        path = " ".join(f"{x(d)},{y(v)}" for d, v in points)
        parts.append(format_html('<polyline class="series" points="{}"/>', path))
        parts.append(
            format_html_join(
                "",
                '<circle class="point" cx="{}" cy="{}" r="4"><title>{}: {}</title></circle>',
                ((x(d), y(v), date_format(d, "j M Y"), _fmt(v, unit)) for d, v in points),
            )
        )
    parts.append(format_html('<text class="tick" x="{}" y="{}">{}</text>', LEFT, HEIGHT - 8, date_format(first, "M Y")))
    if last != first:
        parts.append(
            format_html('<text class="tick end" x="{}" y="{}">{}</text>', LEFT + plot_w, HEIGHT - 8, date_format(last, "M Y"))
        )
    height = HEIGHT
    if references:
        legend, rows = _legend(references, with_check_ins=bool(points))
        parts.extend(legend)
        height = HEIGHT + 8 + LEGEND_ROW * rows
    return format_html(
        '<svg class="indicator-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title>{}</svg>',
        WIDTH, height, chart_id or f"chart-{indicator.pk}", chart_id or f"chart-{indicator.pk}",
        chart_description(indicator, check_ins, threshold=threshold, references=references), SafeString("".join(parts)),
    )


def _published(references) -> list:
    """The reference series that have at least one published value (the others draw nothing)."""
    return [r for r in references if any(v is not None for _day, v in r.points)]


def _spread_labels(anchors: list[float]) -> list[float]:
    """The labels' y positions: where they belong, and where two would overlap, the overlapping
    ones stacked LABEL_GAP apart around the middle of where they belong. A label that overlaps
    none keeps its exact position."""
    clusters: list[tuple[list[int], float]] = []  # (label indices top to bottom, top label's y)
    for i in sorted(range(len(anchors)), key=lambda i: anchors[i]):
        clusters.append(([i], anchors[i]))
        while len(clusters) > 1:
            (upper, upper_top), (lower, lower_top) = clusters[-2], clusters[-1]
            if lower_top - (upper_top + LABEL_GAP * (len(upper) - 1)) >= LABEL_GAP:
                break
            members = upper + lower
            middle = sum(anchors[j] for j in members) / len(members)
            top = middle - LABEL_GAP * (len(members) - 1) / 2
            top = min(max(top, TOP), HEIGHT - 2 - LABEL_GAP * (len(members) - 1))
            clusters[-2:] = [(members, round(top, 1))]
    placed = list(anchors)
    for members, top in clusters:
        if len(members) > 1:
            for n, i in enumerate(members):
                placed[i] = round(top + LABEL_GAP * n, 1)
    return placed


def _line_label(label: str, value: Decimal, unit: str) -> str:
    """"Önskat läge 80 %": without the unit when that would not fit the margin (the heading
    and the text alternative have it)."""
    text = f"{label} {_fmt(value, unit)}"
    return text if len(text) <= LABEL_CHARS else f"{label} {_fmt(value, '')}"


def _end_label(label: str, value: Decimal) -> str:
    """The label at a reference line's right end, like "Riket 221,5": the series' name (shortened
    to fit the margin; the legend has it in full) and its latest published value."""
    number = _fmt(_trim(value), "")
    room = max(LABEL_CHARS - len(number) - 1, 8)
    if len(label) > room:
        label = label[: room - 1].rstrip() + "…"
    return f"{label} {number}"


def _marker(key: str, cx: float, cy: float, title: str = "", legend: bool = False) -> SafeString:
    """A reference point: a square, triangle or diamond by series, so that the series differ in
    shape as well as in colour and dash."""
    css = f"ref-mark ref-{key}" + (" legend" if legend else "")
    shape = REFERENCE_MARKERS.get(key, "square")
    if shape == "triangle":
        tag = format_html('<path class="{}" d="M{} {} l5 8.5 l-10 0 z"', css, cx, round(cy - 5.5, 1))
    elif shape == "diamond":
        tag = format_html('<path class="{}" d="M{} {} l5 5 l-5 5 l-5 -5 z"', css, cx, round(cy - 5, 1))
    else:
        tag = format_html('<rect class="{}" x="{}" y="{}" width="8" height="8"', css, round(cx - 4, 1), round(cy - 4, 1))
    name = "path" if shape in ("triangle", "diamond") else "rect"
    if title:
        return format_html("{}><title>{}</title></{}>", tag, title, name)
    return format_html("{}/>", tag)


def _legend(references, *, with_check_ins: bool) -> tuple[list[SafeString], int]:
    """One row per line below the chart: a sample of the line with its marker, and the name in
    full. Returns the parts and the number of rows."""
    parts = []
    row_y = HEIGHT + 4
    if with_check_ins:
        row_y += LEGEND_ROW
        parts += [
            format_html('<line class="series legend" x1="{}" y1="{}" x2="{}" y2="{}"/>', LEFT, row_y - 4, LEFT + 24, row_y - 4),
            format_html('<circle class="point legend" cx="{}" cy="{}" r="4"/>', LEFT + 12, row_y - 4),
            format_html('<text class="legend-label" x="{}" y="{}">{}</text>', LEFT + 32, row_y, _("Check-ins")),
        ]
    for series in references:
        row_y += LEGEND_ROW
        parts += [
            format_html(
                '<line class="reference ref-{} legend" x1="{}" y1="{}" x2="{}" y2="{}"/>',
                series.key, LEFT, row_y - 4, LEFT + 24, row_y - 4,
            ),
            _marker(series.key, LEFT + 12, row_y - 4, legend=True),
            format_html('<text class="legend-label" x="{}" y="{}">{}</text>', LEFT + 32, row_y, series.label),
        ]
    return parts, len(references) + with_check_ins


def chart_description(indicator, check_ins, *, threshold: int | None = None, references=()) -> str:
    """The chart in words: its text alternative. A reference series' missing or suppressed
    years are said to be missing (never read as zero)."""
    threshold = threshold or DEFAULT_THRESHOLD
    unit = indicator.unit_of_measure
    sentences = [_("Chart of the indicator “%(title)s”.") % {"title": indicator.title}]
    if indicator.baseline_value is not None:
        sentences.append(_("Current state %(value)s.") % {"value": _fmt(indicator.baseline_value, unit)})
    for day, value in _check_in_points(check_ins, threshold):
        if value is None:
            sentences.append(
                _("Check-in %(date)s: the value is not shown, as it comes from a group smaller than %(threshold)s.")
                % {"date": date_format(day, "j F Y"), "threshold": threshold}
            )
        else:
            sentences.append(_("Check-in %(date)s: %(value)s.") % {"date": date_format(day, "j F Y"), "value": _fmt(value, unit)})
    if indicator.target_value is not None:
        sentences.append(_("Desired state %(value)s.") % {"value": _fmt(indicator.target_value, unit)})
    for series in _published(references):
        values = "; ".join(
            f"{day.year}: {_fmt(_trim(value), unit) if value is not None else _('missing')}" for day, value in series.points
        )
        sentences.append(_("Reference %(label)s: %(values)s.") % {"label": series.label, "values": values})
    return " ".join(sentences)


def spread_chart(spread, unit_of_measure: str = "", *, chart_id: str = "spread") -> SafeString:
    """Units' latest values on one axis, with the box from lower to upper quartile and the
    median; outliers drawn as diamonds (not only by colour) and named in the text alternative."""
    if spread is None or not spread.values:
        return SafeString("")
    width, height, left, right = 640, 120, 20, 20
    low, high = spread.minimum, spread.maximum
    if low == high:
        low, high = low - 1, high + 1
    plot_w = width - left - right

    def x(value) -> float:
        return round(left + plot_w * float((Decimal(value) - low) / (high - low)), 1)

    parts = [
        format_html('<line class="axis" x1="{}" y1="90" x2="{}" y2="90"/>', left, left + plot_w),
        format_html(
            '<rect class="box" x="{}" y="30" width="{}" height="40"/><line class="median" x1="{}" y1="26" x2="{}" y2="74"/>',
            x(spread.lower_quartile), max(x(spread.upper_quartile) - x(spread.lower_quartile), 1),
            x(spread.median), x(spread.median),
        ),
    ]
    for value in spread.values:
        label = f"{value.unit_name}: {_fmt(value.value, unit_of_measure)}"
        if value.outlier:
            cx = x(value.value)
            parts.append(format_html('<path class="outlier" d="M{} 42 l8 8 l-8 8 l-8 -8 z"><title>{}</title></path>', cx, label))
        else:
            parts.append(format_html('<circle class="point" cx="{}" cy="50" r="4"><title>{}</title></circle>', x(value.value), label))
    parts.append(format_html('<text class="tick" x="{}" y="110">{}</text>', left, _fmt(spread.minimum, unit_of_measure)))
    parts.append(format_html('<text class="tick end" x="{}" y="110">{}</text>', left + plot_w, _fmt(spread.maximum, unit_of_measure)))
    description = _(
        "Spread across %(n)s units: lowest %(min)s, lower quartile %(q1)s, median %(median)s, "
        "upper quartile %(q3)s, highest %(max)s."
    ) % {
        "n": len(spread.values),
        "min": _fmt(spread.minimum, unit_of_measure),
        "q1": _fmt(spread.lower_quartile, unit_of_measure),
        "median": _fmt(spread.median, unit_of_measure),
        "q3": _fmt(spread.upper_quartile, unit_of_measure),
        "max": _fmt(spread.maximum, unit_of_measure),
    }
    if spread.outliers:
        description += " " + _("Outliers: %(units)s.") % {
            "units": ", ".join(f"{v.unit_name} ({_fmt(v.value, unit_of_measure)})" for v in spread.outliers)
        }
    if spread.suppressed:
        description += " " + _suppressed_units(spread)
    return format_html(
        '<svg class="spread-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title>{}</svg>',
        width, height, chart_id, chart_id, description, SafeString("".join(parts)),
    )


def _suppressed_units(spread) -> str:
    return ngettext(
        "%(n)s unit is left out: its latest value comes from a group smaller than %(threshold)s.",
        "%(n)s units are left out: their latest values come from groups smaller than %(threshold)s.",
        spread.suppressed,
    ) % {"n": spread.suppressed, "threshold": spread.threshold}
