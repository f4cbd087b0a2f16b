"""Shared fixtures: a small organisation, one person per role (plus an outsider), and a
real Celery worker process when a broker is configured."""

import datetime
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client

from ska.celery import app as celery_app
from ska.models import Role

from .clock import set_today
from .processes import database_url, stop
from .kolada_fixtures import kolada_fake, worker_kolada  # noqa: F401
from .factories import AdministrationFactory, ProviderFactory, RoleFactory, UnitFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in the test process unless the test asks for the real worker."""
    if "celery_worker" in request.fixturenames:
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _today_from_the_environment(monkeypatch):
    """``SKA_TEST_TODAY=2026-07-15`` runs the tests on that day (``tests.clock``)."""
    if day := os.environ.get("SKA_TEST_TODAY"):
        set_today(monkeypatch, datetime.date.fromisoformat(day))
    yield


@pytest.fixture(autouse=True)
def _fresh_report_limit():
    """The accessibility form's per-address limit lives in the cache, which is Redis (shared
    by every test and run) in CI: each test starts with the test client's address unused."""
    from django.core.cache import cache

    from ska.views.pages import report_limit_key

    cache.delete(report_limit_key("127.0.0.1"))
    yield


@pytest.fixture
def org(db):
    """Two municipal grundskolor and a förskola, two independent providers with a unit each."""
    administration = AdministrationFactory(name="Utbildningsförvaltningen")
    municipality = administration.municipality
    provider = ProviderFactory(municipality=municipality, name="Friskolan Lyckan AB")
    other_provider = ProviderFactory(municipality=municipality, name="Myrstacken AB")
    return SimpleNamespace(
        municipality=municipality,
        committee=administration.committee,
        administration=administration,
        unit=UnitFactory(name="Österportskolan", administration=administration, forms=["grundskola", "fritidshem"]),
        other_unit=UnitFactory(name="Västervångskolan", administration=administration, forms=["grundskola"]),
        preschool=UnitFactory(name="Förskolan Solrosen", administration=administration, forms=["forskola"]),
        provider=provider,
        provider_unit=UnitFactory(name="Lyckanskolan", administration=None, provider=provider),
        other_provider=other_provider,
        other_provider_unit=UnitFactory(name="Myrstackens förskola", administration=None, provider=other_provider, forms=["forskola"]),
    )


@pytest.fixture
def people(org):
    """One person per role, each scoped to the organisation in ``org``, plus an outsider."""

    def person(username, role=None, **scope):
        user = UserFactory(username=username)
        if role:
            RoleFactory(user=user, role=role, **scope)
        return user

    return SimpleNamespace(
        rector=person("rektor", Role.RECTOR, unit=org.unit),
        other_rector=person("rektor2", Role.RECTOR, unit=org.other_unit),
        contributor=person("forstelarare", Role.CONTRIBUTOR, unit=org.unit, title="Förstelärare"),
        leadership=person("skolchef", Role.LEADERSHIP, administration=org.administration, title="Skolchef"),
        secretary=person("sekreterare", Role.SECRETARY, committee=org.committee),
        member=person("ledamot", Role.MEMBER, committee=org.committee),
        provider_contact=person("fristaende", Role.PROVIDER_CONTACT, provider=org.provider),
        sysadmin=person("admin", Role.SYSADMIN),
        outsider=person("utomstaende"),
    )


@pytest.fixture
def login():
    """``login(user)`` gives a test client logged in as that person."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


# --- A real Celery worker -------------------------------------------------------
@dataclass
class Worker:
    process: subprocess.Popen | None
    mail_dir: Path | None

    @property
    def real(self) -> bool:
        return self.process is not None

    def sent_mail(self, timeout: float = 30.0, expected: int = 1) -> list[str]:
        """The e-mails the worker wrote to its mail folder, waiting for ``expected`` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            files = sorted(self.mail_dir.glob("*.log"))
            if len(files) >= expected:
                time.sleep(0.2)  # let the last one be written whole
                return [f.read_text() for f in sorted(self.mail_dir.glob("*.log"))]
            if self.process.poll() is not None:
                raise RuntimeError("The Celery worker stopped")
            time.sleep(0.2)
        return [f.read_text() for f in sorted(self.mail_dir.glob("*.log"))]


def use_queues(queue: str, pdf_queue: str) -> tuple[str, str]:
    """Send this process's tasks to ``queue``, report builds to ``pdf_queue``; the queues used
    before. Celery builds its router once, so it is built afresh."""
    previous = (celery_app.conf.task_default_queue, celery_app.conf.task_routes["reports.build_document"]["queue"])
    celery_app.conf.task_default_queue = queue
    celery_app.conf.task_routes = {**celery_app.conf.task_routes, "reports.build_document": {"queue": pdf_queue}}
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)
    return previous


@pytest.fixture(scope="session")
def _worker_process(django_db_setup, tmp_path_factory, worker_kolada):
    if not settings.REDIS_URL:
        yield Worker(None, None)
        return
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    # A queue of this test run's own, so that a worker left behind by an earlier, crashed run
    # (with another test database) can never take this run's tasks; the worker sends the tasks
    # it queues itself (a report sweep, say) to it too. Report builds have a queue of their own.
    queue = f"ska-test-{os.getpid()}"
    pdf_queue = f"{queue}-pdf"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"filemail:///{mail_dir}",  # mail_dir is absolute: four slashes
        "CELERY_QUEUE": queue,
        "CELERY_PDF_QUEUE": pdf_queue,
        # The worker's Kolada is a fake of the run's own (tests/kolada_fixtures.py).
        "KOLADA_URL": worker_kolada.url,
        "KOLADA_MIN_INTERVAL": "0",
        "KOLADA_BACKOFF": "0",
    }
    previous_queues = use_queues(queue, pdf_queue)
    log = open(mail_dir.parent / "worker.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ska", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-mingle", "--without-gossip", "-Q", f"{queue},{pdf_queue}", "-n", f"{queue}@%h"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(destination=[f"{queue}@{socket.gethostname()}"], timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"The Celery worker did not start; see {log.name}")
    yield Worker(process, mail_dir)
    use_queues(*previous_queues)
    stop(process)
    log.close()


@pytest.fixture
def celery_worker(_worker_process, transactional_db):
    """A real worker process when REDIS_URL is set (tasks go through Redis to it);
    otherwise tasks run in-process. Tests using it must work either way."""
    if _worker_process.real:
        for mail in _worker_process.mail_dir.glob("*.log"):
            mail.unlink()
    else:
        celery_app.conf.task_always_eager = True
    yield _worker_process
