"""The pages of the year-round chain cost the same number of queries for 10 units as for 200:
the matrix, the administration-wide goal's page with its own follow-up and administration-wide
indicators, the equity view with its trend and school forms, the goal levels, a committee goal's
page, the rollover pages and the start pages."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annualwheel.models import EventKind, Wheel
from annualwheel.services.events import event_create
from ska.models import CheckIn, Goal, Indicator, Role, RoleAssignment, SchoolForm, Unit
from ska.schoolyear import SchoolYear

YEAR = SchoolYear(2026)
PERIOD = {"school_year": YEAR, "start_term": YEAR.autumn, "end_term": YEAR.spring}


def _build(org, people):
    """Two administration-wide goals (one limited to grundskola, with an administration-wide
    indicator continued from last year's, and an indicator of its own), a committee goal above
    them and a follow-up deadline on the wheel."""
    grundskola = SchoolForm.objects.get(code="grundskola")
    committee_goal = Goal.objects.create(level=Goal.Level.COMMITTEE, committee=org.committee, title="Nämndsmål", **PERIOD)
    previous = Goal.objects.create(level=Goal.Level.ADMINISTRATION, administration=org.administration, title="Läsning",
                                   school_year=YEAR.previous(), start_term=YEAR.previous().autumn,
                                   end_term=YEAR.previous().spring)
    old_definition = Indicator.objects.create(goal=previous, title="Lässcreening", administration_wide=True)
    reading = Goal.objects.create(level=Goal.Level.ADMINISTRATION, administration=org.administration, parent=committee_goal,
                                  title="Läsning", continued_from=previous, **PERIOD)
    reading.school_forms.set([grundskola])
    safety = Goal.objects.create(level=Goal.Level.ADMINISTRATION, administration=org.administration, parent=committee_goal,
                                 title="Trygghet", **PERIOD)
    definition = Indicator.objects.create(goal=reading, title="Lässcreening", administration_wide=True,
                                          continued_from=old_definition, unit_of_measure="%")
    Indicator.objects.create(goal=reading, title="Behörighet", baseline_value=80, target_value=90)
    wheel = Wheel.objects.create(name="SKA-hjulet", school_year=YEAR, administration=org.administration)
    event_create(wheel=wheel, values={"kind": EventKind.FOLLOW_UP_DEADLINE, "title": "Avstämning",
                                      "start_date": datetime.date(2026, 10, 23), "follow_up_parts": ["check_ins"]},
                 user=people.leadership)
    return {"reading": reading, "safety": safety, "committee_goal": committee_goal, "definition": definition}


def _add_units(org, built, n: int, start: int = 0) -> list[Unit]:
    """``n`` more grundskolor, each with a goal under both administration-wide goals, a copy of the
    administration-wide indicator and two check-ins (some from small groups)."""
    grundskola = SchoolForm.objects.get(code="grundskola")
    reading, safety, definition = built["reading"], built["safety"], built["definition"]
    units = Unit.objects.bulk_create(
        [Unit(name=f"Skola {i:03d}", administration=org.administration) for i in range(start, start + n)])
    Unit.school_forms.through.objects.bulk_create(
        [Unit.school_forms.through(unit_id=u.pk, schoolform_id=grundskola.pk) for u in units])
    goals = Goal.objects.bulk_create(
        [Goal(level=Goal.Level.UNIT, unit=u, parent=parent, title=f"{parent.title} på {u.name}", **PERIOD)
         for u in units for parent in (reading, safety)])
    copies = Indicator.objects.bulk_create(
        [Indicator(goal=g, definition=definition, title="Lässcreening", baseline_value=60, target_value=80)
         for g in goals if g.parent_id == reading.pk])
    CheckIn.objects.bulk_create(
        [CheckIn(indicator=c, date=datetime.date(2026, month, 10), value=Decimal(60 + i % 30), group_size=5 + i % 40)
         for i, c in enumerate(copies) for month in (9, 11)])
    return units


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(context.captured_queries)


PAGES = [
    ("chain_matrix", None, {"lasar": 2026}),
    ("administration_goal", "reading", {}),
    ("equity", "reading", {"indikator": "definition"}),
    ("goal_levels", None, {"lasar": 2026}),
    ("goal_detail", "committee_goal", {}),
    ("levels_rollover", None, {"lasar": 2026}),
    ("start", None, {}),
    ("curriculum_coverage", None, {"lasar": 2026}),
    ("chain_settings", None, {}),
]


@pytest.mark.parametrize("name, target, params", PAGES, ids=[p[0] for p in PAGES])
def test_a_page_costs_the_same_for_10_and_200_units(org, people, login, name, target, params):
    built = _build(org, people)
    url = reverse(name, args=[built[target].pk]) if target else reverse(name)
    query = {k: (f"d{built['definition'].pk}" if v == "definition" else v) for k, v in params.items()}
    client = login(people.leadership)
    counts = []
    for n, start in ((10, 0), (190, 10)):
        _add_units(org, built, n, start)
        _count(client, url, query)  # warm caches (content types, translations)
        counts.append(_count(client, url, query))
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries for 10 units, {counts[1]} for 200"


def test_a_units_rollover_page_costs_the_same_however_many_units_there_are(org, people, login):
    built = _build(org, people)
    counts = []
    for n, start in ((10, 0), (190, 10)):
        unit = _add_units(org, built, n, start)[5]
        RoleAssignment.objects.create(user=people.rector, role=Role.RECTOR, unit=unit)
        client = login(people.rector)
        url = reverse("unit_rollover", args=[unit.pk])
        _count(client, url, {"lasar": 2026})
        counts.append(_count(client, url, {"lasar": 2026}))
    assert counts[0] == counts[1]
