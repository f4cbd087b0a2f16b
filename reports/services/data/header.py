"""The keys every report's snapshot starts with (the contract in ``reports.services.data``)."""

from __future__ import annotations

from ska.schoolyear import SchoolYear
from ska.suppression import footnote

from .common import logo_data, now_iso


def school_year_of(value) -> SchoolYear:
    """A ``SchoolYear`` from a SchoolYear or its text ("2025/26")."""
    return value if isinstance(value, SchoolYear) else SchoolYear.parse(str(value))


def ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": str(obj)}


def header(*, kind: str, title: str, subtitle: str, school_year: SchoolYear, municipality, committee,
           administration=None, unit=None, threshold: int) -> dict:
    """The snapshot's head; ``suppression.used`` starts False and is set by the gatherer."""
    return {
        "kind": kind,
        "title": str(title),
        "subtitle": str(subtitle),
        "school_year": str(school_year),
        "municipality": ref(municipality),
        "committee": ref(committee),
        "administration": ref(administration),
        "unit": ref(unit),
        "logo": logo_data(municipality),
        "generated_at": now_iso(),
        "suppression": {"threshold": threshold, "used": False, "footnote": footnote(threshold)},
        "sources": {},
        "sections": [],
        "tables": [],
    }
