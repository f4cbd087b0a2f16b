"""The refresh jobs through Celery: the fetch a save asks for, and the weekly job that finds a
revised value. With REDIS_URL set (the PostgreSQL + Redis run) a real worker process does the
work against the run's fake Kolada; otherwise the tasks run in this process."""

import time
from decimal import Decimal

import pytest

from ska.kolada.services import save_source
from ska.kolada.tasks import refresh_all_task
from ska.models import CheckIn, KoladaSource
from tests.factories import IndicatorFactory, UnitGoalFactory

SOLROSEN = "V11E129900001"


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_the_weekly_job_brings_a_revised_value_into_the_check_in(org, people, settings, celery_worker, worker_kolada):
    settings.KOLADA_URL = worker_kolada.url
    settings.KOLADA_MIN_INTERVAL = 0
    org.municipality.code = "1299"
    org.municipality.save()
    indicator = IndicatorFactory(goal=UnitGoalFactory(unit=org.preschool), title="Barn per årsarbetare", source_kind="kolada")
    source = save_source(
        indicator=indicator,
        values={"kpi_id": "N11102", "kpi_title": "Barn per årsarbetare", "divided_by_gender": False, "level": "ou",
                "ou_id": SOLROSEN, "ou_title": "Förskolan Solrosen", "municipality_id": "1299", "gender": "T",
                "compare_municipality": True, "group_id": "G124027", "group_title": "Liknande kommuner förskola",
                "compare_country": True},
        user=people.rector,
    )
    # The fetch the save asked for (sent when the save committed).
    assert wait_for(lambda: KoladaSource.objects.get(pk=source.pk).fetched_at is not None)
    assert CheckIn.objects.filter(indicator=indicator, origin="kolada").count() == 7

    worker_kolada.set_value("N11102", SOLROSEN, 2025, "T", 4.1)
    refresh_all_task.delay()
    assert wait_for(lambda: CheckIn.objects.filter(indicator=indicator, date__year=2025, value=Decimal("4.10")).exists())
    check_in = CheckIn.objects.get(indicator=indicator, date__year=2025)
    assert check_in.history.first().history_change_reason == "Revised in Kolada"
    assert check_in.history.count() == 2
