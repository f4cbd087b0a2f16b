"""The unit report's data: the rektor's written sections in the report's order and, under
the sections the template fills from data, the unit's goal chain for the school year.

The chain is gathered once into ``chain`` (the goal dicts of ``common.goal_data``, with
suppression applied: unit goals under their administration-wide goals, then local goals);
each section names the part of it it shows (``data_part``), so the snapshot holds every
value once. A fixed number of queries however large the chain.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from ska.chain_status import administration_goals, goal_states
from ska.models import Goal, Participant
from ska.suppression import threshold_of

from ...models import DataPart, ReportSection, SectionImage, UnitReport
from .common import (
    INDICATOR_COLUMNS,
    any_suppressed,
    day,
    goal_data,
    indicator_rows,
    logo_data,
    named,
    now_iso,
    suppression_data,
    versions,
)

def gather(*, kind, school_year, administration, unit_report, round_, progress) -> dict:
    report = (
        UnitReport.objects.select_related(
            "unit__administration__municipality", "unit__administration__committee", "template",
        )
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=ReportSection.objects.order_by("sort_order", "pk").prefetch_related(
                    Prefetch("images", queryset=SectionImage.objects.order_by("sort_order", "pk"))
                ),
            )
        )
        .get(pk=unit_report.pk)
    )
    unit = report.unit
    administration = unit.administration
    municipality = administration.municipality
    threshold = threshold_of(municipality)
    sections = list(report.sections.all())
    states = goal_states(
        Goal.objects.in_force(report.school_year).filter(unit=unit, level__in=[Goal.Level.UNIT, Goal.Level.LOCAL])
    )
    progress.expect(len(states) + len(sections))

    states = _in_report_order(states)
    goals = []
    for state in states:
        goals.append(goal_data(state, threshold))
        progress.step(_("Goal: %(title)s") % {"title": state.goal.title})
    chain = _chain(states, goals, list(administration_goals(administration, report.school_year)))

    section_dicts = []
    for section in sections:
        section_dicts.append(_section_data(section, chain))
        progress.step(_("Section: %(title)s") % {"title": section.title})

    done = sum(section.done for section in sections)
    year = str(report.school_year)
    return {
        "kind": kind,
        "title": _("Quality report %(year)s: %(unit)s") % {"year": year, "unit": unit.name},
        "subtitle": administration.name,
        "school_year": year,
        "municipality": named(municipality),
        "committee": named(administration.committee),
        "administration": named(administration),
        "unit": named(unit),
        "logo": logo_data(municipality),
        "generated_at": now_iso(),
        "status": {
            "code": report.status,
            "label": str(report.get_status_display()),
            "submitted_at": day(timezone.localdate(report.submitted_at)) if report.submitted_at else None,
            "decided_at": day(timezone.localdate(report.decided_at)) if report.decided_at else None,
        },
        "completeness": {
            "done": done,
            "total": len(sections),
            "percent": round(100 * done / len(sections)) if sections else 0,
        },
        "suppression": suppression_data(threshold, any_suppressed(goals)),
        "sources": {
            "unit_report": [report.pk, report.version],
            "template": [report.template.pk, report.template.version] if report.template else None,
            "sections": versions(sections),
            "goals": versions(goals),
            "indicators": versions(i for goal in goals for i in goal["indicators"]),
        },
        "chain": chain,
        "sections": section_dicts,
        "tables": _tables(section_dicts, goals, unit.name),
    }


def _in_report_order(states):
    """Unit goals in the order of the administration-wide goals above them, then local goals."""

    def key(state):
        goal, parent = state.goal, state.goal.parent
        above = (parent.sort_order, parent.title, parent.pk) if parent else (0, "", 0)
        return (parent is None, *above, goal.sort_order, goal.title, goal.pk)

    return sorted(states, key=key)


def _chain(states, goals: list[dict], admin_goals: list[Goal]) -> dict:
    """The unit's goals grouped under the administration-wide goals above them (in their
    order), then its local goals; and the administration-wide goals it has no goal under."""
    worked_on: dict[int, dict] = {}
    for state, goal in zip(states, goals, strict=True):
        parent = state.goal.parent
        if parent is None:
            continue
        entry = worked_on.setdefault(parent.pk, {
            "id": parent.pk,
            "version": parent.version,
            "title": parent.title,
            "description": parent.description,
            "period": parent.period_label,
            "unit_goals": [],
        })
        entry["unit_goals"].append(goal)
    return {
        "administration_goals": list(worked_on.values()),
        "local_goals": [goal for state, goal in zip(states, goals, strict=True) if state.goal.parent is None],
        "not_worked_on": [{"id": g.pk, "title": g.title} for g in admin_goals if g.pk not in worked_on],
        "participation": _participation(goals),
    }


def _participation(goals: list[dict]) -> dict:
    """How many of the unit's analyses each group took part in (Skollagen 4 kap. 4 §)."""
    analyses = [analysis for goal in goals for analysis in goal["analyses"]]
    return {
        "analyses": len(analyses),
        "groups": [
            {"code": code, "label": str(label), "analyses": sum(code in a["participants"] for a in analyses)}
            for code, label in Participant.choices
        ],
    }


def _section_data(section: ReportSection, chain: dict) -> dict:
    slug = f"section-{section.pk}"
    children = []
    if section.data_part == DataPart.ADMINISTRATION_GOALS:
        children = [{"id": f"{slug}-goal-{g['id']}", "title": g["title"]} for g in chain["administration_goals"]]
    elif section.data_part == DataPart.LOCAL_GOALS:
        children = [{"id": f"{slug}-goal-{g['id']}", "title": g["title"]} for g in chain["local_goals"]]
    return {
        "id": slug,
        "title": section.title,
        "children": children,
        "text": section.text,
        "done": section.done,
        "data_part": section.data_part,
        "data_part_label": str(DataPart(section.data_part).label) if section.data_part else "",
        "images": [
            {"id": image.pk, "name": image.image.name, "alt_text": image.alt_text, "caption": image.caption}
            for image in section.images.all()
        ],
    }


def _tables(sections: list[dict], goals: list[dict], unit_name: str) -> list[dict]:
    return [
        {
            "name": _("Sections"),
            "columns": [_("Section"), _("Done"), _("Filled from data"), _("Text")],
            "rows": [[s["title"], _("Yes") if s["done"] else _("No"), s["data_part_label"], s["text"]] for s in sections],
        },
        {
            "name": _("Indicators"),
            "columns": [str(c) for c in INDICATOR_COLUMNS],
            "rows": indicator_rows(goals, unit_name),
        },
        {
            "name": _("Activities"),
            "columns": [_("Goal"), _("Activity"), _("Status"), _("Responsible"), _("Start"), _("End"),
                        _("Follow-up"), _("Judgement"), _("Process data")],
            "rows": _activity_rows(goals),
        },
        {
            "name": _("Analyses"),
            "columns": [_("Goal"), _("Term"), _("Goal attainment"), _("Took part"), _("Results"),
                        _("Analysis of causes"), _("Development areas")],
            "rows": [
                [goal["title"], a["term"], a["attainment_label"], ", ".join(a["participant_labels"]), a["results"],
                 a["causes"], "; ".join(area["title"] for area in a["development_areas"])]
                for goal in goals for a in goal["analyses"]
            ],
        },
    ]


def _activity_rows(goals: list[dict]) -> list[list]:
    rows = []
    for goal in goals:
        for a in goal["activities"]:
            base = [goal["title"], a["title"], a["status_label"], a["owner"], a["start"], a["end"]]
            if not a["follow_ups"]:
                rows.append([*base, None, None, None])
            for f in a["follow_ups"]:
                rows.append([*base, f["date"], f["on_track_label"], f["process_data"]])
    return rows
