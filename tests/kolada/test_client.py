"""The Kolada client against the fake Kolada: a real HTTP server on loopback."""

import threading
import time
from decimal import Decimal

import pytest

from ska.kolada.client import KoladaClient
from ska.kolada.types import COUNTRY, FEMALE, MALE, TOTAL, KoladaUnavailable, ValueState

EKVALLA = "1299"
GROUP = "G124026"  # Liknande kommuner grundskola, Ekvalla
OSTERPORT, LODERUP = "V15E129900001", "V15E129900005"


def test_search_kpis_by_title_and_by_id(kolada):
    found = kolada.search_kpis("MERITVÄRDE")
    assert {k.id for k in found} == {"N15505", "N15503"}
    (kpi,) = kolada.search_kpis("n15505")
    assert kpi.title == "Elever i åk 9: Genomsnittligt meritvärde (17 ämnen), hemkommun"
    assert kpi.is_divided_by_gender and kpi.has_ou_data and kpi.operating_area == "Grundskola"
    assert {k.id for k in kolada.kpis(["N11102", "N15034"])} == {"N11102", "N15034"}
    assert kolada.search_kpis("N99999") == []  # 404 for an unknown id: nothing, not an error
    assert kolada.search_kpis("  ") == []


@pytest.mark.parametrize("bad", ["N15505/../municipality", "..", "N15505?x=1", "N 15505", ""])
def test_an_id_that_is_not_letters_and_digits_never_reaches_a_path(kolada, kolada_fake, bad):
    with pytest.raises(ValueError):
        kolada.kpis([bad])
    with pytest.raises(ValueError):
        kolada.ou_data("N15505", [bad])
    assert kolada_fake.requests == []


def test_municipalities(kolada):
    assert kolada.municipality(EKVALLA).title == "Ekvalla"
    assert kolada.municipality(COUNTRY).title == "Riket"
    assert kolada.municipality("9999") is None
    assert [m.id for m in kolada.municipalities("ystad")] == ["1286"]


def test_groups_containing_a_municipality(kolada):
    groups = kolada.municipality_groups(member=EKVALLA)
    assert {g.id for g in groups} == {"G124026", "G124027"}
    group = next(g for g in groups if g.id == GROUP)
    assert group.title == "Liknande kommuner grundskola, Ekvalla"
    assert EKVALLA in {m.id for m in group.members} and 4 <= len(group.members) <= 6
    assert {m.title for m in group.members} >= {"Ekvalla", "Ystad"}
    assert len(kolada.municipality_groups()) == 3
    assert [g.id for g in kolada.municipality_groups(title="ystad")] == ["G124031"]


def test_search_ous_by_municipality_and_title(kolada):
    assert {ou.title for ou in kolada.search_ous(EKVALLA, "PORT")} == {"Österportskolan", "Norreportskolan"}
    units = kolada.search_ous(EKVALLA)
    assert len(units) == 8 and {ou.municipality for ou in units} == {EKVALLA}
    assert {ou.title for ou in kolada.search_ous("1286")} == {"Edvinshemsskolan", "Förskolan Regnbågen"}


def test_data_for_municipality_group_and_country_in_one_call(kolada, kolada_fake):
    values = kolada.data("N15505", [EKVALLA, GROUP, COUNTRY], [2023, 2024])
    assert len(kolada_fake.requests) == 1
    assert "/data/kpi/N15505/municipality/1299,G124026,0000/year/2023,2024?" in kolada_fake.requests[0]
    assert {(v.entity, v.period, v.gender) for v in values} == {
        (e, y, g) for e in (EKVALLA, GROUP, COUNTRY) for y in (2023, 2024) for g in (TOTAL, FEMALE, MALE)}
    assert all(isinstance(v.value, Decimal) and v.state == ValueState.PUBLISHED for v in values)
    # The group's value is the mean of its members' values, and says how many there were.
    (group,) = [g for g in kolada.municipality_groups(member=EKVALLA) if g.id == GROUP]
    member_values = kolada.data("N15505", [m.id for m in group.members], [2024])
    totals = [v.value for v in member_values if v.gender == TOTAL]
    (group_total,) = [v for v in values if v.entity == GROUP and v.period == 2024 and v.gender == TOTAL]
    assert group_total.value == round(sum(totals) / len(totals), 1)
    assert group_total.count == len(group.members)


def test_all_years_when_none_are_given(kolada):
    values = kolada.data("N15034", [EKVALLA])
    assert sorted(v.period for v in values) == list(range(2019, 2026))
    assert {v.gender for v in values} == {TOTAL}  # not divided by gender


def test_ou_data_with_genders(kolada):
    values = kolada.ou_data("N15505", [OSTERPORT, LODERUP], [2024])
    assert {(v.entity, v.gender) for v in values} == {(ou, g) for ou in (OSTERPORT, LODERUP) for g in "TKM"}
    by_gender = {v.gender: v.value for v in values if v.entity == OSTERPORT}
    assert by_gender[FEMALE] > by_gender[MALE]


def test_missing_and_suppressed_are_none_never_zero(kolada):
    missing = kolada.ou_data("N15505", [LODERUP], [2021])
    assert len(missing) == 3
    assert all(v.value is None and v.status == "Missing" and v.state == ValueState.MISSING for v in missing)

    suppressed = {v.gender: v for v in kolada.ou_data("N15419", [LODERUP], [2023])}
    assert suppressed[TOTAL].state == ValueState.PUBLISHED and suppressed[TOTAL].value > 0
    for gender in (FEMALE, MALE):
        assert suppressed[gender].value is None and suppressed[gender].state == ValueState.SUPPRESSED

    # A municipality without a value one year; its group's mean is over the other members.
    values = {v.entity: v for v in kolada.data("N15613", [EKVALLA, GROUP], [2020]) if v.gender == TOTAL}
    assert values[EKVALLA].value is None and values[EKVALLA].state == ValueState.MISSING
    assert values[GROUP].value is not None and values[GROUP].count == 4


def test_a_revised_value_is_read_exactly(kolada_fake):
    kolada_fake.set_value("N15505", EKVALLA, 2025, TOTAL, 231.7)
    (value,) = [v for v in KoladaClient(use_cache=False).data("N15505", [EKVALLA], [2025]) if v.gender == TOTAL]
    assert value.value == Decimal("231.7")


def test_paging_follows_next_page(kolada_fake):
    units = KoladaClient(per_page=2).search_ous(EKVALLA)
    assert len(units) == 8 and len({ou.id for ou in units}) == 8
    assert len(kolada_fake.requests) == 4
    assert all("per_page=2" in path for path in kolada_fake.requests)
    assert all(f"page={n}" in kolada_fake.requests[n - 1] for n in (2, 3, 4))


def test_next_page_on_another_server_is_refused(kolada_fake):
    kolada_fake.link_base = "http://127.0.0.2:9/v3"
    with pytest.raises(KoladaUnavailable, match="another server"):
        KoladaClient(per_page=2).search_ous(EKVALLA)
    assert len(kolada_fake.requests) == 1


def test_metadata_is_cached_unless_told_not_to(kolada, kolada_fake):
    first = kolada.search_kpis("meritvärde")
    assert kolada.search_kpis("meritvärde") == first
    assert len(kolada_fake.requests) == 1
    assert KoladaClient(use_cache=False).search_kpis("meritvärde") == first
    assert len(kolada_fake.requests) == 2


def test_values_are_cached_briefly_and_not_without_the_cache(kolada, kolada_fake):
    before = kolada.data("N15505", [EKVALLA], [2025])
    kolada_fake.set_value("N15505", EKVALLA, 2025, TOTAL, 240.0)
    assert kolada.data("N15505", [EKVALLA], [2025]) == before  # the cached answer
    fresh = KoladaClient(use_cache=False).data("N15505", [EKVALLA], [2025])
    assert [v.value for v in fresh if v.gender == TOTAL] == [Decimal("240.0")]
    assert len(kolada_fake.requests) == 2


def test_retries_after_errors(kolada, kolada_fake):
    kolada_fake.fail_next(2)
    assert kolada.municipality(EKVALLA).title == "Ekvalla"
    assert len(kolada_fake.requests) == 3


def test_gives_up_after_the_retries(kolada_fake):
    kolada_fake.fail_next(10, status=502)
    with pytest.raises(KoladaUnavailable, match="HTTP 502"):
        KoladaClient(retries=3).municipalities()
    assert len(kolada_fake.requests) == 4


def test_a_client_error_is_not_retried(kolada_fake):
    kolada_fake.fail_next(1, status=400)
    with pytest.raises(KoladaUnavailable, match="HTTP 400"):
        KoladaClient().municipalities()
    assert len(kolada_fake.requests) == 1


def test_stopped_server_is_unavailable_quickly(kolada_fake):
    kolada_fake.stop()
    started = time.monotonic()
    with pytest.raises(KoladaUnavailable, match="could not be reached"):
        KoladaClient(timeout=1).search_kpis("meritvärde")
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("body, reason", [
    ("<html><body>Maintenance</body></html>", "not JSON"),
    ('{"count": 0}', "no values"),
    ('{"count": 1, "values": [{"id": "N15505"}]}', "lacks title"),
    ('{"count": 1, "values": [{"kpi": "N1", "municipality": "1299", "period": 2024, '
     '"values": [{"gender": "T", "value": "12,5"}]}]}', "not a number"),
])
def test_a_body_that_is_not_koladas_json_is_unavailable(kolada_fake, body, reason):
    kolada_fake.fail_next(2, status=200, body=body)
    client = KoladaClient()
    with pytest.raises(KoladaUnavailable, match=reason):
        client.search_kpis("skola") if "period" not in body else client.data("N1", [EKVALLA])


def test_requests_are_spaced_out_across_threads(kolada_fake):
    """The pause is kept process-wide, whichever client and thread asks."""
    started = time.monotonic()
    threads = [threading.Thread(target=KoladaClient(min_interval=0.2, use_cache=False).municipality, args=(EKVALLA,))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(kolada_fake.requests) == 3
    assert time.monotonic() - started >= 0.4


def test_a_wrong_address_for_data_is_an_error_not_an_empty_answer(kolada_fake):
    """A 404 means "no such id" only where an id is looked up; for data it means the address
    is wrong, and a refresh must then say Kolada could not be reached, not store nothing."""
    client = KoladaClient(kolada_fake.url.replace("/v3", "/v9"), min_interval=0, backoff=0)
    with pytest.raises(KoladaUnavailable):
        client.ou_data("N15505", [OSTERPORT])
    with pytest.raises(KoladaUnavailable):
        client.data("N15505", [EKVALLA])
