"""Refreshing an indicator's figures from the loopback fake Kolada: check-ins per year with
their source, revised values kept in history, missing values never zero, and the pages when
Kolada cannot be reached."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ska.kolada.services import refresh_source, save_source
from ska.models import CheckIn, KoladaSource, KoladaValue
from tests.factories import IndicatorFactory, UnitGoalFactory as GoalFactory

OSTERPORT = "V15E129900001"
LODERUP = "V15E129900005"


@pytest.fixture
def source(org, people, kolada_fake):
    org.municipality.code = "1299"
    org.municipality.save()
    goal = GoalFactory(unit=org.unit)
    indicator = IndicatorFactory(goal=goal, title="Meritvärde åk 9", source_kind="kolada", unit_of_measure="poäng")
    return save_source(
        indicator=indicator,
        values={"kpi_id": "N15505", "kpi_title": "Elever i åk 9: Genomsnittligt meritvärde", "divided_by_gender": True,
                "level": "ou", "ou_id": OSTERPORT, "ou_title": "Österportskolan", "municipality_id": "1299",
                "gender": "T", "compare_municipality": True, "group_id": "G124026",
                "group_title": "Liknande kommuner grundskola, Ekvalla", "compare_country": True},
        user=people.rector,
    )


def chosen(source) -> dict:
    """What the indicator form would give ``save_source`` for this source as it is."""
    names = ("kpi_id", "kpi_title", "divided_by_gender", "level", "ou_id", "ou_title", "municipality_id", "gender",
             "compare_municipality", "group_id", "group_title", "compare_country")
    return {name: getattr(source, name) for name in names}


def unit_page(indicator) -> str:
    """The unit's page for the school year the indicator's goal belongs to."""
    goal = indicator.goal
    return f"{goal.unit.get_absolute_url()}?lasar={goal.school_year.start_year}"


def fake_value(fake, kpi, entity, period, gender="T"):
    for row in fake.data["data"]:
        if row["kpi"] == kpi and (row.get("ou") or row.get("municipality")) == entity and row["period"] == period:
            return Decimal(str(row["values"][gender])).quantize(Decimal("0.01"))
    raise LookupError


@pytest.mark.django_db(transaction=True)
def test_saving_a_source_fetches_every_year_as_check_ins_with_their_source(source, kolada_fake, org):
    """The fetch runs when the save commits (in-process here, a worker in production)."""
    source.refresh_from_db()
    assert source.fetched_at is not None and not source.unreachable
    check_ins = list(CheckIn.objects.filter(indicator=source.indicator).order_by("date"))
    years = [c.date.year for c in check_ins]
    assert years == list(range(2019, 2026))
    assert all(c.origin == CheckIn.Origin.KOLADA and c.fetched_at == source.fetched_at for c in check_ins)
    assert check_ins[0].value == fake_value(kolada_fake, "N15505", OSTERPORT, 2019)
    assert check_ins[0].date.month == 6 and check_ins[0].date.day == 30
    # Every series is stored: own values per gender, and the municipality, the group and the country.
    series = set(KoladaValue.objects.filter(source=source).values_list("series", flat=True))
    assert series == {"own", "municipality", "group", "country"}
    assert KoladaValue.objects.filter(source=source, series="own", gender="K").count() == 7
    org.unit.refresh_from_db()
    assert org.unit.kolada_ou_id == OSTERPORT  # kept on the unit for the next indicator


@pytest.mark.django_db(transaction=True)
def test_a_revised_value_replaces_the_check_in_and_history_keeps_the_old_one(source, kolada_fake, people, login):
    old = CheckIn.objects.get(indicator=source.indicator, date__year=2024)
    kolada_fake.set_value("N15505", OSTERPORT, 2024, "T", 231.9)
    result = refresh_source(source)
    assert (result.created, result.revised, result.withdrawn) == (0, 1, 0)
    revised = CheckIn.objects.get(pk=old.pk)
    assert revised.value == Decimal("231.90") and revised.version == old.version + 1
    assert revised.fetched_at > old.fetched_at
    history = list(revised.history.order_by("history_date").values_list("value", "history_change_reason"))
    assert history[0][0] == old.value and history[-1] == (Decimal("231.90"), "Revised in Kolada")
    value = KoladaValue.objects.get(source=source, series="own", period=2024, gender="T")
    assert value.value == Decimal("231.9") and value.history.count() == 2

    # Running the refresh again changes nothing and adds no history.
    again = refresh_source(source)
    assert (again.created, again.revised, again.withdrawn) == (0, 0, 0)
    assert revised.history.count() == len(history)

    # The indicator's history shows the revision to the rektor.
    page = login(people.rector).get(reverse("record_history", args=["indikator", source.indicator.pk]))
    text = page.content.decode()
    assert "Reviderat i Kolada" in text
    assert f"{old.value:.2f}".replace(".", ",") in text and "231,90" in text


@pytest.mark.django_db(transaction=True)
def test_missing_and_suppressed_values_are_never_zero(org, people, kolada_fake, login):
    org.municipality.code = "1299"
    org.municipality.save()
    indicator = IndicatorFactory(goal=GoalFactory(unit=org.unit), title="Meritvärde Löderup", source_kind="kolada")
    source = save_source(
        indicator=indicator,
        values={"kpi_id": "N15505", "kpi_title": "Meritvärde", "divided_by_gender": True, "level": "ou",
                "ou_id": LODERUP, "ou_title": "Löderups skola", "municipality_id": "1299", "gender": "T",
                "compare_municipality": False, "group_id": "", "group_title": "", "compare_country": False},
        user=people.rector,
    )
    missing = KoladaValue.objects.get(source=source, series="own", period=2021, gender="T")
    assert missing.value is None and missing.state == "missing"
    assert not CheckIn.objects.filter(indicator=indicator, date__year=2021).exists()
    assert not CheckIn.objects.filter(indicator=indicator, value=0).exists()

    # A value that Kolada withdraws (now suppressed) takes its check-in away, kept in history.
    kolada_fake.set_value("N15505", LODERUP, 2023, "T", None, status="Suppressed")
    result = refresh_source(source)
    assert result.withdrawn == 1
    withdrawn = CheckIn.all_objects.get(indicator=indicator, date__year=2023)
    assert withdrawn.is_deleted and withdrawn.history.first().history_change_reason == "No longer published in Kolada"

    page = login(people.rector).get(unit_page(indicator)).content.decode()
    assert "Saknas" in page  # 2021 in the table of Kolada's values
    assert '<abbr title="Publiceras inte för att skydda enskilda">..</abbr>' in page  # 2023


@pytest.mark.django_db(transaction=True)
def test_with_kolada_unreachable_pages_show_the_stored_values_and_say_so(source, kolada_fake, people, login):
    stored = list(CheckIn.objects.filter(indicator=source.indicator).values_list("value", flat=True))
    fetched_at = KoladaSource.objects.get(pk=source.pk).fetched_at
    kolada_fake.stop()

    result = refresh_source(source)
    assert not result.ok
    source.refresh_from_db()
    assert source.unreachable and source.fetched_at == fetched_at
    assert list(CheckIn.objects.filter(indicator=source.indicator).values_list("value", flat=True)) == stored

    client = login(people.rector)
    page = client.get(unit_page(source.indicator))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Kolada kunde inte nås" in text
    assert f"{stored[-1]:.2f}".replace(".", ",").rstrip("0").rstrip(",") in text

    # Asking for a fetch now still answers at once, and says so again.
    response = client.post(reverse("kolada_refresh", args=[source.indicator.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Kolada kunde inte nås" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_kolada_check_ins_are_kept_by_their_source(source, people, login):
    check_in = CheckIn.objects.filter(indicator=source.indicator).first()
    client = login(people.rector)
    assert client.get(reverse("check_in_edit", args=[check_in.pk])).status_code == 403
    assert client.post(reverse("record_delete", args=["avstamning", check_in.pk])).status_code == 403
    page = client.get(unit_page(source.indicator)).content.decode()
    assert "Källa: Kolada, N15505" in page
    assert reverse("check_in_edit", args=[check_in.pk]) not in page
    # The check-in's own history is readable by those who keep the indicator.
    assert client.get(reverse("record_history", args=["avstamning", check_in.pk])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_only_those_who_keep_the_indicator_may_ask_for_a_fetch(source, people, login):
    url = reverse("kolada_refresh", args=[source.indicator.pk])
    assert login(people.other_rector).post(url).status_code == 404
    assert login(people.member).post(url).status_code in (403, 404)
    assert login(people.rector).post(url).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_year_kolada_no_longer_lists_loses_its_check_in(source, kolada_fake):
    kolada_fake.data["data"] = [
        row for row in kolada_fake.data["data"]
        if not (row["kpi"] == "N15505" and row.get("ou") == OSTERPORT and row["period"] == 2019)
    ]
    result = refresh_source(source)
    assert result.withdrawn == 1
    assert not CheckIn.objects.filter(indicator=source.indicator, date__year=2019).exists()
    value = KoladaValue.objects.get(source=source, series="own", period=2019, gender="T")
    assert value.value is None and value.state == "missing"
    assert value.history.first().history_change_reason == "No longer published in Kolada"


@pytest.mark.django_db(transaction=True)
def test_values_fetched_for_a_figure_since_changed_are_not_stored(source, kolada_fake, people):
    """A fetch that was under way when someone chose another figure stores nothing."""
    from ska.kolada.client import KoladaClient
    from ska.kolada.services import apply, fetch, what_is_fetched

    before = what_is_fetched(source)
    client = KoladaClient()
    stale = fetch(source, client, client)
    KoladaSource.objects.filter(pk=source.pk).update(kpi_id="N15419")
    result = apply(source, stale, fetched_for=before)
    assert not result.ok
    assert KoladaValue.objects.filter(source=source).count() == KoladaValue.objects.filter(source=source).count()
    assert result.created == result.revised == 0


@pytest.mark.django_db(transaction=True)
def test_another_gender_follows_the_stored_values_at_once_even_with_kolada_down(source, kolada_fake, people):
    girls = {v.period: v.value for v in KoladaValue.objects.filter(source=source, series="own", gender="K")}
    kolada_fake.stop()
    values = chosen(source)
    save_source(indicator=source.indicator, values={**values, "gender": "K"}, user=people.rector)
    shown = {c.date.year: c.value for c in CheckIn.objects.filter(indicator=source.indicator)}
    assert shown == {year: value.quantize(Decimal("0.01")) for year, value in girls.items()}
    check_in = CheckIn.objects.get(indicator=source.indicator, date__year=2024)
    assert check_in.history.first().history_change_reason == "The indicator's Kolada figure was changed"
    assert check_in.history.first().history_user == people.rector
    # The reference lines stay, in the new gender.
    source.refresh_from_db()
    assert {series.key for series in source.reference_series()} == {"municipality", "group", "country"}


@pytest.mark.django_db(transaction=True)
def test_check_ins_of_a_removed_source_may_be_changed_by_hand(source, people, login):
    from ska.kolada.services import remove_source

    check_in = CheckIn.objects.filter(indicator=source.indicator).first()
    client = login(people.rector)
    assert client.get(reverse("check_in_edit", args=[check_in.pk])).status_code == 403
    remove_source(indicator=source.indicator, user=people.rector)
    assert client.get(reverse("check_in_edit", args=[check_in.pk])).status_code == 200
    page = client.get(unit_page(source.indicator)).content.decode()
    assert "Kolada, hämtad" in page  # where the values came from is still said


@pytest.mark.django_db(transaction=True)
def test_the_unit_page_runs_the_same_queries_for_one_and_for_many_kolada_indicators(source, people, login, kolada_fake):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(people.rector)
    url = unit_page(source.indicator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    client.get(url)  # sessions, caches
    one = queries()
    values = chosen(source)
    for title in ("Meritvärde flickor", "Meritvärde pojkar", "Meritvärde igen"):
        indicator = IndicatorFactory(goal=source.indicator.goal, title=title, source_kind="kolada")
        save_source(indicator=indicator, values=values, user=people.rector)
    assert KoladaSource.objects.filter(fetched_at__isnull=False).count() == 4
    assert queries() == one


@pytest.mark.django_db(transaction=True)
def test_operators_see_every_source_and_its_latest_fetch_in_the_admin(source, kolada_fake, people, login):
    kolada_fake.stop()
    refresh_source(source)
    url = reverse("admin:ska_koladasource_changelist")
    page = login(people.sysadmin).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "N15505" in text and "Kolada could not be reached" in text
    assert login(people.rector).get(url).status_code in (302, 403)


@pytest.mark.django_db(transaction=True)
def test_a_year_published_again_gets_its_check_in_back(source, kolada_fake):
    kolada_fake.set_value("N15505", OSTERPORT, 2022, "T", None, status="Missing")
    assert refresh_source(source).withdrawn == 1
    kolada_fake.set_value("N15505", OSTERPORT, 2022, "T", 219.5)
    assert refresh_source(source).revised == 1
    check_in = CheckIn.objects.get(indicator=source.indicator, date__year=2022)
    assert check_in.value == Decimal("219.50")
    assert check_in.history.first().history_change_reason == "Published again in Kolada"
    assert CheckIn.all_objects.filter(indicator=source.indicator, date__year=2022).count() == 1
