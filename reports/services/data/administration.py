"""The administration's quality reports (Ystad 5; DOMAIN.md, "Quality reports"):

- ``overall``: the units' development work of the school year, presented to the committee:
  per administration-wide goal (with the committee goal and goal area above it) how many units
  work on it, their attainment judgements, what the indicators show, the development areas
  that came up, and the state of the units' own quality reports.
- ``forskola`` / ``grundskola``: the same chain for the units of one school form, looking for
  shortfalls in quality and equity between units: indicator distributions across units
  (five-number summary, outliers, chart), units missing follow-ups or reports.

Everything is read in a fixed number of queries, whatever the number of units and goals.
Suppressed values (groups below the municipality's threshold) never enter the snapshot: they
are left out of the distributions and counted as suppressed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.models import ReportKind, UnitReport
from ska.models import Attainment, SchoolForm
from ska.suppression import threshold_of

from ..progress import NO_PROGRESS
from .administration_chain import REPORTED, AdministrationChain, areas, goal_entry, missing_rows, unit_report_rows
from .administration_tables import tables
from .header import header, school_year_of

SCHOOL_FORM_KINDS = (ReportKind.FORSKOLA, ReportKind.GRUNDSKOLA)


def gather(*, kind, school_year, administration, unit_report=None, round_=None, progress=NO_PROGRESS) -> dict:
    if administration is None:
        raise ValueError("An administration report needs an administration.")
    kind = ReportKind(kind)
    school_year = school_year_of(school_year)
    municipality = administration.municipality
    threshold = threshold_of(municipality)
    school_form = SchoolForm.objects.get(code=kind.value) if kind in SCHOOL_FORM_KINDS else None
    progress.expect(3)  # the chain, the sections, the tables; then one step per goal
    progress.say(_("Reading the goal chain"))
    chain = AdministrationChain(administration, school_year, school_form, threshold)
    progress.step(_("The goal chain has been read"))
    progress.expect(len(chain.admin_goals))

    if school_form is None:
        title = _("Overall quality report")
    else:
        title = _("Quality report for %(school_form)s") % {"school_form": school_form.name.lower()}
    doc = header(
        kind=kind.value, title=title,
        subtitle=_("%(administration)s · School year %(year)s") % {"administration": administration, "year": school_year},
        school_year=school_year, municipality=municipality, committee=administration.committee,
        administration=administration, threshold=threshold,
    )
    doc["school_form"] = (
        None if school_form is None else {"id": school_form.pk, "code": school_form.code, "name": school_form.name}
    )
    goals = []
    for admin_goal in chain.admin_goals:
        goals.append(goal_entry(admin_goal, chain, with_values=school_form is not None))
        progress.step(_("Goal: %(title)s") % {"title": admin_goal.title})
    doc["suppression"]["used"] = chain.suppression_used
    doc["sources"] = chain.sources()
    if school_form is None:
        doc["sections"] = [
            _summary(chain, goals, intro=_(
                "This report presents the units' development work during the school year %(year)s to "
                "%(committee)s: for each administration-wide goal, how many units work on it, how the units "
                "judged their goal attainment, what the indicators show and which development areas came up."
            ) % {"year": school_year, "committee": administration.committee}),
            _goals_section(goals),
            _development_areas_section(chain, goals),
            _unit_reports_section(chain),
        ]
    else:
        doc["sections"] = [
            _summary(chain, goals, intro=_(
                "This report looks for development areas and shortfalls in quality and equity between the "
                "units of the school form %(school_form)s during the school year %(year)s, as the basis for "
                "the administration's development work next year."
            ) % {"school_form": school_form.name.lower(), "year": school_year}, findings=_findings(chain, goals)),
            _goals_section(goals),
            _equity_section(goals),
            _missing_section(chain),
            _development_areas_section(chain, goals),
        ]
    progress.step(_("Sections composed"))
    doc["tables"] = tables(chain, goals, with_values=school_form is not None)
    progress.step(_("Tables composed"))
    return doc


def _summary(chain: AdministrationChain, goals: list[dict], *, intro: str, findings: list[str] | None = None) -> dict:
    unit_goals = chain.unit_goals
    reported = sum(chain.report_status(unit)[0] in REPORTED for unit in chain.units)
    section = {
        "id": "summary",
        "title": _("Summary"),
        "intro": intro,
        "figures": [
            {"label": _("Units"), "value": len(chain.units)},
            {"label": _("Administration-wide goals"), "value": len(chain.admin_goals)},
            {"label": _("Unit goals under them"), "value": len(unit_goals)},
            {"label": _("Unit goals followed up and analysed"), "value": sum(bool(g["analyses"]) for _u, g in unit_goals),
             "of": len(unit_goals)},
            {"label": _("Development areas"), "value": sum(len(g["development_areas"]) for g in goals)},
            {"label": _("Quality reports submitted or approved"), "value": reported, "of": len(chain.units)},
        ],
    }
    if findings is not None:
        section["findings"] = findings
    return section


def _goals_section(goals: list[dict]) -> dict:
    return {
        "id": "goals",
        "title": _("Administration-wide goals"),
        "children": [{"id": goal["id"], "title": goal["title"]} for goal in goals],
        "goals": goals,
    }


def _development_areas_section(chain: AdministrationChain, goals: list[dict]) -> dict:
    groups = [{"title": goal["title"], "areas": goal["development_areas"]} for goal in goals if goal["development_areas"]]
    local = areas(chain.local)
    if local:
        groups.append({"title": _("The units' local goals"), "areas": local})
    return {"id": "development-areas", "title": _("Development areas"), "groups": groups}


def _unit_reports_section(chain: AdministrationChain) -> dict:
    rows = unit_report_rows(chain)
    counts = [
        {"status": status, "label": str(label), "count": sum(row["status"] == status for row in rows)}
        for status, label in [*UnitReport.Status.choices, ("none", _("Not started"))]
    ]
    return {"id": "unit-reports", "title": _("The units' quality reports"), "counts": counts, "rows": rows}


def _equity_section(goals: list[dict]) -> dict:
    rows = [
        {"goal": goal["title"], **{k: v for k, v in item.items() if k != "values"}}
        for goal in goals
        for item in goal["indicators"]
    ]
    outliers = sum(len(row["summary"]["outliers"]) for row in rows if row["summary"])
    return {"id": "equity", "title": _("Equity between units"), "rows": rows, "outliers": outliers}


def _missing_section(chain: AdministrationChain) -> dict:
    rows = missing_rows(chain)
    return {
        "id": "missing",
        "title": _("Units missing follow-ups or reports"),
        "rows": rows,
        "without_follow_up": sum(bool(row["not_followed_up"]) for row in rows),
        "without_report": sum(row["report_missing"] for row in rows),
    }


def _findings(chain: AdministrationChain, goals: list[dict]) -> list[str]:
    """Shortfalls in quality and equity, in words, for the summary."""
    findings = []
    for goal in goals:
        missing = goal["units_total"] - goal["units_working"]  # of the units the goal applies to
        if missing:
            findings.append(ngettext(
                "%(n)s of %(total)s units does not work under the goal “%(goal)s”.",
                "%(n)s of %(total)s units do not work under the goal “%(goal)s”.", missing,
            ) % {"n": missing, "total": goal["units_total"], "goal": goal["title"]})
        low = sum(a["count"] for a in goal["attainment"] if a["level"] in (Attainment.NOT, Attainment.PARTLY))
        if low:
            findings.append(ngettext(
                "%(n)s unit goal under “%(goal)s” was judged not attained or only partly attained.",
                "%(n)s unit goals under “%(goal)s” were judged not attained or only partly attained.", low,
            ) % {"n": low, "goal": goal["title"]})
        for item in goal["indicators"]:
            if item["summary"] and item["summary"]["outliers"]:
                findings.append(
                    _("“%(indicator)s”: %(units)s differ markedly from the other units (outliers).")
                    % {"indicator": item["title"], "units": ", ".join(item["summary"]["outliers"])}
                )
    total = len(chain.units)
    rows = missing_rows(chain)
    without_follow_up = sum(bool(row["not_followed_up"]) for row in rows)
    if without_follow_up:
        findings.append(ngettext(
            "%(n)s of %(total)s units has goals that have not been followed up and analysed.",
            "%(n)s of %(total)s units have goals that have not been followed up and analysed.", without_follow_up,
        ) % {"n": without_follow_up, "total": total})
    without_report = sum(row["report_missing"] for row in rows)
    if without_report:
        findings.append(ngettext(
            "%(n)s of %(total)s units has not submitted its quality report.",
            "%(n)s of %(total)s units have not submitted their quality report.", without_report,
        ) % {"n": without_report, "total": total})
    return findings
