"""The Celery app. Settings come from Django's settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ska.settings")

# Every task derives from ska.celery_task.Task: sending one never fails a saved request.
app = Celery("ska", task_cls="ska.celery_task:Task")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
