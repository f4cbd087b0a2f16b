"""A report's data (its *snapshot*): gathered once per build, stored with the archived PDF,
and the only input of the PDF, the Excel file and the archive export.

``gather(kind, ...)`` hands over to the module of the kind's family; each module exposes
``gather(*, kind, school_year, administration, unit_report, round_, progress) -> dict``.
Gathering runs in Swedish, the documents' language, since labels (statuses, judgements)
are written into the snapshot as text.
"""

from __future__ import annotations

import importlib
import json

from django.conf import settings
from django.utils import translation

from ska.schoolyear import SchoolYear

from ..progress import NO_PROGRESS, Progress

MODULES = {
    "unit": "reports.services.data.unit",
    "overall": "reports.services.data.administration",
    "forskola": "reports.services.data.administration",
    "grundskola": "reports.services.data.administration",
    "analysis": "reports.services.data.analysis",
    "plan": "reports.services.data.plan",
}

REQUIRED_KEYS = (
    "kind", "title", "subtitle", "school_year", "municipality", "committee", "administration", "unit",
    "generated_at", "suppression", "sources", "sections", "tables",
)


class SnapshotError(ValueError):
    """A snapshot that does not keep the contract (a bug in a gatherer, never user input)."""


def gather(
    kind: str,
    *,
    school_year: SchoolYear | str,
    administration=None,
    unit_report=None,
    round_=None,
    progress: Progress = NO_PROGRESS,
) -> dict:
    """The snapshot of one report. Suppression is applied while gathering."""
    if kind not in MODULES:
        raise ValueError(f"Unknown report kind: {kind!r}")
    if isinstance(school_year, str):
        school_year = SchoolYear.parse(school_year)
    module = importlib.import_module(MODULES[kind])
    with translation.override(settings.LANGUAGE_CODE):
        return module.gather(
            kind=kind, school_year=school_year, administration=administration, unit_report=unit_report,
            round_=round_, progress=progress,
        )


def validate_snapshot(data: dict) -> dict:
    """Check that ``data`` keeps the snapshot contract; return it, or raise SnapshotError."""
    problems = [f"missing key {key!r}" for key in REQUIRED_KEYS if key not in data]
    if not problems:
        problems += _shape_problems(data)
    try:
        json.dumps(data)
    except (TypeError, ValueError) as error:
        problems.append(f"not JSON-serialisable: {error}")
    if problems:
        raise SnapshotError("; ".join(problems))
    return data


def _shape_problems(data: dict) -> list[str]:
    problems = []
    for key in ("municipality", "committee"):
        if not _is_named(data[key]):
            problems.append(f"{key} must be {{id, name}}")
    for key in ("administration", "unit"):
        if data[key] is not None and not _is_named(data[key]):
            problems.append(f"{key} must be {{id, name}} or None")
    suppression = data["suppression"]
    if not isinstance(suppression, dict) or not {"threshold", "used"} <= suppression.keys():
        problems.append("suppression must have threshold and used")
    if not isinstance(data["sources"], dict):
        problems.append("sources must be a dict")
    ids = set()
    for section in data["sections"]:
        if not section.get("id") or not section.get("title"):
            problems.append("every section needs an id and a title")
            continue
        for part in (section, *section.get("children", [])):
            if part["id"] in ids:
                problems.append(f"duplicate section id {part['id']!r}")
            ids.add(part["id"])
    for table in data["tables"]:
        if not table.get("name") or len(table["name"]) > 31:
            problems.append(f"table name {table.get('name')!r} must be 1–31 characters")
        width = len(table.get("columns", []))
        if any(len(row) != width for row in table.get("rows", [])):
            problems.append(f"table {table.get('name')!r} has rows of another width than its columns")
    return problems


def _is_named(value) -> bool:
    return isinstance(value, dict) and "id" in value and "name" in value
