"""Redis goes away: editing keeps working, a report build says clearly that it is delayed, and
it is built once Redis is back.

A private redis-server (its own port, nothing kept on disk) is the broker and the cache of the
app in this process and of a real Celery worker. The test stops it, edits, asks for a report
PDF, starts it again on the same port, runs the sweeper as Celery beat would, and the worker
(which has waited through the outage) builds the PDF.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from importlib import import_module

import pytest
import redis
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from reports.models import ReportDocument
from reports.services import jobs
from ska.celery import app as celery_app
from ska.forms import AccessibilityReportForm
from ska.schoolyear import SchoolYear
from tests.conftest import BASE_DIR, use_queues
from tests.processes import database_url, free_port, stop
from tests.factories import CheckInFactory, IndicatorFactory, UnitGoalFactory

Status = ReportDocument.Status
DELAYED = "rapporttjänsten går inte att nå just nu"

pytestmark = pytest.mark.skipif(
    not django_settings.REDIS_URL or not shutil.which("redis-server"),
    reason="Needs Redis (REDIS_URL, the PostgreSQL + Redis run of .ci/run) and the redis-server binary "
    "to start a private Redis that the test can stop.",
)


class PrivateRedis:
    def __init__(self, log_path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=open(self.log_path, "a"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.RedisError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start; see {self.log_path}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            stop(self.process)


def _reset_broker_connections(*, close: bool = False) -> None:
    """Celery keeps its connection pools: they are looked up afresh for the broker now set.
    ``close``: close the current one first (Kombu keeps pools per broker address for the whole
    process, so only the private Redis's own pool may be closed)."""
    if close and celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _ping(name: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if celery_app.control.ping(destination=[name], timeout=1):
                return True
        except Exception:  # noqa: BLE001 — the broker is still coming back
            time.sleep(0.5)
    return False


@pytest.fixture
def private_redis(transactional_db, settings, tmp_path):
    # Committed data: put back the school forms a data migration made (emptied between tests).
    import_module("ska.migrations.0002_school_forms").add_school_forms(django_apps, None)
    server = PrivateRedis(tmp_path / "redis.log")
    server.start()
    settings.REDIS_URL = server.url
    settings.CACHES = {"default": {"BACKEND": "ska.cache.ForgivingRedisCache", "LOCATION": server.url}}
    settings.MEDIA_ROOT = tmp_path / "media"
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = server.url
    celery_app.conf.task_always_eager = False
    _reset_broker_connections()
    queue = f"ska-test-redis-down-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    previous_queues = use_queues(queue, f"{queue}-pdf")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": server.url,
        "CELERY_QUEUE": queue,
        "CELERY_PDF_QUEUE": f"{queue}-pdf",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
    }
    worker_log = tmp_path / "worker.log"
    workers: list[subprocess.Popen] = []

    def start_worker() -> None:
        workers.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ska", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-mingle", "--without-gossip", "-Q", f"{queue},{queue}-pdf", "-n", f"{queue}@%h"],
            cwd=BASE_DIR, env=env, stdout=open(worker_log, "a"), stderr=subprocess.STDOUT,
        ))

    server.worker_name = f"{queue}@{socket.gethostname()}"
    server.worker_log = worker_log
    server.workers = workers
    server.start_worker = start_worker
    try:
        start_worker()
        if not _ping(server.worker_name, 60):
            raise RuntimeError(f"The Celery worker did not start:\n{worker_log.read_text()}")
        yield server
    finally:
        for worker in workers:
            stop(worker)
        server.stop()
        use_queues(*previous_queues)
        _reset_broker_connections()  # the private Redis's pool, which may have been rebuilt meanwhile
        celery_app.pool  # noqa: B018 — looked up for the private Redis
        _reset_broker_connections(close=True)
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
        _reset_broker_connections()


def test_with_redis_down_edits_are_saved_and_a_report_waits_for_redis_to_come_back(private_redis, org, people):
    year = SchoolYear.current()
    goal = UnitGoalFactory(unit=org.unit, school_year=year, start_term=year.autumn, end_term=year.spring)
    check_in = CheckInFactory(indicator=IndicatorFactory(goal=goal), value=Decimal("7"), date=year.start)
    rector, secretary = Client(), Client()
    rector.force_login(people.rector)
    secretary.force_login(people.secretary)

    private_redis.stop()

    # Editing goes on: a check-in is corrected.
    response = rector.post(reverse("check_in_edit", args=[check_in.pk]),
                           {"date": year.start.isoformat(), "value": "70", "version": check_in.version},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    check_in.refresh_from_db()
    assert check_in.value == Decimal("70")

    # The accessibility form (its hourly limit is in the cache, its e-mail a task) still takes a report.
    response = Client().post(reverse("accessibility"), {"description": "Knappen syns inte i mörkt läge."})
    assert response.status_code == 302
    assert AccessibilityReportForm._meta.model.objects.filter(description="Knappen syns inte i mörkt läge.").exists()

    # The health check tells the load balancer that the broker is gone.
    assert Client().get("/healthz").status_code == 503

    # A report PDF is asked for: the answer comes, and the page says that the build is delayed.
    started = time.monotonic()
    response = secretary.post("/rapporter/dokument/skapa/",
                              {"school_year": "2025/26", "kind": "grundskola", "administration": org.administration.pk})
    answered_in = time.monotonic() - started
    document = ReportDocument.objects.get()
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    assert document.status == Status.QUEUED and document.is_delayed
    page = secretary.get(document.get_absolute_url()).content.decode()
    assert DELAYED in page
    print(f"A report build asked for with Redis down was answered in {answered_in:.2f} s")

    # Redis comes back on the same port; the worker reconnects. Should it have stopped instead,
    # its supervisor starts it again (compose: restart unless-stopped), as this test does.
    private_redis.start()
    deadline = time.monotonic() + 120
    while not _ping(private_redis.worker_name, 2):
        if private_redis.workers[-1].poll() is not None:
            private_redis.start_worker()
        assert time.monotonic() < deadline, private_redis.worker_log.read_text()
    # The sweeper (Celery beat, every minute) sends the build at once, not after the requeue
    # delay (a restarted worker's own sweep may have been first).
    document.refresh_from_db()
    if document.is_delayed:
        assert jobs.documents_sweep() == [document.pk]
        document.refresh_from_db()
    assert not document.is_delayed

    deadline = time.monotonic() + 120
    while document.status in ReportDocument.ACTIVE and time.monotonic() < deadline:
        time.sleep(0.3)
        document.refresh_from_db()
    assert document.status == Status.DONE, f"{document.status} {document.error}\n{private_redis.worker_log.read_text()}"
    assert document.sha256 and document.attempts == 1
    with default_storage.open(document.file.name, "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == document.sha256
    assert DELAYED not in secretary.get(document.get_absolute_url()).content.decode()
