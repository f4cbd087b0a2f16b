"""The fake Kolada itself: Kolada's answer format and paging, its dataset, what tests can change,
and the management command that serves it."""

import subprocess
import sys
from pathlib import Path
from statistics import mean

import requests

from ska.kolada.fake import DATA_FILE, FakeKolada, load_data
from tests.processes import free_port, stop

BASE_DIR = Path(__file__).resolve().parents[2]


def get(fake, path, **kwargs):
    return requests.get(fake.url + path, timeout=5, **kwargs)


def test_a_list_answer_pages_with_links_to_the_host_asked(kolada_fake):
    first = get(kolada_fake, "/kpi?title=elever&per_page=2", headers={"Host": "kolada.example:8080"}).json()
    assert first["count"] == 6 and len(first["values"]) == 2
    assert first["next_page"] == "http://kolada.example:8080/v3/kpi?title=elever&per_page=2&page=2"
    assert "previous_page" not in first
    last = get(kolada_fake, "/kpi?title=elever&per_page=2&page=3").json()
    assert "next_page" not in last
    assert last["previous_page"] == f"{kolada_fake.url}/kpi?title=elever&per_page=2&page=2"
    titles = [k["title"] for k in first["values"] + last["values"]]
    assert all("elever" in t.lower() for t in titles)


def test_by_id_and_filters(kolada_fake):
    kpis = get(kolada_fake, "/kpi/N15505,N11102").json()["values"]
    assert {k["id"] for k in kpis} == {"N15505", "N11102"}
    assert set(kpis[0]) >= {"id", "title", "description", "is_divided_by_gender", "has_ou_data",
                            "municipality_type", "operating_area", "publication_date"}
    units = get(kolada_fake, "/ou?municipality=1299&title=förskolan").json()["values"]
    assert {u["title"] for u in units} == {"Förskolan Solrosen", "Förskolan Ekorren", "Förskolan Havsörnen"}
    (group,) = get(kolada_fake, "/municipality_groups/G124027").json()["values"]
    assert {"id": "1299", "title": "Ekvalla"} in group["members"]


def test_errors(kolada_fake):
    assert get(kolada_fake, "/nothing").status_code == 404
    assert get(kolada_fake, "/kpi/N00000").status_code == 404
    assert "error" in get(kolada_fake, "/kpi/N00000").json()
    assert get(kolada_fake, "/kpi?per_page=5001").status_code == 400
    assert get(kolada_fake, "/kpi?page=0").status_code == 400
    assert get(kolada_fake, "/data/kpi/N15505/municipality/1299/year/last").status_code == 400
    assert requests.get(kolada_fake.url.removesuffix("/v3") + "/v2/kpi", timeout=5).status_code == 404


def test_data_for_lists_of_municipalities_and_years(kolada_fake):
    body = get(kolada_fake, "/data/kpi/N15505/municipality/1299,0000/year/2024,2025").json()
    assert [(r["municipality"], r["period"]) for r in body["values"]] == [
        ("1299", 2024), ("1299", 2025), ("0000", 2024), ("0000", 2025)]
    assert {v["gender"] for v in body["values"][0]["values"]} == {"T", "K", "M"}
    assert set(body["values"][0]["values"][0]) == {"gender", "count", "status", "value"}
    every_year = get(kolada_fake, "/data/kpi/N11102/municipality/1299").json()["values"]
    assert [r["period"] for r in every_year] == list(range(2019, 2026))
    ou = get(kolada_fake, "/oudata/kpi/N11102/ou/V11E129900001/year/2025").json()["values"]
    assert ou[0]["ou"] == "V11E129900001" and ou[0]["values"][0]["gender"] == "T"


def test_set_value_fail_next_and_the_requests_served(kolada_fake):
    kolada_fake.set_value("N15505", "V15E129900001", 2026, "T", 233.3)
    (row,) = get(kolada_fake, "/oudata/kpi/N15505/ou/V15E129900001/year/2026").json()["values"]
    assert row["values"] == [{"gender": "T", "count": 1, "status": "", "value": 233.3}]
    kolada_fake.set_value("N15505", "V15E129900001", 2026, "T", None, status="Suppressed")
    (row,) = get(kolada_fake, "/oudata/kpi/N15505/ou/V15E129900001/year/2026").json()["values"]
    assert row["values"] == [{"gender": "T", "count": 0, "status": "Suppressed", "value": None}]

    kolada_fake.fail_next(2, status=429)
    assert [get(kolada_fake, "/kpi").status_code for _ in range(3)] == [429, 429, 200]
    assert kolada_fake.requests[-1] == "/v3/kpi"
    assert len(kolada_fake.requests) == 5


def test_each_fake_has_its_own_copy_of_the_data():
    with FakeKolada() as one, FakeKolada() as other:
        one.set_value("N11102", "1299", 2025, "T", 9.9)
        assert get(other, "/data/kpi/N11102/municipality/1299/year/2025").json()["values"][0]["values"][0]["value"] != 9.9
    assert FakeKolada().data == load_data()


def test_the_dataset():
    assert DATA_FILE.stat().st_size < 60 * 1024
    data = load_data()
    municipalities = {m["id"]: m for m in data["municipalities"]}
    assert municipalities["1299"]["title"] == "Ekvalla" and municipalities["0000"]["title"] == "Riket"
    kpis = {k["id"]: k for k in data["kpis"]}
    rows = {(r["kpi"], r.get("municipality") or r["ou"], r["period"]): r for r in data["data"]}
    for group in data["municipality_groups"]:
        assert set(group["members"]) <= set(municipalities)
    for (kpi, entity, period), row in rows.items():
        genders = {"T", "K", "M"} if kpis[kpi]["is_divided_by_gender"] else {"T"}
        assert set(row["values"]) == genders
        group = next((g for g in data["municipality_groups"] if g["id"] == entity), None)
        if group:  # an unweighted mean of the members that have a value
            for gender, value in row["values"].items():
                members = [rows[(kpi, m, period)]["values"][gender] for m in group["members"]]
                members = [v for v in members if v is not None]
                assert abs(value - mean(members)) <= 0.051 and row["count"] == len(members)
    assert rows[("N15505", "V15E129900005", 2021)]["status"] == {"T": "Missing", "K": "Missing", "M": "Missing"}
    assert rows[("N15419", "V15E129900005", 2023)]["status"] == {"K": "Suppressed", "M": "Suppressed"}
    assert rows[("N15613", "1299", 2020)]["values"] == {"T": None, "K": None, "M": None}


def test_the_management_command_serves_it():
    port = free_port()
    process = subprocess.Popen([sys.executable, "manage.py", "fake_kolada", "--port", str(port)], cwd=BASE_DIR,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == f"Fake Kolada serving at http://127.0.0.1:{port}/v3"
        answer = requests.get(f"http://127.0.0.1:{port}/v3/municipality/1299", timeout=5).json()
        assert answer["values"] == [{"id": "1299", "title": "Ekvalla", "type": "K"}]
    finally:
        stop(process)
