"""The administration reports' tables for Excel (``administration``): one sheet per table,
suppressed values as "..", from the gathered data only."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ska.models import Attainment

from .administration_chain import ATTAINMENT_ORDER, AdministrationChain, areas, missing_rows, unit_report_rows
from .common import INDICATOR_COLUMNS, cell, indicator_rows


def tables(chain: AdministrationChain, goals: list[dict], *, with_values: bool) -> list[dict]:
    attainment_labels = dict(Attainment.choices)
    tables = [
        {
            "id": "goals",
            "name": _("Goals"),
            "columns": [_("Administration-wide goal"), _("Committee goal"), _("Goal area"), _("Units"),
                        _("Units working on it"), _("Unit goals"), _("Followed up"),
                        *[str(attainment_labels[level]) for level in ATTAINMENT_ORDER], _("Not judged"),
                        _("Development areas")],
            "rows": [
                [goal["title"], (goal["committee_goal"] or {}).get("title"), (goal["area"] or {}).get("title"),
                 goal["units_total"], goal["units_working"], goal["unit_goals"], goal["unit_goals_followed_up"],
                 *[a["count"] for a in goal["attainment"]], len(goal["development_areas"])]
                for goal in goals
            ],
        },
        {
            "id": "attainment",
            "name": _("Attainment"),
            "columns": [_("Unit"), _("Administration-wide goal"), _("Unit goal"), _("Term"), _("Goal attainment")],
            "rows": [
                [unit.name, admin_goal.title, goal["title"], analysis["term"], analysis["attainment_label"] or None]
                for admin_goal in chain.admin_goals
                for unit, goal in chain.under[admin_goal.pk]
                for analysis in goal["analyses"]
            ],
        },
    ]
    if with_values:
        tables.append({
            "id": "spread",
            "name": _("Spread"),
            "columns": [_("Administration-wide goal"), _("Indicator"), _("Unit of measure"), _("Units"), _("Shown"),
                        _("Suppressed"), _("Lowest"), _("Lower quartile"), _("Median"), _("Upper quartile"),
                        _("Highest"), _("Outliers")],
            "rows": [
                [goal["title"], item["title"], item["unit_of_measure"], item["units"], item["shown"], item["suppressed"],
                 *([item["summary"][k] for k in ("minimum", "lower_quartile", "median", "upper_quartile", "maximum")]
                   if item["summary"] else [None] * 5),
                 ", ".join(item["summary"]["outliers"]) if item["summary"] else None]
                for goal in goals
                for item in goal["indicators"]
            ],
        })
        tables.append({
            "id": "values",
            "name": _("Values per unit"),
            "columns": [_("Administration-wide goal"), _("Indicator"), _("Unit"), _("Value"), _("Date"),
                        _("From a check-in"), _("Outlier")],
            "rows": [
                [goal["title"], item["title"], value["unit_name"], cell(value["value"], value["suppressed"]),
                 value["date"], _("Yes") if value["from_check_in"] else _("No"),
                 {"low": _("Low"), "high": _("High")}.get(value["outlier"], "")]
                for goal in goals
                for item in goal["indicators"]
                for value in item["values"]
            ],
        })
        tables.append({
            "id": "missing",
            "name": _("Missing"),
            "columns": [_("Unit"), _("Does not work under"), _("Not followed up"), _("Quality report")],
            "rows": [
                [row["unit"], "; ".join(row["not_working"]), "; ".join(row["not_followed_up"]), row["report_status_label"]]
                for row in missing_rows(chain)
            ],
        })
    tables.append({
        "id": "indicators",
            "name": _("Indicators"),
        "columns": [str(c) for c in INDICATOR_COLUMNS],
        "rows": [row for unit, goal in [*chain.unit_goals, *chain.local] for row in indicator_rows([goal], unit.name)],
    })
    tables.append({
        "id": "development-areas",
            "name": _("Development areas"),
        "columns": [_("Unit"), _("Goal"), _("Development area"), _("Description")],
        "rows": [
            [area["unit"], area["goal"], area["title"], area["description"]]
            for area in [*areas(chain.unit_goals), *areas(chain.local)]
        ],
    })
    if not with_values:
        tables.append({
            "id": "unit-reports",
            "name": _("Quality reports"),
            "columns": [_("Unit"), _("School forms"), _("Status"), _("Submitted"), _("Approved or returned")],
            "rows": [
                [row["unit"], row["school_forms"], row["status_label"], row["submitted_at"], row["decided_at"]]
                for row in unit_report_rows(chain)
            ],
        })
    return tables
