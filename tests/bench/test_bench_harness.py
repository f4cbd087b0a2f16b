"""The load benchmark's own parts, without the load generator (its gevent must stay out of the
test process): the results table, the machine's description, and the page mix on a seeded demo,
requested the way bench/locustfile.py requests it (login form, CSRF token, htmx headers)."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

from bench import table
from ska.demo import DEMO_PASSWORD

PAGES = ["unit page", "matrix", "bare"]


def _result(**p50s):
    return {
        "seconds": 50.0,
        "users": 1,
        "pages": {
            name: {"requests": 10, "failures": 1 if name == "matrix" else 0, "p50_ms": p50, "p95_ms": p50 * 2, "rps": 0.2}
            for name, p50 in p50s.items()
        },
        "errors": [{"name": "matrix", "error": "HTTP 500", "count": 1}],
    }


def test_each_page_is_measured_against_the_bare_page_of_the_same_run():
    rows = table.page_rows(_result(**{"unit page": 24, "matrix": 70, "bare": 8}), {"matrix": 12}, PAGES)
    assert [row["page"] for row in rows] == PAGES
    assert rows[0]["ratio"] == pytest.approx(3.0)
    assert rows[1]["ratio"] == pytest.approx(8.75)
    assert rows[1]["queries"] == 12 and rows[0]["queries"] is None
    assert rows[2]["ratio"] == pytest.approx(1.0)


def test_a_page_missing_from_the_run_has_no_ratio():
    rows = table.page_rows(_result(bare=8), {}, PAGES)
    assert rows[0]["requests"] == 0 and rows[0]["ratio"] is None


def test_the_table_shows_latency_throughput_errors_queries_memory_and_flags_slow_pages():
    markdown = table.results_table({1: _result(**{"unit page": 24, "matrix": 70, "bare": 8})}, {"matrix": 12}, PAGES, {1: 412.4})
    assert "### 1 concurrent user\n" in markdown
    assert "30 requests in 50 s (0.6 req/s), 1 errors; peak memory of gunicorn (master + workers): 412 MB." in markdown
    assert "| unit page | 10 | 0 | 24 | 48 | 0.20 | – | 3.0× |" in markdown
    assert "| matrix | 10 | 1 | 70 | 140 | 0.20 | 12 | 8.8× ⚠ |" in markdown
    assert "| bare | 10 | 0 | 8 | 16 | 0.20 | – | 1.0× |" in markdown
    assert "- matrix: HTTP 500 (1×)" in markdown


def test_the_generated_section_replaces_the_previous_one_and_keeps_the_rest():
    def section(text):
        return table.section(machine={"CPU": "x"}, setup={"Date": text}, results={}, queries={}, page_names=[],
                             memory_mb={}, pdf="Pages: 3; pages per second: 1.5")

    document = "# Benchmarks\n\nWritten by hand.\n"
    first = table.replace_section(document, section("first"))
    assert first.startswith(document) and "first" in first and "pages per second: 1.5" in first
    second = table.replace_section(first + "\nAfterword.\n", section("second"))
    assert "first" not in second and "second" in second
    assert second.startswith(document) and second.endswith("Afterword.\n")
    assert second.count(table.BEGIN) == 1 and second.count(table.END) == 1


def test_the_machine_is_described_from_proc(tmp_path):
    (tmp_path / "cpuinfo").write_text("processor\t: 0\nmodel name\t: Test CPU Processor\n\nprocessor\t: 1\nmodel name\t: Test CPU Processor\n")
    (tmp_path / "meminfo").write_text("MemTotal:       8388608 kB\nMemFree: 1 kB\n")
    (tmp_path / "loadavg").write_text("0.50 0.40 0.30 1/100 42\n")
    machine = table.describe_machine(tmp_path)
    assert machine["CPU"] == "Test CPU Processor, 2 cores"
    assert machine["RAM"] == "8.0 GiB"
    assert machine["Load average at start"] == "0.50 / 0.40 / 0.30"


def _log_in(client, plan, username, landing):
    form = client.get(plan["login"])
    token = re.search(plan["patterns"]["login_token"], form.content.decode()).group(1)
    response = client.post(plan["login"], {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and plan["login"] not in response.url, username
    page = client.get(landing)
    assert page.status_code == 200
    return re.search(plan["patterns"]["htmx_token"], page.content.decode()).group(1)


def test_every_page_of_the_mix_answers_its_person_on_the_demo(db, settings):
    from bench.plan import CHECK_IN_COMMENT, PAGES as MIX, build_plan, remove_bench_check_ins
    from ska.models import CheckIn

    settings.ROOT_URLCONF = "bench.urls"
    call_command("seed_demo")
    plan = build_plan(3)
    assert len({person["username"] for person in plan["rectors"]}) == 3
    assert {page["name"] for page in plan["pages"]} == {name for name, *_ in MIX}

    leader = Client(enforce_csrf_checks=True)
    _log_in(leader, plan, plan["leaders"][0], plan["leader_pages"]["matrix"])
    for name, url in plan["leader_pages"].items():
        response = leader.get(url)
        assert response.status_code == 200, name

    for person in plan["rectors"]:
        rector = Client(enforce_csrf_checks=True)
        token = _log_in(rector, plan, person["username"], person["unit page"])
        assert rector.get(person["unit page"]).status_code == 200
        bare = rector.get(plan["bare"])
        assert bare.status_code == 200 and bare.content == b"ok"
        response = rector.post(
            person["check-in save"], plan["check_in_form"],
            headers={"HX-Request": "true", "HX-Target": f"indicator-{person['indicator']}", "X-CSRFToken": token},
        )
        assert response.status_code == 200
        assert f'id="indicator-{person["indicator"]}"' in response.content.decode()
        assert 'class="saved"' in response.content.decode()
        assert CheckIn.objects.filter(indicator_id=person["indicator"], comment=CHECK_IN_COMMENT).count() == 1

    assert remove_bench_check_ins() == 3
    assert not CheckIn.all_objects.filter(comment=CHECK_IN_COMMENT).exists()
    assert not CheckIn.history.model.objects.filter(comment=CHECK_IN_COMMENT).exists()


def test_the_bare_page_needs_a_login_like_every_page(db, settings, client):
    settings.ROOT_URLCONF = "bench.urls"
    response = client.get("/bench/bare/")
    assert response.status_code == 302 and "/konto/logga-in/" in response.url
