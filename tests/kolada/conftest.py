"""A client of the fake Kolada (the ``kolada_fake`` fixture comes from tests/kolada_fixtures.py)."""

import pytest

from ska.kolada.client import KoladaClient


@pytest.fixture
def kolada(kolada_fake):
    """A client of the fake Kolada, with the test settings (no pause, no backoff)."""
    with KoladaClient() as client:
        yield client
