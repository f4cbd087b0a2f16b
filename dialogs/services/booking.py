"""Booking dialogues into the administration's time slots.

Rules:

- A slot is *offered* while it is free, starts after the round's booking cut-off, and every one
  of its hosts is free then: a host's booked dialogues never overlap.
- A slot holds at most one dialogue: ``Dialogue.slot`` is unique in the database, so of two
  simultaneous bookings exactly one succeeds; the other gets ``BookingError``.
- Bookings of slots sharing a host are serialised by locking the hosts' user rows, so two
  overlapping slots with the same host cannot both be booked at the same moment either.
- The counterpart may book, rebook or cancel until the cut-off; the hosts may assign or move a
  dialogue at any time before it is held. Everyone invited is told by e-mail with an .ics
  invitation (``dialogs.services.mail``), sent after the transaction commits.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ska.models import User

from ..models import Dialogue, Participant, Round, Slot
from .rounds import participants_add


class BookingError(Exception):
    """A booking that cannot be made; the message is for the person who tried."""


# --- Publishing slots -------------------------------------------------------------------
def slots_publish(
    *,
    round_: Round,
    day: datetime.date,
    start: datetime.time,
    length_minutes: int,
    count: int = 1,
    gap_minutes: int = 0,
    place: str = "",
    video_link: str = "",
    hosts: Iterable[User],
    user: User | None = None,
) -> list[Slot]:
    """``count`` consecutive slots of ``length_minutes`` from ``start`` on ``day``, with
    ``gap_minutes`` between them, each hosted by ``hosts``."""
    hosts = list(hosts)
    if not hosts:
        raise BookingError(_("Choose at least one host."))
    tz = timezone.get_current_timezone()
    first = datetime.datetime.combine(day, start, tzinfo=tz)
    length = datetime.timedelta(minutes=length_minutes)
    step = length + datetime.timedelta(minutes=gap_minutes)
    slots = []
    with transaction.atomic():
        for i in range(count):
            slot = Slot(
                round=round_,
                starts_at=first + i * step,
                ends_at=first + i * step + length,
                place=place,
                video_link=video_link,
            )
            if user is not None:
                slot._history_user = user
            slot.full_clean()
            slot.save()
            slot.hosts.set(hosts)
            slots.append(slot)
    return slots


def slot_delete(*, slot: Slot, user: User | None = None) -> None:
    """Withdraw a free slot (kept in the record, no longer offered)."""
    with transaction.atomic():
        slot = Slot.objects.select_for_update().get(pk=slot.pk)
        if Dialogue.objects.filter(slot=slot).exists():
            raise BookingError(_("The time is booked. Move or cancel the dialogue first."))
        slot.deleted_at = timezone.now()
        slot.deleted_by = user
        slot.save(update_fields=["deleted_at", "deleted_by", "updated_at"])


# --- Reading --------------------------------------------------------------------------
def cutoff_of(round_: Round) -> datetime.timedelta:
    return datetime.timedelta(hours=round_.booking_cutoff_hours)


def can_change_booking(dialogue: Dialogue, now: datetime.datetime | None = None) -> bool:
    """Whether the counterpart may still rebook or cancel (before the cut-off)."""
    if dialogue.slot_id is None:
        return dialogue.held_at is None
    now = now or timezone.now()
    return dialogue.held_at is None and dialogue.slot.starts_at - cutoff_of(dialogue.round) > now


def _busy_hosts(slots: list[Slot], *, exclude_dialogue_id: int | None = None) -> dict[int, list[tuple]]:
    """For the hosts of ``slots``: the (start, end) of their booked dialogues. One query."""
    host_ids = {h.pk for s in slots for h in s.hosts.all()}
    if not slots or not host_ids:
        return {}
    earliest = min(s.starts_at for s in slots)
    latest = max(s.ends_at for s in slots)
    booked = (
        Slot.objects.filter(
            dialogue__isnull=False,
            dialogue__deleted_at__isnull=True,
            hosts__in=host_ids,
            starts_at__lt=latest,
            ends_at__gt=earliest,
        )
        .exclude(dialogue__pk=exclude_dialogue_id)
        .values_list("hosts", "starts_at", "ends_at", "pk")
    )
    busy = defaultdict(list)
    for host_id, starts_at, ends_at, slot_id in booked:
        if host_id in host_ids:
            busy[host_id].append((starts_at, ends_at, slot_id))
    return busy


def _hosts_free(slot: Slot, busy: dict) -> bool:
    for host in slot.hosts.all():
        for starts_at, ends_at, slot_id in busy.get(host.pk, ()):
            if slot_id != slot.pk and starts_at < slot.ends_at and ends_at > slot.starts_at:
                return False
    return True


def round_slots(round_: Round):
    """The round's slots with their hosts and dialogues, in time order."""
    return (
        round_.slots.all()
        .select_related("dialogue", "dialogue__unit", "dialogue__provider", "dialogue__committee")
        .prefetch_related(Prefetch("hosts", queryset=User.objects.order_by("last_name", "first_name")))
        .order_by("starts_at", "pk")
    )


def bookable_slots(round_: Round, *, now: datetime.datetime | None = None):
    """The round's slots still to come and not booked by a live dialogue (as ``round_slots``):
    those ``offered_slots`` chooses from, without fetching the round's past and booked ones."""
    now = now or timezone.now()
    return round_slots(round_).filter(starts_at__gt=now).filter(
        Q(dialogue__isnull=True) | Q(dialogue__deleted_at__isnull=False)
    )


def offered_slots(
    round_: Round,
    *,
    slots: Iterable[Slot] | None = None,
    now: datetime.datetime | None = None,
    for_dialogue: Dialogue | None = None,
    by_host: bool = False,
) -> list[Slot]:
    """The slots that can be booked now: free, after the cut-off (unless ``by_host``), all
    hosts free. A fixed number of queries. ``slots``, when the caller has them already, are the
    round's slots as ``round_slots`` gives them (with hosts and dialogues): they are not fetched again."""
    now = now or timezone.now()
    slots = [s for s in (round_slots(round_) if slots is None else slots) if not slot_is_booked(s)]
    if not by_host:
        slots = [s for s in slots if s.starts_at - cutoff_of(round_) > now]
    else:
        slots = [s for s in slots if s.starts_at > now]
    busy = _busy_hosts(slots, exclude_dialogue_id=for_dialogue.pk if for_dialogue else None)
    return [s for s in slots if _hosts_free(s, busy)]


def slot_is_booked(slot: Slot) -> bool:
    """Whether a slot (from ``round_slots``) is booked by a live dialogue."""
    try:
        dialogue = slot.dialogue
    except Dialogue.DoesNotExist:
        return False
    return dialogue is not None and dialogue.deleted_at is None


def not_booked(round_: Round):
    """The round's dialogues without a time, with their invited contacts."""
    return (
        round_.dialogues.filter(slot__isnull=True, held_at__isnull=True)
        .select_related("unit", "provider", "committee")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(side=Participant.Side.COUNTERPART).select_related("user"),
                to_attr="counterpart_participants",
            )
        )
        .order_by("pk")
    )


# --- Booking ---------------------------------------------------------------------------
def _lock_hosts(slot: Slot) -> None:
    """Serialise bookings that involve the same hosts (a no-op lock on SQLite, which
    serialises every write anyway)."""
    host_ids = sorted(slot.hosts.values_list("pk", flat=True))
    list(User.objects.select_for_update().filter(pk__in=host_ids).order_by("pk").values_list("pk", flat=True))


def _set_slot(dialogue: Dialogue, slot: Slot | None, *, user: User, check_cutoff: bool, now) -> Slot | None:
    """Point the dialogue at ``slot`` (or none) with every check; returns the previous slot."""
    round_ = dialogue.round
    if dialogue.held_at is not None:
        raise BookingError(_("The dialogue has already been held."))
    if round_.status == Round.Status.CLOSED:
        raise BookingError(_("The round is closed."))
    previous = dialogue.slot
    if check_cutoff and previous is not None and previous.starts_at - cutoff_of(round_) <= now:
        raise BookingError(
            _("It is too late to change this booking. Contact the administration to change it.")
        )
    if slot is not None:
        slot = Slot.objects.select_related("round").get(pk=slot.pk)
        if slot.round_id != round_.pk or slot.deleted_at is not None:
            raise BookingError(_("That time is not offered in this round."))
        if slot.starts_at <= now or (check_cutoff and slot.starts_at - cutoff_of(round_) <= now):
            raise BookingError(_("That time can no longer be booked. Choose another time."))
        _lock_hosts(slot)
        if Dialogue.all_objects.filter(slot=slot).exclude(pk=dialogue.pk).exists():
            raise BookingError(_("Someone else has just booked that time. Choose another time."))
        slot_with_hosts = Slot.objects.prefetch_related("hosts").get(pk=slot.pk)
        if not _hosts_free(slot_with_hosts, _busy_hosts([slot_with_hosts], exclude_dialogue_id=dialogue.pk)):
            raise BookingError(_("A host is busy at that time. Choose another time."))
    dialogue.slot = slot
    dialogue.booked_by = user if slot else None
    dialogue.booked_at = now if slot else None
    dialogue.version += 1
    dialogue._history_user = user
    try:
        with transaction.atomic():  # a savepoint, so the refusal leaves the outer transaction usable
            dialogue.save(update_fields=["slot", "booked_by", "booked_at", "version", "updated_at"])
    except IntegrityError:
        raise BookingError(_("Someone else has just booked that time. Choose another time.")) from None
    hosts_sync(dialogue, slot)
    return previous


def hosts_sync(dialogue: Dialogue, slot: Slot | None) -> None:
    """The hosts of the booked slot are the dialogue's host participants (those without
    recorded attendance, who may have come from an earlier slot, are replaced)."""
    hosts = list(slot.hosts.all()) if slot else []
    dialogue.participants.filter(side=Participant.Side.HOST, attended__isnull=True).exclude(
        user__in=hosts
    ).delete()
    participants_add(dialogue=dialogue, users=hosts, side=Participant.Side.HOST)


def _locked(dialogue: Dialogue) -> Dialogue:
    return Dialogue.objects.select_for_update(of=("self",)).select_related("round", "slot").get(pk=dialogue.pk)


def _notify(dialogue: Dialogue, change: str, previous: Slot | None, user: User) -> None:
    from ..tasks import send_booking_mail

    send_booking_mail.delay_on_commit(dialogue.pk, change, previous.pk if previous else None, user.pk)


def dialogue_book(*, dialogue: Dialogue, slot: Slot, user: User, now: datetime.datetime | None = None) -> Dialogue:
    """The counterpart books (or rebooks) ``slot`` for ``dialogue``, before the cut-off."""
    now = now or timezone.now()
    with transaction.atomic():
        dialogue = _locked(dialogue)
        if dialogue.round.status != Round.Status.OPEN:
            raise BookingError(_("The round is not open for booking."))
        previous = _set_slot(dialogue, slot, user=user, check_cutoff=True, now=now)
        if previous is None or previous.pk != slot.pk:
            _notify(dialogue, "changed" if previous else "booked", previous, user)
    return dialogue


def dialogue_cancel(
    *, dialogue: Dialogue, user: User, by_host: bool = False, now: datetime.datetime | None = None
) -> Dialogue:
    """Give the time back; the dialogue is again among those not booked."""
    now = now or timezone.now()
    with transaction.atomic():
        dialogue = _locked(dialogue)
        if dialogue.slot_id is None:
            raise BookingError(_("The dialogue has no booked time."))
        previous = _set_slot(dialogue, None, user=user, check_cutoff=not by_host, now=now)
        _notify(dialogue, "cancelled", previous, user)
    return dialogue


def dialogue_assign(*, dialogue: Dialogue, slot: Slot, user: User, now: datetime.datetime | None = None) -> Dialogue:
    """The hosts give the dialogue a time (or move it to another): no cut-off applies, and
    everyone is told."""
    now = now or timezone.now()
    with transaction.atomic():
        dialogue = _locked(dialogue)
        previous = _set_slot(dialogue, slot, user=user, check_cutoff=False, now=now)
        if previous is None or previous.pk != slot.pk:
            _notify(dialogue, "changed" if previous else "booked", previous, user)
    return dialogue


def remind_unbooked(*, round_: Round, user: User) -> int:
    """E-mail a reminder to book to the contacts of every dialogue without a time."""
    from ..tasks import send_booking_reminder

    dialogue_ids = list(not_booked(round_).values_list("pk", flat=True))
    for pk in dialogue_ids:
        send_booking_reminder.delay_on_commit(pk, user.pk)
    return len(dialogue_ids)


def upcoming_for(user: User, *, now: datetime.datetime | None = None, limit: int = 10) -> list[Dialogue]:
    """The person's coming booked dialogues (as participant), for the start page."""
    now = now or timezone.now()
    return list(
        Dialogue.objects.filter(
            participants__user=user, slot__starts_at__gte=now - datetime.timedelta(hours=2), held_at__isnull=True
        )
        .filter(~Q(round__status=Round.Status.DRAFT))
        .select_related("round", "slot", "unit", "provider", "committee")
        .order_by("slot__starts_at")
        .distinct()[:limit]
    )
