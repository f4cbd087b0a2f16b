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


# --- The year-end evaluation ------------------------------------------------------
@shared_task(name="dialogs.send_evaluation_invitations")
def send_evaluation_invitations(invitation_ids: list[int]) -> int:
    """E-mail each invitation its link; one already sent is skipped, so running twice is safe."""
    from .services.evaluation import invitation_mail_send

    return sum(1 for pk in invitation_ids if invitation_mail_send(pk))


@shared_task(name="dialogs.send_evaluations")
def send_evaluations(municipality_id: int, kind: str, school_year: int) -> int:
    """Invite everyone who took part in the year's held dialogues of ``kind``; for a beat entry."""
    from ska.models import Municipality
    from ska.schoolyear import SchoolYear

    from .services.evaluation import evaluations_send

    municipality = Municipality.objects.get(pk=municipality_id)
    return evaluations_send(municipality=municipality, kind=kind, school_year=SchoolYear(school_year))


@shared_task(name="dialogs.send_year_end_evaluations")
def send_year_end_evaluations(today: str | None = None) -> int:
    """Celery beat, in June: every participant of the year's held dialogues gets the evaluation."""
    import datetime

    from .services.evaluation import year_end_evaluations_send

    return year_end_evaluations_send(datetime.date.fromisoformat(today) if today else None)
