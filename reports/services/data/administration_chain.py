"""What the administration's reports are made of (``administration``): the units (of one
school form, or all), the administration-wide goals, the units' goals under them with their
indicators, activities and analyses (suppression applied), and the units' own quality reports,
read in a fixed number of queries whatever the number of units and goals; and the per-goal
summaries the reports show.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from reports.models import UnitReport
from ska.applicability import applies, goal_forms, unit_forms
from ska.chain_status import goal_states
from ska.models import Activity, Attainment, Goal, Unit

from .common import day, goal_data
from .distribution import distribution

REPORTED = (UnitReport.Status.SUBMITTED, UnitReport.Status.APPROVED)
ATTAINMENT_ORDER = [Attainment.FULLY, Attainment.LARGELY, Attainment.PARTLY, Attainment.NOT]


class AdministrationChain:
    """Everything the reports are made of, in a fixed number of queries."""

    def __init__(self, administration, school_year, school_form, threshold):
        self.school_year = school_year
        self.threshold = threshold
        # Units still open when the year's teaching began: one closed in July (a day that belongs
        # to the year, see ska.schoolyear) never worked on it.
        units = Unit.objects.filter(administration=administration).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gte=school_year.start)
        )
        if school_form is not None:
            units = units.filter(school_forms=school_form)
        self.units = list(units.prefetch_related("school_forms").order_by("name", "pk").distinct())
        self.unit_by_id = {unit.pk: unit for unit in self.units}
        self.admin_goals = list(
            Goal.objects.in_force(school_year).filter(administration=administration, level=Goal.Level.ADMINISTRATION)
            .select_related("parent__parent")
            .order_by("sort_order", "title", "pk")
        )
        admin_ids = [goal.pk for goal in self.admin_goals]
        # Which units each administration-wide goal applies to (its school forms): only those are
        # asked for a goal under it (ska.applicability).
        forms_of_goal, forms_of_unit = goal_forms(self.admin_goals), unit_forms(self.units)
        self.applies_to = {
            goal.pk: {unit.pk for unit in self.units if applies(forms_of_goal[goal.pk], forms_of_unit[unit.pk])}
            for goal in self.admin_goals
        }
        states = goal_states(
            Goal.objects.in_force(school_year).filter(unit_id__in=list(self.unit_by_id))
            .filter(Q(level=Goal.Level.UNIT, parent_id__in=admin_ids) | Q(level=Goal.Level.LOCAL))
            .order_by("unit__name", "sort_order", "title", "pk")
        )
        # (unit, goal data) per administration-wide goal, and the units' local goals.
        self.under: dict[int, list[tuple[Unit, dict]]] = defaultdict(list)
        self.local: list[tuple[Unit, dict]] = []
        self.goal_versions = [[goal.pk, goal.version] for goal in self.admin_goals]
        for state in states:
            unit = self.unit_by_id[state.goal.unit_id]
            data = goal_data(state, threshold)
            self.goal_versions.append([state.goal.pk, state.goal.version])
            if state.goal.level == Goal.Level.UNIT:
                self.under[state.goal.parent_id].append((unit, data))
            else:
                self.local.append((unit, data))
        self.reports = {
            report.unit_id: report
            for report in UnitReport.objects.filter(unit_id__in=list(self.unit_by_id), school_year=school_year)
        }

    @property
    def unit_goals(self) -> list[tuple[Unit, dict]]:
        return [pair for goal in self.admin_goals for pair in self.under[goal.pk]]

    @property
    def suppression_used(self) -> bool:
        return any(
            check_in["suppressed"]
            for _unit, goal in [*self.unit_goals, *self.local]
            for indicator in goal["indicators"]
            for check_in in indicator["check_ins"]
        )

    def report_status(self, unit) -> tuple[str, str]:
        report = self.reports.get(unit.pk)
        if report is None:
            return "none", _("Not started")
        return report.status, str(report.get_status_display())

    def sources(self) -> dict:
        return {
            "goals": self.goal_versions,
            "unit_reports": [[r.pk, r.version, r.status] for r in sorted(self.reports.values(), key=lambda r: r.pk)],
            "units": [unit.pk for unit in self.units],
        }


def unit_ref(unit) -> dict:
    return {"id": unit.pk, "name": unit.name}


def latest_attainment(goal: dict) -> int | None:
    judged = [a["attainment"] for a in goal["analyses"] if a["attainment"]]
    return judged[-1] if judged else None


def goal_entry(admin_goal: Goal, chain: AdministrationChain, *, with_values: bool) -> dict:
    pairs = chain.under[admin_goal.pk]
    working = {unit.pk for unit, _goal in pairs}
    committee_goal = admin_goal.parent if admin_goal.parent_id else None
    area = committee_goal.parent if committee_goal is not None and committee_goal.parent_id else None

    judgements = [latest_attainment(goal) for _unit, goal in pairs]
    labels = dict(Attainment.choices)
    attainment = [
        {"level": int(level), "label": str(labels[level]), "count": judgements.count(level)} for level in ATTAINMENT_ORDER
    ]
    attainment.append({"level": None, "label": _("Not judged"), "count": judgements.count(None)})

    by_title: dict[tuple, list] = {}
    seen: set[tuple] = set()
    for unit, goal in pairs:
        for indicator in goal["indicators"]:
            # An administration-wide indicator is one, whatever it is called; the ones the units
            # typed themselves go by their title.
            definition = indicator.get("definition_id")
            key = ("definition", definition) if definition else ("title", indicator["title"].strip().casefold())
            if (key, unit.pk) in seen:
                continue  # one value per unit: its first indicator of that name
            seen.add((key, unit.pk))
            by_title.setdefault(key, []).append((unit_ref(unit), indicator))
    distributions = [
        distribution(entries[0][1]["title"], entries[0][1]["unit_of_measure"], entries[0][1]["direction"], entries)
        for entries in sorted(by_title.values(), key=lambda e: (-len(e), e[0][1]["title"].casefold()))
    ]
    for i, item in enumerate(distributions, start=1):
        item["id"] = f"spread-{admin_goal.pk}-{i}"
        if not with_values:
            item.pop("values")

    statuses = dict(Activity.Status.choices)
    activity_counts: dict[str, int] = defaultdict(int)
    for _unit, goal in pairs:
        for activity in goal["activities"]:
            activity_counts[activity["status"]] += 1
    followed_up = {unit.pk for unit, goal in pairs if goal["analyses"]}
    return {
        "id": f"goal-{admin_goal.pk}",
        "goal_id": admin_goal.pk,
        "title": admin_goal.title,
        "description": admin_goal.description,
        "expected_effects": admin_goal.expected_effects,
        "period": admin_goal.period_label,
        "committee_goal": None if committee_goal is None else {"id": committee_goal.pk, "title": committee_goal.title},
        "area": None if area is None else {"id": area.pk, "title": area.title},
        "units_total": len(chain.applies_to[admin_goal.pk]),
        "units_working": len(working),
        "units_not_working": [
            unit.name for unit in chain.units if unit.pk in chain.applies_to[admin_goal.pk] and unit.pk not in working
        ],
        "unit_goals": len(pairs),
        "units_followed_up": len(followed_up & working),
        "unit_goals_followed_up": sum(bool(goal["analyses"]) for _unit, goal in pairs),
        "attainment": attainment,
        "activities": {
            "total": sum(activity_counts.values()),
            "by_status": [
                {"status": status, "label": str(label), "count": activity_counts[status]}
                for status, label in statuses.items() if activity_counts[status]
            ],
        },
        "indicators": distributions,
        "development_areas": areas(pairs),
        # The school form reports list every unit's goals under the goal, with the judgement.
        "unit_goal_list": [
            {
                "unit": unit.name,
                "title": goal["title"],
                "followed_up": bool(goal["analyses"]),
                "attainment_label": str(labels[judgement]) if judgement else "",
            }
            for (unit, goal), judgement in zip(pairs, judgements)
        ] if with_values else [],
    }


def areas(pairs) -> list[dict]:
    return [
        {"unit": unit.name, "goal": goal["title"], "title": area["title"], "description": area["description"]}
        for unit, goal in pairs
        for analysis in goal["analyses"]
        for area in analysis["development_areas"]
    ]


def missing_rows(chain: AdministrationChain) -> list[dict]:
    by_unit: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for admin_goal in chain.admin_goals:
        for unit, goal in chain.under[admin_goal.pk]:
            by_unit[(unit.pk, admin_goal.pk)].append(goal)
    rows = []
    for unit in chain.units:
        not_working = [
            goal.title for goal in chain.admin_goals
            if unit.pk in chain.applies_to[goal.pk] and not by_unit[(unit.pk, goal.pk)]
        ]
        not_followed_up = [
            g["title"] for goal in chain.admin_goals for g in by_unit[(unit.pk, goal.pk)] if not g["analyses"]
        ]
        status, label = chain.report_status(unit)
        if not_working or not_followed_up or status not in REPORTED:
            rows.append({
                "unit": unit.name,
                "not_working": not_working,
                "not_followed_up": not_followed_up,
                "report_status": status,
                "report_status_label": label,
                "report_missing": status not in REPORTED,
            })
    return rows




def unit_report_rows(chain: AdministrationChain) -> list[dict]:
    """Each unit's quality report for the year: its status and when it was submitted and decided."""
    rows = []
    for unit in chain.units:
        status, label = chain.report_status(unit)
        report = chain.reports.get(unit.pk)
        rows.append({
            "unit": unit.name,
            "school_forms": ", ".join(form.name for form in unit.school_forms.all()),
            "status": status,
            "status_label": label,
            "submitted_at": day(report.submitted_at.date()) if report and report.submitted_at else None,
            "decided_at": day(report.decided_at.date()) if report and report.decided_at else None,
        })
    return rows
