"""The annual wheel starts dialogue rounds: saving a dialogue-round event of an
administration's or committee's wheel creates (or, while a draft, re-dates) its round."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from annualwheel.models import Event, EventKind

from .services.rounds import round_from_event


@receiver(post_save, sender=Event, dispatch_uid="dialogs.round_from_event")
def _event_saved(sender, instance: Event, raw=False, **kwargs):
    if raw or instance.kind != EventKind.DIALOGUE_ROUND:
        return
    round_from_event(instance)
