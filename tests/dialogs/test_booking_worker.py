"""The booking e-mail goes through the real Celery worker (PostgreSQL + Redis run): queued when
the booking commits, sent by the worker with its calendar invitation."""

import email
import email.policy
import time

import pytest
from django.core import mail
from icalendar import Calendar

from dialogs.services import booking

SEPARATOR = "\n" + "-" * 79 + "\n"


def _messages(worker, timeout: float = 60.0) -> list[email.message.EmailMessage]:
    deadline = time.monotonic() + timeout
    while True:
        if not worker.real:
            return [email.message_from_bytes(m.message().as_bytes(), policy=email.policy.default) for m in mail.outbox]
        found = []
        for path in sorted(worker.mail_dir.glob("*.log")):
            for text in path.read_text().split(SEPARATOR):
                if text.strip():
                    found.append(email.message_from_string(text, policy=email.policy.default))
        if found or time.monotonic() > deadline:
            return found
        if worker.process.poll() is not None:
            raise RuntimeError("The Celery worker stopped")
        time.sleep(0.2)


@pytest.mark.worker
def test_the_worker_sends_the_confirmation_with_its_invitation(celery_worker, provider_round, people):
    slot = provider_round.slots[0]
    booking.dialogue_book(dialogue=provider_round.mine, slot=slot, user=people.provider_contact)
    [message] = _messages(celery_worker)
    assert "Kvalitetssamtal VT" in str(message["Subject"])
    assert people.provider_contact.email in str(message["To"])
    [attachment] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == slot.starts_at
    assert str(event["UID"]) == f"dialogue-{provider_round.mine.pk}@ska"
