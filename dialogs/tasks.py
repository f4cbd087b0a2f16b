"""Background jobs of the quality dialogues: thin wrappers that load rows and call one service.

Booking e-mails are queued after the booking's transaction commits. A job that runs twice sends
its e-mail twice (a calendar program treats the repeated invitation as the same meeting: same
UID and SEQUENCE); it never changes data.
"""

from __future__ import annotations

from celery import shared_task

from ska.models import User

from .models import Dialogue, Slot
from .services import mail


@shared_task(name="dialogs.send_booking_mail")
def send_booking_mail(dialogue_id: int, change: str, previous_slot_id: int | None, actor_id: int | None) -> bool:
    dialogue = Dialogue.all_objects.select_related("round__administration", "slot", "unit", "provider", "committee").get(
        pk=dialogue_id
    )
    previous = Slot.all_objects.filter(pk=previous_slot_id).first() if previous_slot_id else None
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    message = mail.booking_message(dialogue, change, previous, actor)
    if message is None:
        return False
    message.send()
    return True


@shared_task(name="dialogs.send_booking_reminder")
def send_booking_reminder(dialogue_id: int, actor_id: int | None) -> bool:
    dialogue = Dialogue.objects.select_related("round", "unit", "provider", "committee").get(pk=dialogue_id)
    if dialogue.slot_id is not None:
        return False  # booked meanwhile
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    message = mail.reminder_message(dialogue, actor)
    if message is None:
        return False
    message.send()
    return True
