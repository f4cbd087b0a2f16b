"""A report build survives its worker being killed: a real Celery worker is SIGKILLed in the
middle of a build, a new worker starts, sweeps at startup, and the build completes.

On PostgreSQL + Redis (REDIS_URL set) the workers use Redis; otherwise they use Kombu's
filesystem broker in a temporary folder (as `make run` does), with the SQLite test database.
"""

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.files.storage import default_storage
from pypdf import PdfReader

from reports import tasks
from reports.models import ReportDocument
from reports.services import jobs
from ska.celery import app as celery_app
from tests.conftest import BASE_DIR
from tests.processes import database_url
from tests.factories import YEAR, AdministrationGoalFactory, CheckInFactory, IndicatorFactory, UnitFactory, UnitGoalFactory

STALE_SECONDS = 3
Status = ReportDocument.Status


class ReportWorkers:
    """Starts, kills and stops real Celery workers on a queue of this test's own."""

    def __init__(self, tmp_path: Path, media_root: Path):
        self.queue = f"ska-test-reports-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.log_dir = tmp_path
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(media_root),
            "CELERY_QUEUE": self.queue,
            "CELERY_PDF_QUEUE": self.queue,  # one queue for everything: the sweeps and the builds
            "SKA_REPORT_STALE_SECONDS": str(STALE_SECONDS),
        }
        if settings.REDIS_URL:
            self.broker_url, self.transport_options = settings.REDIS_URL, {}
        else:
            broker_dir = tmp_path / "broker"
            self.env.update(SKA_BROKER="filesystem", SKA_BROKER_DIR=str(broker_dir))
            self.env.pop("REDIS_URL", None)
            self.broker_url = "filesystem://"
            self.transport_options = {
                "data_folder_in": str(broker_dir / "queue"),
                "data_folder_out": str(broker_dir / "queue"),
                "control_folder": str(broker_dir / "control"),
            }
            for folder in ("queue", "control"):
                (broker_dir / folder).mkdir(parents=True, exist_ok=True)
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        number = len(self.processes) + 1
        log_path = self.log_dir / f"worker-{number}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ska", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-mingle", "--without-gossip", "-Q", self.queue, "-n", f"{self.queue}-{number}@%h"],
            cwd=BASE_DIR, env=self.env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
        )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while " ready." not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The Celery worker did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def publish(self, document_id: int) -> None:
        """What ``build_document.delay`` does, to this test's broker and queue."""
        with celery_app.connection_for_write(self.broker_url, transport_options=self.transport_options) as connection:
            celery_app.send_task("reports.build_document", args=[document_id], queue=self.queue, connection=connection)

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.log_dir.glob("worker-*.log")))


@pytest.fixture
def report_workers(transactional_db, tmp_path, settings, monkeypatch):
    # Committed data: pytest-django empties every table between such tests, also the school
    # forms a data migration put there; put them back, by the migration's own function.
    import_module("ska.migrations.0002_school_forms").add_school_forms(django_apps, None)
    settings.MEDIA_ROOT = tmp_path / "media"
    workers = ReportWorkers(tmp_path, settings.MEDIA_ROOT)
    monkeypatch.setattr(tasks.build_document, "delay", workers.publish)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # the tasks go to the workers
    yield workers
    celery_app.conf.task_always_eager = eager
    workers.stop_all()


def _many_units(administration, units: int = 50, goals: int = 4):
    """Enough units for the grundskola report to take several seconds to lay out."""
    admin_goals = [
        AdministrationGoalFactory(administration=administration, title=f"Förvaltningsgemensamt mål {g + 1}")
        for g in range(goals)
    ]
    for u in range(units):
        unit = UnitFactory(administration=administration, name=f"Skola {u + 1:03d}", forms=["grundskola"])
        for g, admin_goal in enumerate(admin_goals):
            goal = UnitGoalFactory(unit=unit, parent=admin_goal, title=f"Mål {g + 1} för {unit.name}")
            for i in range(2):
                indicator = IndicatorFactory(goal=goal, title=f"Indikator {i + 1} för mål {g + 1}")
                CheckInFactory(indicator=indicator, value=Decimal(50 + (u * 7 + g * 3 + i) % 40), group_size=30)


def _wait_for(document_id: int, done, timeout: float, workers: ReportWorkers) -> ReportDocument:
    deadline = time.monotonic() + timeout
    while True:
        document = ReportDocument.objects.get(pk=document_id)
        if done(document):
            return document
        if time.monotonic() > deadline:
            pytest.fail(f"The build is {document.status} after {timeout} s.\n{workers.logs()}")
        time.sleep(0.2)


@pytest.mark.worker
def test_a_build_whose_worker_is_killed_completes_after_a_new_worker_starts(report_workers, org, people):
    _many_units(org.administration)
    first = report_workers.start()
    document = jobs.document_request(
        kind="grundskola", school_year=YEAR, user=people.secretary, administration=org.administration
    )
    running = _wait_for(document.pk, lambda d: d.status == Status.RUNNING and d.progress_done > 0, 60, report_workers)
    assert running.attempts == 1

    report_workers.kill(first)
    killed = ReportDocument.objects.get(pk=document.pk)
    assert killed.status == Status.RUNNING, "the build finished before its worker could be killed: give it more data"
    assert not killed.file

    # The new worker sweeps when it starts (and again once the dead worker's heartbeat is stale).
    report_workers.start()
    document = _wait_for(document.pk, lambda d: d.status in (Status.DONE, Status.FAILED), 120, report_workers)
    assert document.status == Status.DONE, document.error
    assert document.attempts == 2
    stored = default_storage.open(document.file.name, "rb").read()
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    pdf = PdfReader(io.BytesIO(stored))
    assert len(pdf.pages) == document.pages > 1
    assert "Skola 050" in "".join(page.extract_text() for page in pdf.pages)
    assert ReportDocument.objects.count() == 1
