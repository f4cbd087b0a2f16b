"""Background jobs of the core. Thin: each loads what it needs and calls one function."""

from celery import shared_task
from django.core.mail import EmailMessage


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, subject: str, body: str, to: list[str], from_email: str | None = None) -> None:
    """Send one plain-text e-mail. Retries only on network and mail-server trouble (OSError), a bounded number of times."""
    EmailMessage(subject=subject, body=body, to=to, from_email=from_email).send()


# Celery finds the tasks of installed apps in their `tasks` modules; Kolada's live in ska.kolada.
from .kolada import tasks as kolada_tasks  # noqa: E402

__all__ = ["send_email", "kolada_tasks"]
