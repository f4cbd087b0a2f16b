"""The fake Kolada as a fixture for every test folder (registered in tests/conftest.py)."""

import uuid

import pytest

from ska.kolada.fake import FakeKolada


@pytest.fixture
def kolada_fake(settings):
    """A fake Kolada on a free loopback port, with KOLADA_URL pointing at it, no pause between
    requests and no backoff. The cache gets a key prefix of its own: it may be a Redis shared
    with other runs, where a port used before could find answers cached then."""
    fake = FakeKolada()
    settings.KOLADA_URL = fake.start()
    settings.KOLADA_MIN_INTERVAL = 0
    settings.KOLADA_BACKOFF = 0
    settings.KOLADA_CACHE_SECONDS = 300  # what a test leaves in a shared Redis soon goes
    settings.CACHES = {name: {**config, "KEY_PREFIX": f"test-kolada-{uuid.uuid4().hex}"}
                       for name, config in settings.CACHES.items()}
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def worker_kolada():
    """The fake Kolada that the real Celery worker of the run talks to (its KOLADA_URL is set
    when it starts). Tests that use it with ``celery_worker`` point this process at it too."""
    fake = FakeKolada()
    fake.start()
    yield fake
    fake.stop()
