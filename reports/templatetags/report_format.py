"""Formatting a report snapshot's values for the PDF: Swedish numbers and dates, typographic
text, charts drawn from the snapshot.

    {% load report_format %}
    {{ indicator.baseline_value|report_number:indicator.unit_of_measure }}   →  72 %
    {{ check_in|report_number:indicator.unit_of_measure }}                    →  ..  (suppressed)
    {{ check_in.date|report_date }}                                           →  20 mars 2026
    {{ section.text|report_text }}                                            →  <p>…</p> with ”quotes”
    {% report_chart indicator doc.suppression.threshold "section-4" %}        →  <svg role="img">…</svg>
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django import template
from django.utils.formats import date_format
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ska.suppression import SUPPRESSED, footnote

from ..services.pdf import media_url, static_url

register = template.Library()

NBSP = "\u00a0"
NO_VALUE = "–"


# --- Numbers ----------------------------------------------------------------------------
@register.filter
def report_number(value, unit: str = "") -> str:
    """A value with the Swedish decimal comma and its unit of measure ("78,4 %").

    ``value`` is a decimal string or number, None (no value: "–"), ".." (suppressed), or a
    check-in dict of the snapshot, whose ``suppressed`` flag gives "..".
    """
    if isinstance(value, dict):
        if value.get("suppressed"):
            return SUPPRESSED
        value = value.get("value")
    if value is None or value == "":
        return NO_VALUE
    if value == SUPPRESSED:
        return SUPPRESSED
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = swedish_number(number)
    return f"{text}{NBSP}{unit}" if unit else text


def swedish_number(number: Decimal) -> str:
    """Decimal comma, no trailing zeros, thin groups of thousands from 10 000 on."""
    if number == number.to_integral():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "−" if number < 0 else ""
    whole, _dot, fraction = f"{abs(number):f}".partition(".")
    if len(whole) > 4:
        whole = re.sub(r"(?<=\d)(?=(\d{3})+$)", NBSP, whole)
    return sign + whole + ("," + fraction if fraction else "")


@register.filter
def report_percent(value) -> str:
    return NO_VALUE if value is None else f"{value}{NBSP}%"


# --- Dates ------------------------------------------------------------------------------
@register.filter
def report_date(value, style: str = "long") -> str:
    """An ISO date (or date/datetime) as "20 mars 2026" (``long``) or "2026-03-20" (``short``)."""
    if not value:
        return NO_VALUE
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value) if "T" in value else datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        value = value.date()
    if style == "short":
        return value.isoformat()
    return date_format(value, "j F Y")


# --- Text -------------------------------------------------------------------------------
QUOTE_RULES = [
    (re.compile(r"(\w)'(\w)"), "\\1’\\2"),  # an apostrophe: "Pelle's" → "Pelle’s"
    (re.compile(r"'"), "’"),  # Swedish uses ’…’ on both sides
    (re.compile(r'"'), "”"),  # and ”…” on both sides
    (re.compile(r"(?<=\s)--?(?=\s)"), "–"),  # a dash between words: "a - b" → "a – b"
]


def typographic(text: str) -> str:
    """Swedish typographic quotes and dashes in plain text (before it is escaped)."""
    for pattern, replacement in QUOTE_RULES:
        text = pattern.sub(replacement, text)
    return text


@register.filter
def report_typo(text) -> str:
    """A title or short text with typographic quotes (escaped by the template as usual)."""
    return typographic(str(text or ""))


@register.filter
def report_text(text) -> SafeString:
    """Written text (plain text, as the rektor typed it) as escaped paragraphs."""
    text = typographic(str(text or "")).strip()
    return mark_safe(linebreaks(escape(text))) if text else SafeString("")


# --- Lookups ------------------------------------------------------------------------------
@register.filter
def by_id(items, item_id):
    """The dict in ``items`` whose "id" is ``item_id`` (None if there is none)."""
    return next((item for item in items or [] if item.get("id") == item_id), None)


@register.filter
def has_suppressed(indicator: dict) -> bool:
    return any(c["suppressed"] for c in indicator["check_ins"])


@register.filter
def chain_goals(chain: dict) -> list[dict]:
    """Every goal of a unit report's chain in the report's order: unit goals under their
    administration-wide goals, then local goals."""
    return [goal for entry in chain["administration_goals"] for goal in entry["unit_goals"]] + chain["local_goals"]


@register.filter
def chain_development_areas(chain: dict) -> list[dict]:
    """Every development area of a unit report's chain, with the goal and term it came from."""
    return [
        {**area, "goal_title": goal["title"], "term": analysis["term"]}
        for goal in chain_goals(chain)
        for analysis in goal["analyses"]
        for area in analysis["development_areas"]
    ]


@register.filter
def goal_anchor(section_id: str, goal_id) -> str:
    """The id of a goal's heading within a section (as in the section's "children")."""
    return f"{section_id}-goal-{goal_id}"


@register.filter
def heading(level) -> int:
    """A heading level, kept within h2–h6."""
    return max(2, min(6, int(level)))


@register.filter
def deeper(level, steps: int = 1) -> int:
    return heading(int(level) + int(steps))


# --- Resources through the PDF's URL fetcher ---------------------------------------------
@register.simple_tag
def report_static(path: str) -> str:
    return static_url(path)


@register.filter
def report_media(name: str) -> str:
    return media_url(name)


@register.filter
def suppression_note(threshold) -> str:
    """The footnote explaining ".." (``ska.suppression.footnote``)."""
    return footnote(int(threshold))


# --- Page furniture ------------------------------------------------------------------------
@register.simple_tag
def page_footer_content() -> SafeString:
    """The CSS ``content`` value of the footer: "Sida " counter(page) " av " counter(pages)."""
    text = _("Page %(number)s of %(total)s") % {"number": "\x00page\x00", "total": "\x00pages\x00"}
    parts = []
    for piece in text.split("\x00"):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return mark_safe(" ".join(parts))


def css_string(text: str) -> str:
    """A quoted CSS string (for text from the translation catalogue, never user input)."""
    return '"' + re.sub(r'["\\\n<>]', lambda m: f"\\{ord(m.group()):x} ", text) + '"'


# --- Charts -------------------------------------------------------------------------------
# Inline SVG in WeasyPrint takes no styles from the page: the chart carries its own.
CHART_STYLE = (
    "<style>"
    ".axis{stroke:#6a7580;stroke-width:1}"
    ".baseline{stroke:#4a5560;stroke-width:1.5;stroke-dasharray:6 4}"
    ".target{stroke:#1b6e3a;stroke-width:1.5;stroke-dasharray:2 3}"
    ".series{fill:none;stroke:#0b5394;stroke-width:2}"
    ".point{fill:#0b5394}"
    ".box{fill:#dbe7f5;stroke:#0b5394}"
    ".median{stroke:#0b3a75;stroke-width:3}"
    ".outlier{fill:#a4161a}"
    "text{font-family:'Liberation Sans','DejaVu Sans',sans-serif;font-size:11px;fill:#1f2a33}"
    ".tick.end{text-anchor:end}"
    # Reference lines (Kolada): colour, dash pattern and marker shape each their own.
    ".reference{fill:none;stroke-width:1.5}"
    ".reference.ref-municipality{stroke:#a35200;stroke-dasharray:8 3}"
    ".reference.ref-group{stroke:#6a3d9a;stroke-dasharray:5 2 1 2}"
    ".reference.ref-country{stroke:#a4161a;stroke-dasharray:1.5 2.5}"
    ".ref-mark.ref-municipality{fill:#a35200}"
    ".ref-mark.ref-group{fill:#6a3d9a}"
    ".ref-mark.ref-country{fill:#a4161a}"
    "</style>"
)


@register.filter
def print_svg(svg) -> SafeString:
    """A chart of ``ska.charts`` ready for the PDF: with its own styles."""
    svg = str(svg or "")
    if not svg:
        return SafeString("")
    return mark_safe(svg.replace("</title>", "</title>" + CHART_STYLE, 1))


@register.simple_tag
def report_chart(indicator: dict, threshold: int, id_prefix: str = "") -> SafeString:
    """The indicator's chart (``ska.charts.indicator_chart``) from a snapshot's indicator dict,
    drawn from its shown check-ins only; its text alternative says when values are left out."""
    from ska.charts import indicator_chart

    shown = [
        SimpleNamespace(date=_date(c["date"]), value=Decimal(c["value"]), group_size=None, suppressed=False)
        for c in indicator["check_ins"]
        if not c["suppressed"] and c["value"] is not None
    ]
    subject = SimpleNamespace(
        pk=indicator["id"],
        title=indicator["title"],
        unit_of_measure=indicator["unit_of_measure"],
        baseline_value=_decimal(indicator["baseline_value"]),
        baseline_date=_date(indicator["baseline_date"]),
        target_value=_decimal(indicator["target_value"]),
        target_date=_date(indicator["target_date"]),
    )
    svg = str(indicator_chart(
        subject, shown, chart_id=f"{id_prefix}-chart-{indicator['id']}".lstrip("-"), references=_references(indicator)
    ))
    if not svg:
        return SafeString("")
    if len(shown) < len(indicator["check_ins"]):
        note = _("Values from groups smaller than %(threshold)s are not shown.") % {"threshold": threshold}
        svg = svg.replace("</title>", " " + escape(note) + "</title>", 1)
    return print_svg(svg)


def _references(indicator: dict) -> list:
    """The snapshot's reference series (a Kolada-fed indicator's) as ``ReferenceSeries``; none in
    a snapshot gathered before there were any."""
    from ska.kolada.series import ReferenceSeries

    return [
        ReferenceSeries(r["key"], r["label"], [(_date(p["date"]), _decimal(p["value"])) for p in r["points"]])
        for r in indicator.get("references") or []
    ]


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
