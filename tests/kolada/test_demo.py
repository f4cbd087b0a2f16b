"""The demo municipality shows indicators fed from Kolada without the internet: the seed fetches
their values from the fake Kolada it runs itself, whatever KOLADA_URL says."""

import pytest
from django.test import Client

from ska.demo import seed_demo
from ska.demo_kolada import DEMO_INDICATORS, KOLADA_OUS
from ska.models import CheckIn, Indicator, KoladaSource, KoladaValue, Municipality, Unit, User
from ska.schoolyear import SchoolYear

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_real_kolada(settings):
    """Nothing listens here: a seed that asked the configured Kolada would find it unreachable."""
    settings.KOLADA_URL = "http://127.0.0.1:9/v3"
    settings.KOLADA_RETRIES = 0


def demo_source(title) -> KoladaSource:
    return KoladaSource.objects.select_related("indicator__goal__unit").get(indicator__title=title)


def test_demo_indicators_are_fed_from_kolada():
    seed_demo()
    assert Municipality.objects.get(name="Ekvalla kommun").code == "1299"
    assert dict(Unit.objects.filter(name__in=KOLADA_OUS).values_list("name", "kolada_ou_id")) == KOLADA_OUS
    current = SchoolYear.current()
    for spec in DEMO_INDICATORS:
        source = demo_source(spec.title)
        indicator = source.indicator
        assert indicator.goal.unit.name == spec.unit and indicator.goal.school_year == current
        assert indicator.source_kind == Indicator.Source.KOLADA and source.kpi_id == spec.kpi
        assert source.fetched_at is not None and not source.last_error and not source.unreachable
        years = {c.date.year for c in CheckIn.objects.filter(indicator=indicator, origin=CheckIn.Origin.KOLADA)}
        assert len(years) >= 5, spec.title
        series = set(source.values.values_list("series", flat=True))
        assert series == {"own", "municipality", "group", "country"}, spec.title
        assert {r.key for r in source.reference_series()} == {"municipality", "group", "country"}
        assert indicator.baseline_value is not None and indicator.target_value is not None

    merit = demo_source("Meritvärde i åk 9")
    assert merit.group_id == "G124026" and merit.municipality_title == "Ekvalla kommun"
    assert merit.ou_title == "Österportskolan"
    latest = CheckIn.objects.filter(indicator=merit.indicator).order_by("-date").first()
    assert merit.indicator.baseline_value == latest.value and merit.indicator.baseline_date == latest.date
    assert merit.indicator.target_value > merit.indicator.baseline_value

    staffing = demo_source("Barn per årsarbetare")
    assert staffing.group_id == "G124027"
    assert staffing.indicator.direction == Indicator.Direction.LOWER
    assert staffing.indicator.target_value < staffing.indicator.baseline_value

    # What Kolada withholds stays empty, never zero: Löderup's girls and boys one year, and a
    # year the municipality's safety figure is missing.
    loderup = demo_source("Elever i åk 9 med godkänt i alla ämnen")
    assert loderup.values.filter(series="own", state=KoladaValue.State.SUPPRESSED, value__isnull=True).exists()
    safety = demo_source("Trygghet i åk 5")
    assert safety.values.filter(series="municipality", state=KoladaValue.State.MISSING, value__isnull=True).exists()


def test_seeding_the_demo_again_adds_and_changes_nothing():
    seed_demo()

    def counts():
        return [model.objects.count() for model in (Indicator, KoladaSource, KoladaValue, CheckIn)] + [
            model.history.count() for model in (Indicator, KoladaSource, KoladaValue, CheckIn, Unit, Municipality)
        ]

    first = counts()
    fetched = dict(KoladaSource.objects.values_list("pk", "fetched_at"))
    seed_demo()
    assert counts() == first
    assert dict(KoladaSource.objects.values_list("pk", "fetched_at")) == fetched


def test_the_rektor_sees_the_source_on_the_unit_page():
    seed_demo()
    unit = Unit.objects.get(name="Österportskolan")
    client = Client()
    client.force_login(User.objects.get(username="rektor"))
    page = client.get(unit.get_absolute_url(), {"lasar": SchoolYear.current().start_year}).content.decode()
    assert "Meritvärde i åk 9" in page
    assert "Källa: Kolada, N15505" in page
    assert "Liknande kommuner grundskola, Ekvalla" in page
