"""The load generator's script for `make bench` (run by bench/run.py, in a virtualenv of its own:
locust's gevent patches the standard library, so it never runs inside the app or its tests).

Each simulated person logs in twice by the login form, as a rektor (unit page, check-in, the
bare page) and as förvaltningsledning (matrix, equity, annual wheel, dialogue round, reports
list), then works through the mix of pages with a pause of 0.5–1.5 s between them. The counters
start once everybody is logged in (logins are slow by design: password hashing), and the run
stops ``BENCH_MEASURE_SECONDS`` later. The plan (people and URLs) comes from bench/plan.py as
JSON (``BENCH_PLAN``); the results go to ``BENCH_RESULT`` as JSON.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time

import gevent
from gevent.event import Event
from locust import HttpUser, between, events
from locust.clients import HttpSession

PLAN = json.loads(open(os.environ["BENCH_PLAN"], encoding="utf-8").read())
MEASURE_SECONDS = float(os.environ.get("BENCH_MEASURE_SECONDS", "60"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "ska-demo")
LOGIN_TOKEN = re.compile(PLAN["patterns"]["login_token"])
HTMX_TOKEN = re.compile(PLAN["patterns"]["htmx_token"])

_numbers = itertools.count()
_ready = Event()
_logged_in = 0
_window: dict[str, float] = {}


def _everyone_logged_in(environment) -> None:
    """The last person to log in resets the counters and times the measured window."""
    environment.runner.stats.reset_all()
    _window["start"] = time.time()
    _ready.set()

    def stop():
        gevent.sleep(MEASURE_SECONDS)
        _window["end"] = time.time()
        environment.runner.quit()

    gevent.spawn(stop)


class Person(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        global _logged_in
        number = next(_numbers)
        self.rector = PLAN["rectors"][number % len(PLAN["rectors"])]
        self.indicator_target = f"indicator-{self.rector['indicator']}"
        self.leader = HttpSession(self.host, request_event=self.environment.events.request, user=self)
        self.rector_token = self._log_in(self.client, self.rector["username"], self.rector["unit page"])
        self._log_in(self.leader, PLAN["leaders"][number % len(PLAN["leaders"])], PLAN["leader_pages"]["matrix"])
        _logged_in += 1
        if _logged_in == self.environment.runner.target_user_count:
            _everyone_logged_in(self.environment)
        _ready.wait()

    def _log_in(self, session, username: str, landing: str) -> str:
        """The login form, as a browser fills it in; returns the token htmx sends from ``landing``."""
        form = session.get(PLAN["login"], name="login")
        token = LOGIN_TOKEN.search(form.text).group(1)
        with session.post(
            PLAN["login"],
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            catch_response=True,
        ) as response:
            if PLAN["login"] in response.url:
                response.failure(f"login as {username} failed")
                raise RuntimeError(f"Could not log in as {username}")
        page = session.get(landing, name="login")
        return HTMX_TOKEN.search(page.text).group(1)

    def _get(self, session, name: str, url: str) -> None:
        with session.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def unit_page(self):
        self._get(self.client, "unit page", self.rector["unit page"])

    def check_in_save(self):
        headers = {
            "HX-Request": "true",
            "HX-Target": self.indicator_target,
            "HX-Current-URL": self.host + self.rector["unit page"],
            "X-CSRFToken": self.rector_token,
        }
        with self.client.post(
            self.rector["check-in save"], data=PLAN["check_in_form"], headers=headers, name="check-in save",
            allow_redirects=False, catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif f'id="{self.indicator_target}"' not in response.text or 'class="saved"' not in response.text:
                response.failure("check-in not saved")

    def matrix(self):
        self._get(self.leader, "matrix", PLAN["leader_pages"]["matrix"])

    def equity(self):
        self._get(self.leader, "equity", PLAN["leader_pages"]["equity"])

    def annual_wheel(self):
        self._get(self.leader, "annual wheel", PLAN["leader_pages"]["annual wheel"])

    def dialogue_round(self):
        self._get(self.leader, "dialogue round", PLAN["leader_pages"]["dialogue round"])

    def reports_list(self):
        self._get(self.leader, "reports list", PLAN["leader_pages"]["reports list"])

    def bare(self):
        self._get(self.client, "bare", PLAN["bare"])


TASKS = {
    "unit page": Person.unit_page,
    "check-in save": Person.check_in_save,
    "matrix": Person.matrix,
    "equity": Person.equity,
    "annual wheel": Person.annual_wheel,
    "dialogue round": Person.dialogue_round,
    "reports list": Person.reports_list,
    "bare": Person.bare,
}
# Each task as often as its weight (what locust makes of a ``tasks`` dict when it creates the class).
Person.tasks = [TASKS[page["name"]] for page in PLAN["pages"] for _ in range(page["weight"])]


@events.quitting.add_listener
def write_results(environment, **_kwargs):
    end = _window.get("end", time.time())
    seconds = end - _window.get("start", end)
    pages = {}
    for (name, _method), entry in environment.runner.stats.entries.items():
        if name == "login":
            continue
        pages[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5) if entry.num_requests else None,
            "p95_ms": entry.get_response_time_percentile(0.95) if entry.num_requests else None,
            "rps": entry.num_requests / seconds if seconds else 0.0,
        }
    errors = [
        {"name": error.name, "error": str(error.error), "count": error.occurrences}
        for error in environment.runner.stats.errors.values()
    ]
    with open(os.environ["BENCH_RESULT"], "w", encoding="utf-8") as out:
        json.dump({"seconds": seconds, "users": environment.runner.target_user_count, "pages": pages, "errors": errors},
                  out, indent=1)
