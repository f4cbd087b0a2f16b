"""The database goes away: a friendly 503 page, /healthz 503, nothing half-saved, and the app
serves again as soon as the database is back, without a restart.

The real test runs the app in gunicorn against the test PostgreSQL through a loopback TCP proxy
(``tests/tcp_proxy.py``) and cuts the proxy in the middle of a check-in's save, at the moment
the app writes the check-in's history row. The machine's PostgreSQL is never touched.
"""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, OperationalError, connection
from django.test import Client
from django.urls import path, reverse

from ska.models import CheckIn
from ska.schoolyear import SchoolYear

from ..factories import CheckInFactory, IndicatorFactory, UnitGoalFactory
from ..processes import database_url, free_port, stop
from ..tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
FRIENDLY = "SKA går inte att nå just nu"


# --- The error page itself (any database) -----------------------------------------
@login_not_required
def _lost(request):
    raise OperationalError("server closed the connection unexpectedly")


@login_not_required
def _bug(request):
    raise IntegrityError("duplicate key value violates unique constraint")


urlpatterns = [path("lost/", _lost), path("bug/", _bug)]
handler500 = "ska.views.errors.server_error"


@pytest.mark.urls(__name__)
def test_a_lost_database_gives_the_friendly_503_page_and_a_bug_the_500_page(db):
    client = Client(raise_request_exception=False)
    response = client.post("/lost/")
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    assert FRIENDLY in page and "Kontrollera det och skicka" in page
    assert 'lang="sv"' in page
    response = client.post("/bug/")
    assert response.status_code == 500 and FRIENDLY not in response.content.decode()


# --- The real outage (PostgreSQL) -------------------------------------------------
class Server:
    """The app in gunicorn, spoken to over HTTP with a logged-in person's session cookie."""

    def __init__(self, port: int, cookies: dict[str, str]):
        self.port = port
        self.cookies = cookies

    def request(self, method: str, url: str, form: dict | None = None, *, anonymous=False) -> tuple[int, dict, str]:
        """The status, headers and body; ``anonymous``: without the cookies (a load balancer)."""
        from urllib.parse import urlencode

        headers = {}
        if not anonymous:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, url, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            conn.close()


@pytest.fixture
def postgres_proxy(transactional_db):
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("The outage is made by cutting a TCP proxy in front of PostgreSQL; SQLite is a file, not a "
                    "server that can go away. The PostgreSQL run (.ci/run) runs this test.")
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    yield proxy
    proxy.down()


@pytest.fixture
def app_server(postgres_proxy, people, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "SKA_BROKER", "CELERY_"))}
    env.update(
        DATABASE_URL=database_url(port=postgres_proxy.port),
        CONN_MAX_AGE="60",  # as in production: a kept connection must notice the outage and recover
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="ska.settings",
    )
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ska.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    client = Client()
    client.force_login(people.rector)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
               "csrftoken": secrets.token_hex(16)}
    server = Server(port, cookies)
    deadline = time.monotonic() + 60
    while True:
        try:
            if server.request("GET", "/healthz", anonymous=True)[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"gunicorn did not start; see {log.name}")
        time.sleep(0.2)
    yield server
    stop(process)
    log.close()


def test_database_lost_during_a_save_gives_503_saves_nothing_and_recovers(org, people, app_server, postgres_proxy):
    year = SchoolYear.current()
    goal = UnitGoalFactory(unit=org.unit, school_year=year, start_term=year.autumn, end_term=year.spring)
    check_in = CheckInFactory(indicator=IndicatorFactory(goal=goal), value=Decimal("7"), date=year.start)
    history_before = check_in.history.count()
    edit = reverse("check_in_edit", args=[check_in.pk])
    status, _headers, page = app_server.request("GET", edit)
    assert status == 200 and "csrfmiddlewaretoken" in page  # through the proxy, the page works

    # The database goes away while the save runs: the check-in's UPDATE has gone through, its
    # history row is being written.
    postgres_proxy.cut_when(b'INSERT INTO "ska_historicalcheckin"')
    form = {"date": year.start.isoformat(), "value": "70", "version": check_in.version}
    status, headers, page = app_server.request("POST", edit, form)
    assert postgres_proxy.was_cut.is_set()
    assert status == 503 and headers["Retry-After"].isdigit()
    assert FRIENDLY in page and "Kontrollera det och skicka" in page

    # While it is away (connections refused): the health check and every page say 503, also
    # where the session and the person are read by middleware.
    status, _headers, body = app_server.request("GET", "/healthz", anonymous=True)
    assert status == 503 and '"database": "error"' in body
    status, _headers, page = app_server.request("GET", reverse("unit_detail", args=[org.unit.pk]))
    assert status == 503 and FRIENDLY in page and "Kontrollera det och skicka" not in page

    # Nothing of the save was kept.
    check_in.refresh_from_db()
    assert check_in.value == Decimal("7") and check_in.history.count() == history_before

    # The database is back: the same server answers again, and the save goes through.
    postgres_proxy.up()
    status, _headers, body = app_server.request("GET", "/healthz", anonymous=True)
    assert status == 200 and '"database": "ok"' in body
    assert app_server.request("GET", reverse("unit_detail", args=[org.unit.pk]))[0] == 200
    status, _headers, _page = app_server.request("POST", edit, form)
    assert status in (200, 302)
    check_in.refresh_from_db()
    assert check_in.value == Decimal("70") and check_in.history.count() == history_before + 1
    assert CheckIn.objects.filter(indicator=check_in.indicator).count() == 1
