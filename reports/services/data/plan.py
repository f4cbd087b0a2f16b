"""The committee's plan for systematic quality work (seed 003: Svenljunga's *Plan för
systematiskt kvalitetsarbete*), generated from the goal chain and the annual wheels:

vision → goal areas → the committee's priorities (committee goals, and the topics it chose for
its quality dialogue) → focus areas (administration-wide goals) → measures per school form as
Syfte / Mål / Åtgärder (the goal's description; its expected effects and the units' goals under
it; the units' activities, summarised) → the annual wheel by month → the forums for dialogue.

A fixed number of queries, whatever the number of units, goals and events.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from annualwheel.models import Wheel
from annualwheel.services.reading import occurrences_of
from dialogs.models import CommitteeTopic, DialogueKind, Round
from dialogs.services.templates import templates_of
from reports.models import ReportKind
from ska.models import Activity, Goal, SchoolForm, Unit
from ska.suppression import threshold_of

from ..progress import NO_PROGRESS
from .common import day
from .header import header, school_year_of


def gather(*, kind=ReportKind.PLAN, school_year, administration, unit_report=None, round_=None,
           progress=NO_PROGRESS) -> dict:
    if administration is None:
        raise ValueError("The plan needs an administration.")
    school_year = school_year_of(school_year)
    municipality, committee = administration.municipality, administration.committee
    progress.expect(5)
    progress.say(_("Reading the goal chain"))
    doc = header(
        kind=ReportKind.PLAN.value,
        title=_("Plan for systematic quality work"),
        subtitle=_("%(committee)s · School year %(year)s") % {"committee": committee, "year": school_year},
        school_year=school_year, municipality=municipality, committee=committee, administration=administration,
        threshold=threshold_of(municipality),
    )
    goals = list(
        Goal.objects.in_force(school_year)
        .filter(
            Q(level=Goal.Level.AREA, municipality=municipality)
            | Q(level=Goal.Level.COMMITTEE, committee=committee)
            | Q(level=Goal.Level.ADMINISTRATION, administration=administration)
        )
        .order_by("sort_order", "title", "pk")
    )
    areas = [g for g in goals if g.level == Goal.Level.AREA]
    committee_goals = [g for g in goals if g.level == Goal.Level.COMMITTEE]
    admin_goals = [g for g in goals if g.level == Goal.Level.ADMINISTRATION]
    titles = {g.pk: g.title for g in goals}
    topics = list(CommitteeTopic.objects.filter(committee=committee, school_year=school_year).order_by("position", "pk"))
    progress.step(_("Vision and goals"))

    measures = _measures(administration, school_year, admin_goals)
    progress.step(_("Measures per school form"))
    wheels, months = _annual_wheel(administration, committee, school_year)
    progress.step(_("The annual wheel"))
    forums = _forums(municipality, administration, school_year)
    progress.step(_("Forums for dialogue"))

    def goal_entry(goal):
        return {
            "id": goal.pk, "title": goal.title, "description": goal.description,
            "expected_effects": goal.expected_effects, "parent_id": goal.parent_id,
            "parent_title": titles.get(goal.parent_id), "period": goal.period_label,
        }

    doc["sections"] = [
        {"id": "vision", "title": _("Vision"), "text": municipality.vision},
        {"id": "goal-areas", "title": _("Goal areas"), "areas": [goal_entry(g) for g in areas]},
        {
            "id": "priorities",
            "title": _("The committee's priorities"),
            "groups": [
                {"area": area_title, "goals": [goal_entry(g) for g in group]}
                for area_title, group in _grouped(committee_goals, titles)
            ],
            "topics": [{"title": t.title, "description": t.description, "decided_on": day(t.decided_on)} for t in topics],
        },
        {
            "id": "focus-areas",
            "title": _("Focus areas"),
            "goals": [goal_entry(g) for g in admin_goals],
        },
        {
            "id": "measures",
            "title": _("Measures per school form"),
            "children": [{"id": form["id"], "title": form["name"]} for form in measures],
            "school_forms": measures,
        },
        {
            "id": "annual-wheel",
            "title": _("Annual wheel"),
            "wheels": [{"id": w.pk, "name": w.name, "description": w.description} for w in wheels],
            "months": months,
        },
        {
            "id": "forums",
            "title": _("Forums for dialogue"),
            "children": [{"id": forum["id"], "title": forum["title"]} for forum in forums],
            "forums": forums,
        },
    ]
    doc["sources"] = {
        "goals": [[g.pk, g.version] for g in goals],
        "wheels": [[w.pk, w.version] for w in wheels],
        "committee_topics": [t.pk for t in topics],
        "dialogue_templates": [f["template_id"] for f in forums if f["template_id"]],
    }
    doc["tables"] = _tables(doc["sections"], measures, months, forums)
    progress.step(_("Tables composed"))
    return doc


def _grouped(goals, titles):
    groups: dict[object, list] = {}
    for goal in goals:
        groups.setdefault(goal.parent_id, []).append(goal)
    return [(titles.get(parent_id), group) for parent_id, group in groups.items()]


def _distinct(rows: list[tuple[int, str]]) -> list[dict]:
    """Titles with the number of units using them, most used first: (unit id, title) rows."""
    units: dict[str, set[int]] = defaultdict(set)
    spelling: dict[str, str] = {}
    for unit_id, title in rows:
        key = title.strip().casefold()
        spelling.setdefault(key, title.strip())
        units[key].add(unit_id)
    return [
        {"title": spelling[key], "units": len(ids)}
        for key, ids in sorted(units.items(), key=lambda item: (-len(item[1]), spelling[item[0]].casefold()))
    ]


def _measures(administration, school_year, admin_goals) -> list[dict]:
    """Per school form of the administration's units, per administration-wide goal: Syfte (the
    goal's description), Mål (its expected effects and the units' goals under it) and Åtgärder
    (the units' activities under it), the units' items summarised with how many units have them."""
    forms = list(SchoolForm.objects.filter(units__administration=administration).distinct().order_by("sort_order", "name"))
    unit_forms: dict[int, set[int]] = defaultdict(set)
    for unit_id, form_id in Unit.school_forms.through.objects.filter(
        unit__administration=administration
    ).values_list("unit_id", "schoolform_id"):
        unit_forms[unit_id].add(form_id)
    admin_ids = [g.pk for g in admin_goals]
    unit_goals = Goal.objects.in_force(school_year).filter(level=Goal.Level.UNIT, parent_id__in=admin_ids).values_list(
        "parent_id", "unit_id", "title"
    )
    activities = (
        Activity.objects.filter(goal__in=Goal.objects.in_force(school_year).filter(level=Goal.Level.UNIT, parent_id__in=admin_ids))
        .exclude(status=Activity.Status.CANCELLED)
        .values_list("goal__parent_id", "goal__unit_id", "title")
    )
    goals_by: dict[tuple[int, int], list] = defaultdict(list)
    for parent_id, unit_id, title in unit_goals:
        for form_id in unit_forms[unit_id]:
            goals_by[(form_id, parent_id)].append((unit_id, title))
    activities_by: dict[tuple[int, int], list] = defaultdict(list)
    for parent_id, unit_id, title in activities:
        for form_id in unit_forms[unit_id]:
            activities_by[(form_id, parent_id)].append((unit_id, title))
    result = []
    for form in forms:
        form_units = sum(form.pk in f for f in unit_forms.values())
        items = []
        for goal in admin_goals:
            unit_goal_rows = goals_by[(form.pk, goal.pk)]
            items.append({
                "goal_id": goal.pk,
                "title": goal.title,
                "purpose": goal.description,
                "aim": goal.expected_effects,
                "unit_goals": _distinct(unit_goal_rows),
                "units_working": len({unit_id for unit_id, _title in unit_goal_rows}),
                "actions": _distinct(activities_by[(form.pk, goal.pk)]),
            })
        result.append({"id": f"form-{form.code}", "code": form.code, "name": form.name, "units": form_units,
                       "measures": items})
    return result


def _annual_wheel(administration, committee, school_year):
    """The committee's and the administration's wheels for the year, their occurrences by month
    and, within a month, by event (a weekly meeting is one line with its dates)."""
    wheels = list(
        Wheel.objects.filter(school_year=school_year).filter(Q(committee=committee) | Q(administration=administration))
        .order_by("committee_id", "name", "pk")
    )
    occurrences = occurrences_of(wheels, school_year.first_day, school_year.end, include_skipped=False)
    months: dict[str, dict] = {}
    described: set[int] = set()
    for occurrence in occurrences:
        event = occurrence.event
        key = occurrence.date.strftime("%Y-%m")
        month = months.setdefault(key, {
            "key": key, "label": f"{MONTHS[occurrence.date.month]} {occurrence.date.year}", "events": {},
        })
        entry = month["events"].get(event.pk)
        if entry is None:
            entry = month["events"][event.pk] = {
                "title": event.title,
                "kind": event.kind,
                "kind_label": str(event.get_kind_display()),
                "wheel": event.wheel.name,
                "owner": "committee" if event.wheel.committee_id else "administration",
                "description": "" if event.pk in described else event.description,
                "dates": [],
            }
            described.add(event.pk)
        entry["dates"].append({"date": day(occurrence.date), "end_date": day(occurrence.end_date)})
    return wheels, [{**m, "events": list(m["events"].values())} for m in months.values()]


def _forums(municipality, administration, school_year) -> list[dict]:
    rounds = defaultdict(list)
    for round_ in Round.objects.filter(administration=administration, school_year=school_year).order_by("starts_on", "pk"):
        rounds[round_.kind].append(round_)
    forums = []
    for template in templates_of(municipality):
        kind_rounds = rounds[template.kind]
        forums.append({
            "id": f"forum-{template.kind}",
            "kind": template.kind,
            "title": str(DialogueKind(template.kind).label),
            "template_id": template.pk,
            "purpose": template.purpose,
            "participants": [line.strip() for line in template.participant_roles.splitlines() if line.strip()],
            "agenda": list(template.agenda_topics or []),
            # Rounds within units are many and the units' own: counted, not listed.
            "rounds": [] if template.kind == DialogueKind.UNIT else [
                {"title": r.title, "term": str(r.term), "starts_on": day(r.starts_on), "ends_on": day(r.ends_on)}
                for r in kind_rounds
            ],
            "round_count": len(kind_rounds),
        })
    return forums


def _tables(sections, measures, months, forums) -> list[dict]:
    by_id = {s["id"]: s for s in sections}
    goal_rows = [[_("Goal area"), g["title"], None, g["description"]] for g in by_id["goal-areas"]["areas"]]
    goal_rows += [[_("Committee goal"), g["title"], g["parent_title"], g["description"]]
                  for group in by_id["priorities"]["groups"] for g in group["goals"]]
    goal_rows += [[_("Focus area"), g["title"], g["parent_title"], g["description"]] for g in by_id["focus-areas"]["goals"]]
    measure_rows = []
    for form in measures:
        for item in form["measures"]:
            row = [form["name"], item["title"]]
            measure_rows.append([*row, _("Purpose"), item["purpose"], None])
            measure_rows.append([*row, _("Goal"), item["aim"], None])
            measure_rows += [[*row, _("Unit goal"), g["title"], g["units"]] for g in item["unit_goals"]]
            measure_rows += [[*row, _("Action"), a["title"], a["units"]] for a in item["actions"]]
    return [
        {
            "id": "goals", "name": _("Goals"),
            "columns": [_("Level"), _("Goal"), _("Goal above"), _("Description")],
            "rows": goal_rows,
        },
        {
            "id": "measures", "name": _("Measures"),
            "columns": [_("School form"), _("Focus area"), _("Part"), _("Text"), _("Units")],
            "rows": measure_rows,
        },
        {
            "id": "annual-wheel", "name": _("Annual wheel"),
            "columns": [_("Date"), _("Last day"), _("Event"), _("Type"), _("Wheel")],
            "rows": [[d["date"], d["end_date"], e["title"], e["kind_label"], e["wheel"]]
                     for m in months for e in m["events"] for d in e["dates"]],
        },
        {
            "id": "forums", "name": _("Forums for dialogue"),
            "columns": [_("Forum"), _("Purpose"), _("Participants"), _("Rounds this school year")],
            "rows": [[f["title"], f["purpose"], "; ".join(f["participants"]), f["round_count"]] for f in forums],
        },
    ]
