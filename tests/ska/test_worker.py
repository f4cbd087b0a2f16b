"""Background jobs through a real Celery worker process (when REDIS_URL is set)."""

import email
import email.policy
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ..factories import UserFactory


def _messages(worker):
    if not worker.real:
        return [(m.subject, m.to, m.body) for m in mail.outbox]
    parsed = []
    for text in worker.sent_mail(expected=1):
        message = email.message_from_string(text.split("\n" + "-" * 79)[0], policy=email.policy.default)
        parsed.append((str(message["Subject"]), [str(message["To"])], message.get_content()))
    return parsed


@pytest.mark.worker
def test_password_reset_mail_goes_through_the_worker(celery_worker):
    UserFactory(username="karin", email="karin@ekvalla.example")
    response = Client().post(reverse("password_reset"), {"email": "karin@ekvalla.example"})
    assert response.status_code == 302
    messages = _messages(celery_worker)
    assert len(messages) == 1
    subject, to, body = messages[0]
    assert subject == "Nytt lösenord till SKA"
    assert to == ["karin@ekvalla.example"]
    assert re.search(r"/konto/aterstall/[\w-]+/[\w-]+/", body)


@pytest.mark.worker
def test_accessibility_report_is_mailed_by_the_worker(celery_worker, settings):
    response = Client().post(reverse("accessibility"), {"description": "Kontrasten i tabellen är för låg."})
    assert response.status_code == 302
    (subject, to, body), = _messages(celery_worker)
    assert to == [settings.ACCESSIBILITY_CONTACT_EMAIL]
    assert "Kontrasten i tabellen" in body
