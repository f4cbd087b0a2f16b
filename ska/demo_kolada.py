"""Kolada-fed indicators for the demo municipality, so the feature can be shown without the
internet: Ekvalla (Kolada's id 1299) and its units exist only in the fake Kolada's recorded
dataset, which is served in this process for the length of the seed.

The sources are made directly, not through the indicator form's service: that asks for a fetch
in the background once the transaction commits, which would go to the configured Kolada. Here
the real refresh runs at once against the fake instead. Idempotent: an indicator is added once
per unit goal, and a source is fetched only while it has never been.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from .kolada.client import KoladaClient
from .kolada.fake import FakeKolada
from .kolada.series import period_date
from .kolada.services import refresh_source
from .kolada.types import TOTAL, KoladaUnavailable, ValueState
from .suppression import municipality_of_goal
from .models import Administration, Goal, Indicator, KoladaSource, Unit
from .schoolyear import SchoolYear

logger = logging.getLogger(__name__)

MUNICIPALITY_CODE = "1299"
# The demo units Kolada knows, by their id among Kolada's organisational units.
KOLADA_OUS = {
    "Österportskolan": "V15E129900001",
    "Västervångskolan": "V15E129900002",
    "Norreportskolan": "V15E129900003",
    "Källängsskolan": "V15E129900004",
    "Löderups skola": "V15E129900005",
    "Förskolan Solrosen": "V11E129900001",
    "Förskolan Ekorren": "V11E129900002",
    "Förskolan Havsörnen": "V11E129900003",
}
GRUNDSKOLA_GROUP = "G124026"
FORSKOLA_GROUP = "G124027"
LEARNING = "Ökad läsförståelse och läslust"
SAFETY = "Trygghet och studiero"


@dataclass(frozen=True)
class DemoIndicator:
    unit: str
    parent: str  # the administration-wide goal whose unit goal is preferred
    title: str
    kpi: str
    unit_of_measure: str
    step: Decimal  # target = latest value + step (lower is better: minus step)
    group: str
    measures: str
    direction: str = Indicator.Direction.HIGHER


DEMO_INDICATORS = [
    DemoIndicator("Österportskolan", LEARNING, "Meritvärde i åk 9", "N15505", "poäng", Decimal("8"),
                  GRUNDSKOLA_GROUP, "Genomsnittligt meritvärde (17 ämnen) för skolans elever i åk 9, vårterminen."),
    DemoIndicator("Norreportskolan", SAFETY, "Trygghet i åk 5", "N15613", "%", Decimal("4"), GRUNDSKOLA_GROUP,
                  "Andel elever i åk 5 som svarar positivt på ”Jag känner mig trygg i skolan” i elevenkäten."),
    DemoIndicator("Löderups skola", LEARNING, "Elever i åk 9 med godkänt i alla ämnen", "N15419", "%", Decimal("5"),
                  GRUNDSKOLA_GROUP, "Andel elever i åk 9 med lägst betyget E i alla ämnen, vårterminen."),
    DemoIndicator("Förskolan Solrosen", SAFETY, "Barn per årsarbetare", "N11102", "antal", Decimal("0.3"),
                  FORSKOLA_GROUP, "Inskrivna barn per årsarbetare den 15 oktober.", Indicator.Direction.LOWER),
]


def seed_demo_kolada(administration: Administration) -> None:
    """Give the demo units their Kolada ids and the current school year's chain its indicators
    fed from Kolada, with their values fetched from the fake Kolada."""
    units = {unit.name: unit for unit in Unit.objects.filter(administration=administration, name__in=KOLADA_OUS)}
    for name, unit in units.items():
        if not unit.kolada_ou_id:
            unit.kolada_ou_id = KOLADA_OUS[name]
            unit.save()
    school_year = SchoolYear.current()
    planned = []
    for spec in DEMO_INDICATORS:
        goal = _unit_goal(units.get(spec.unit), spec.parent, school_year)
        if goal is None:
            continue
        source = KoladaSource.objects.filter(indicator__goal=goal, indicator__deleted_at__isnull=True,
                                             kpi_id=spec.kpi).first()
        if source is None or source.fetched_at is None:
            planned.append((spec, goal, source))
    if not planned:
        return
    fake = FakeKolada()
    url = fake.start()
    try:
        with KoladaClient(url, min_interval=0) as client:
            for spec, goal, source in planned:
                try:
                    source = source or _create(spec, goal, school_year, client)
                    error = refresh_source(source, client=client).error
                except KoladaUnavailable as unavailable:
                    error = str(unavailable)
                if error:
                    logger.warning("The demo's Kolada indicator %r was not fetched: %s", spec.title, error)
    finally:
        fake.stop()


def _unit_goal(unit: Unit | None, parent_title: str, school_year: SchoolYear) -> Goal | None:
    if unit is None:
        return None
    goals = list(Goal.objects.filter(unit=unit, level=Goal.Level.UNIT, school_year=school_year)
                 .select_related("parent").order_by("pk"))
    preferred = [goal for goal in goals if goal.parent and goal.parent.title == parent_title]
    return (preferred or goals or [None])[0]


def _create(spec: DemoIndicator, goal: Goal, school_year: SchoolYear, client: KoladaClient) -> KoladaSource:
    """The indicator and its source, as the indicator form would save them; the current state is
    Kolada's latest published value for the unit."""
    ou_id = KOLADA_OUS[spec.unit]
    kpi = client.kpis([spec.kpi])[0]
    ou_title = next((ou.title for ou in client.search_ous(MUNICIPALITY_CODE) if ou.id == ou_id), spec.unit)
    group_title = next((g.title for g in client.municipality_groups(member=MUNICIPALITY_CODE) if g.id == spec.group), "")
    latest = _latest(client, spec.kpi, ou_id, school_year)
    baseline_value = baseline_date = target_value = None
    if latest is not None:
        baseline_date, baseline_value = latest
        step = -spec.step if spec.direction == Indicator.Direction.LOWER else spec.step
        target_value = baseline_value + step
    indicator = Indicator(
        goal=goal, title=spec.title, measures=spec.measures, source_kind=Indicator.Source.KOLADA,
        source=f"Kolada, {kpi.id}", unit_of_measure=spec.unit_of_measure, direction=spec.direction,
        baseline_value=baseline_value, baseline_date=baseline_date,
        target_value=target_value, target_date=school_year.end if target_value is not None else None,
    )
    indicator.full_clean()
    indicator.save()
    source = KoladaSource(
        indicator=indicator, kpi_id=kpi.id, kpi_title=kpi.title, divided_by_gender=kpi.is_divided_by_gender,
        level=KoladaSource.Level.UNIT, municipality_id=MUNICIPALITY_CODE,
        municipality_title=municipality_of_goal(goal).name, ou_id=ou_id, ou_title=ou_title,
        gender=KoladaSource.Gender.TOTAL, compare_municipality=True, group_id=spec.group, group_title=group_title,
        compare_country=True,
    )
    source.full_clean()
    source.save()
    return source


def _latest(client: KoladaClient, kpi: str, ou_id: str, school_year: SchoolYear) -> tuple[datetime.date, Decimal] | None:
    """The unit's latest published total up to the school year's start, with its date."""
    published = [v for v in client.ou_data(kpi, [ou_id])
                 if v.gender == TOTAL and v.state == ValueState.PUBLISHED and v.value is not None
                 and v.period <= school_year.start_year]
    if not published:
        return None
    value = max(published, key=lambda v: v.period)
    return period_date(value.period), value.value.quantize(Decimal("0.01"))
