"""Background jobs of the quality reports: thin wrappers around ``reports.services.jobs``.

A build is queued when the request's transaction commits and claimed by one worker; a message
delivered twice does nothing the second time. When a worker starts, it sweeps at once (and again,
from a timer, once a just-killed worker's heartbeat has had time to go stale), so a build whose worker died
runs again after the restart rather than waiting for Celery beat.
"""

from __future__ import annotations

import logging
import threading

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import DatabaseError, connections

from .services.jobs import document_run, documents_sweep

logger = logging.getLogger(__name__)


@shared_task(name="reports.build_document")
def build_document(document_id: int) -> bool:
    return document_run(document_id)


@shared_task(name="reports.sweep_documents")
def sweep_documents() -> int:
    return len(documents_sweep())


def _sweep_logged() -> None:
    try:
        documents_sweep()
    except DatabaseError:
        logger.exception("Report builds could not be swept when the worker started")


def _sweep_later() -> None:
    try:
        _sweep_logged()
    finally:
        connections.close_all()  # this thread's own connection


@worker_ready.connect
def sweep_when_a_worker_starts(sender=None, **kwargs) -> None:
    _sweep_logged()
    # The second sweep is a timer in this process, not a message with a countdown: a worker
    # holding such a message when Redis goes away stops in Kombu's Redis transport.
    timer = threading.Timer(settings.SKA_REPORT_STALE_SECONDS + 1, _sweep_later)
    timer.daemon = True
    timer.start()
