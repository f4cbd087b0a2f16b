"""The Celery settings that keep background jobs from being lost, run twice at once or left
stuck, read from the configured app as a worker would see it (in a fresh process, with Redis
as broker, so the embedded defaults of the test run do not hide anything)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from ska.celery import app
c = app.conf
print(json.dumps({
    "broker": c.broker_url,
    "eager": c.task_always_eager,
    "visibility_timeout": c.broker_transport_options.get("visibility_timeout"),
    "time_limit": c.task_time_limit,
    "soft_time_limit": c.task_soft_time_limit,
    "acks_late": c.task_acks_late,
    "reject_on_worker_lost": c.task_reject_on_worker_lost,
    "prefetch": c.worker_prefetch_multiplier,
    "max_tasks_per_child": c.worker_max_tasks_per_child,
    "max_memory_per_child": c.worker_max_memory_per_child,
    "serializer": c.task_serializer,
    "accept": list(c.accept_content),
    "default_queue": c.task_default_queue,
    "pdf_route": app.amqp.router.route({}, "reports.build_document")["queue"].name,
    "mail_route": app.amqp.router.route({}, "ska.tasks.send_email")["queue"].name,
    "publish_retry": c.task_publish_retry_policy,
    "connection_timeout": c.broker_connection_timeout,
    "socket_connect_timeout": c.broker_transport_options.get("socket_connect_timeout"),
}))
"""


def _conf(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "SKA_BROKER", "REDIS_URL"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="ska.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_task_is_acknowledged_after_it_ran_and_given_back_if_its_worker_dies():
    conf = _conf(REDIS_URL="redis://127.0.0.1:6379/9")
    assert conf["broker"].startswith("redis://") and conf["eager"] is False
    assert conf["acks_late"] is True and conf["reject_on_worker_lost"] is True
    assert conf["prefetch"] == 1  # a worker holds one task at a time: no job waits behind a long PDF


def test_the_hard_time_limit_ends_a_task_well_before_redis_hands_it_to_another_worker():
    conf = _conf(REDIS_URL="redis://127.0.0.1:6379/9")
    assert conf["soft_time_limit"] < conf["time_limit"] < conf["visibility_timeout"]
    assert conf["visibility_timeout"] >= 2 * conf["time_limit"]
    # The report builds' own rule for a dead worker acts long before either.
    from django.conf import settings

    assert settings.SKA_REPORT_STALE_SECONDS < conf["soft_time_limit"]


def test_worker_children_are_replaced_before_they_grow_old():
    conf = _conf(REDIS_URL="redis://127.0.0.1:6379/9")
    assert 0 < conf["max_tasks_per_child"] <= 100
    assert 0 < conf["max_memory_per_child"] <= 2 * 1024 * 1024  # KiB


def test_only_json_crosses_the_broker():
    conf = _conf(REDIS_URL="redis://127.0.0.1:6379/9")
    assert conf["serializer"] == "json" and conf["accept"] == ["json"]


def test_without_a_broker_tasks_run_in_process_and_make_run_has_a_real_one():
    assert _conf()["eager"] is True
    conf = _conf(SKA_BROKER="filesystem")
    assert conf["broker"] == "filesystem://" and conf["eager"] is False


def test_report_pdfs_go_to_a_queue_of_their_own_and_everything_else_to_the_default_queue():
    conf = _conf(REDIS_URL="redis://127.0.0.1:6379/9")
    assert conf["pdf_route"] == "ska-pdf" and conf["default_queue"] == "celery"
    assert conf["mail_route"] == "celery"
    conf = _conf(REDIS_URL="redis://127.0.0.1:6379/9", CELERY_QUEUE="kommun-a", CELERY_PDF_QUEUE="kommun-a-pdf")
    assert conf["pdf_route"] == "kommun-a-pdf" and conf["mail_route"] == "kommun-a"


def test_sending_a_task_gives_up_quickly_when_redis_is_down():
    """A request that queues a task must not hang on a broker that is gone: few, short retries."""
    conf = _conf(REDIS_URL="redis://127.0.0.1:6379/9")
    policy = conf["publish_retry"]
    worst = sum(min(policy["interval_start"] + i * policy["interval_step"], policy["interval_max"])
                for i in range(policy["max_retries"]))
    assert policy["max_retries"] <= 3 and worst <= 1.5
    assert conf["connection_timeout"] <= 3 and conf["socket_connect_timeout"] <= 3
