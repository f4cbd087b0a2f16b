"""The demo municipality's goal chain, for the previous and the current school year (or more
school years back, with ``seed_demo --years N``).

Goal areas, committee goals and administration-wide goals are drawn from the seed documents
(Ystad's guideline, Svenljunga's plan): reading development, safety and study peace,
participation. Units carry unit goals with indicators, check-ins, activities and follow-ups;
some gaps are left on purpose so that the matrix and the rektorer's to-do lists show them.
Idempotent: the administration's goals are made once per school year, and only units that
have no goals in that year get theirs (so `seed_demo --units N` fills the new units too).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .models import (
    Activity,
    ActivityFollowUp,
    Administration,
    Analysis,
    CheckIn,
    CurriculumArea,
    DevelopmentArea,
    Goal,
    Indicator,
    Unit,
    ValidityReview,
)
from .schoolyear import SchoolYear

AREAS = [
    ("Utbildning och lärande", "Alla barn och elever ska ges förutsättningar att nå så långt som möjligt."),
    ("Trygghet och hälsa", "Förskolor och skolor ska vara trygga platser med god arbetsmiljö."),
]

# (area index, committee goal, administration-wide goal, description, expected effects, curriculum area codes)
ADMINISTRATION_GOALS = [
    (
        0,
        "Fler elever ska nå kunskapskraven i alla ämnen",
        "Ökad läsförståelse och läslust",
        "Läsutvecklingen ska följas systematiskt från förskola till årskurs 9.",
        "Fler barn och elever läser med flyt och förståelse; resultaten i svenska förbättras.",
        ["kunskaper", "omsorg-utveckling-larande"],
    ),
    (
        1,
        "Alla barn och elever ska känna sig trygga",
        "Trygghet och studiero",
        "Arbetet mot kränkande behandling och för studiero ska stärkas på alla enheter.",
        "Fler elever uppger i enkäten att de känner sig trygga och att det är arbetsro på lektionerna.",
        ["normer-och-varden", "larmiljo"],
    ),
    (
        0,
        "Barn och elever ska ha inflytande över sin utbildning",
        "Delaktighet och inflytande",
        "Barn och elever ska vara delaktiga i planering och utvärdering av undervisningen.",
        "Barn och elever upplever att deras åsikter tas till vara.",
        ["elevernas-ansvar-och-inflytande", "barns-delaktighet-och-inflytande"],
    ),
]

# Unit goals per administration-wide goal: (title, indicator, unit of measure, baseline, target, activity)
UNIT_GOALS = {
    "Ökad läsförståelse och läslust": (
        "Fler elever i åk 3 läser med flyt",
        "Andel elever i åk 3 som klarar lässcreeningen",
        "%",
        Decimal("68"),
        Decimal("85"),
        "Lässtunder med högläsning och boksamtal varje dag",
    ),
    "Trygghet och studiero": (
        "Ökad studiero i klassrummen",
        "Andel elever som svarar att det är arbetsro på lektionerna",
        "%",
        Decimal("61"),
        Decimal("75"),
        "Gemensamma lektionsstarter och rastaktiviteter",
    ),
    "Delaktighet och inflytande": (
        "Barnens idéer syns i undervisningen",
        "Andel planeringar där barnens förslag dokumenterats",
        "%",
        Decimal("30"),
        Decimal("60"),
        "Barnråd varannan vecka",
    ),
}


def _save(record):
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def seed_chain(administration: Administration, school_year: SchoolYear, *, units=None, seed: int = 2025) -> None:
    rng = random.Random(seed + school_year.start_year)
    admin_goals = list(
        Goal.objects.filter(administration=administration, school_year=school_year, level=Goal.Level.ADMINISTRATION)
        .prefetch_related("curriculum_areas")
        .order_by("pk")
    ) or _seed_administration_goals(administration, school_year)
    units = units if units is not None else Unit.objects.filter(administration=administration)
    units = list(units.exclude(goals__school_year=school_year).order_by("name"))
    for index, unit in enumerate(units):
        # Most units work under two administration-wide goals; some leave gaps for the matrix.
        chosen = [admin_goals[index % 3], admin_goals[(index + 1) % 3]]
        for position, parent in enumerate(chosen):
            _seed_unit_goal(unit, parent, school_year, rng, complete=(index + position) % 4 != 3)
        if index % 5 == 0:
            _save(Goal(level=Goal.Level.LOCAL, unit=unit, school_year=school_year,
                       title="Utvecklad samverkan med vårdnadshavare", origin=Goal.Origin.SHORTFALL,
                       start_term=school_year.autumn, end_term=school_year.spring))


def _seed_administration_goals(administration, school_year) -> list[Goal]:
    municipality = administration.municipality
    committee = administration.committee
    areas = {code: area for code, area in ((a.code, a) for a in CurriculumArea.objects.all())}
    period = {"start_term": school_year.autumn, "end_term": school_year.spring}
    area_goals = [
        _save(Goal(level=Goal.Level.AREA, municipality=municipality, school_year=school_year, title=title,
                   description=text, origin=Goal.Origin.POLITICAL, **period))
        for title, text in AREAS
    ]
    admin_goals = []
    for area_index, committee_title, title, description, effects, codes in ADMINISTRATION_GOALS:
        committee_goal = _save(Goal(level=Goal.Level.COMMITTEE, committee=committee, parent=area_goals[area_index],
                                    school_year=school_year, title=committee_title, origin=Goal.Origin.POLITICAL, **period))
        goal = _save(Goal(level=Goal.Level.ADMINISTRATION, administration=administration, parent=committee_goal,
                          school_year=school_year, title=title, description=description, expected_effects=effects,
                          origin=Goal.Origin.POLITICAL, **period))
        goal.curriculum_areas.set([areas[c] for c in codes if c in areas])
        admin_goals.append(goal)
    return admin_goals


def _seed_unit_goal(unit, parent, school_year, rng, *, complete: bool) -> None:
    title, indicator_title, measure, baseline, target, activity_title = UNIT_GOALS[parent.title]
    goal = _save(Goal(level=Goal.Level.UNIT, unit=unit, parent=parent, school_year=school_year, title=title,
                      origin=Goal.Origin.SHORTFALL, start_term=school_year.autumn, end_term=school_year.spring))
    goal.curriculum_areas.set(parent.curriculum_areas.all())
    start = school_year.start
    baseline_value = baseline + rng.randint(-8, 8)
    indicator = _save(Indicator(
        goal=goal, title=indicator_title, unit_of_measure=measure, source="Enkät och screening",
        measures="Andel av alla elever i gruppen, mätt vid samma tidpunkt varje termin.",
        baseline_value=baseline_value, baseline_date=start + datetime.timedelta(days=40),
        target_value=target if complete else None, target_date=school_year.end if complete else None,
    ))
    today = timezone.localdate()  # the site's today, as SchoolYear.current() reads it
    value = baseline_value
    for days in (100, 200, 290):
        day = start + datetime.timedelta(days=days)
        if day > today:
            break
        value = value + rng.randint(-2, 6)
        CheckIn.objects.create(indicator=indicator, date=day, value=value, group_size=rng.randint(40, 90))
    if not complete:
        return  # a gap: no activity, no target, no analysis
    activity = _save(Activity(goal=goal, title=activity_title, purpose="Att nå målet genom ett beprövat arbetssätt.",
                              owner="Arbetslaget", start=start + datetime.timedelta(days=20),
                              end=school_year.end, status=Activity.Status.ONGOING))
    activity.indicators.add(indicator)
    follow_up_day = start + datetime.timedelta(days=120)
    if follow_up_day <= today:
        ActivityFollowUp.objects.create(activity=activity, date=follow_up_day, on_track=rng.choice(["yes", "partly"]),
                                        process_data="Genomförs i alla klasser; lärarna för logg.")
    if start + datetime.timedelta(days=150) <= today:
        analysis = Analysis.objects.create(
            goal=goal, term=school_year.autumn, results="Resultaten har förbättrats något sedan nuläget.",
            causes="Det gemensamma arbetssättet har fått genomslag i de flesta grupper.",
            participants=["teachers", "student_health", "pupils"], activity_effect="Tydlig effekt i de yngre åren.",
            attainment=rng.choice([2, 3]),
        )
        ValidityReview.objects.create(
            analysis=analysis, indicator=indicator, reliability="God: samma instrument varje gång.",
            measures_intended="I huvudsak.", reflects_reality="Stämmer med lärarnas bild.",
        )
        DevelopmentArea.objects.create(analysis=analysis, title="Fortsatt arbete med " + title[0].lower() + title[1:])


DEFAULT_YEARS = 2


def demo_school_years(years: int = DEFAULT_YEARS) -> list[SchoolYear]:
    """The ``years`` school years up to and including the current one, oldest first."""
    school_years = [SchoolYear.current()]
    while len(school_years) < years:
        school_years.insert(0, school_years[0].previous())
    return school_years


def seed_demo_chain(administration: Administration, units=None, *, years: int = DEFAULT_YEARS) -> None:
    for school_year in demo_school_years(years):
        seed_chain(administration, school_year, units=units)
