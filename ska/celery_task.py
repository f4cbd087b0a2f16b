"""The base class of every SKA task: a task queued by a request never fails that request.

A request queues its background work when its transaction commits (``delay_on_commit``). By
then the edit is saved; if Redis cannot be reached, the send gives up within a couple of seconds
(``CELERY_TASK_PUBLISH_RETRY_POLICY``) and is logged, instead of turning a saved edit into an
error page. What happens to the work then is the caller's: a report build stays queued and the
report sweeper sends it once Redis is back (``reports.services.jobs``); an e-mail is not sent.
"""

from __future__ import annotations

import functools
import logging

from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What sending raises when the broker cannot be reached (kombu wraps most of them).
BROKER_ERRORS = (OperationalError, RedisError, OSError)


class Task(DjangoTask):
    def delay_on_commit(self, *args, **kwargs) -> None:
        """Send the task once the transaction commits; if the broker cannot be reached, log it."""
        transaction.on_commit(functools.partial(self.send_or_log, args, kwargs))

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        transaction.on_commit(functools.partial(self.send_or_log, args, kwargs, **options))

    def send_or_log(self, args=None, kwargs=None, **options) -> bool:
        """Send the task now: True if it was sent, False (logged) if the broker cannot be
        reached. Run in-process (no broker), the task's own errors are not caught."""
        if self.app.conf.task_always_eager:
            self._send(args, kwargs, options)
            return True
        try:
            self._send(args, kwargs, options)
        except BROKER_ERRORS:
            logger.exception("Task %s could not be sent: the broker cannot be reached", self.name)
            return False
        return True

    def _send(self, args, kwargs, options) -> None:
        if options:
            self.apply_async(args, kwargs, **options)
        else:
            self.delay(*(args or ()), **(kwargs or {}))
