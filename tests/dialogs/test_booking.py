"""Booking: offered times, booking, rebooking and cancelling until the cut-off, hosts that are
never double-booked, and the e-mails with their calendar invitations."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from dialogs.models import Dialogue, Participant, Round
from dialogs.services import booking
from dialogs.services.rounds import counterparts_add

from ..factories import RoundFactory, SlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_commit_runs_at_once(monkeypatch, request):
    """The test's transaction never commits; run the e-mails queued for after the commit
    at once, as a real commit would (not in the test of simultaneous bookings, which commits)."""
    if "transaction" in request.keywords.get("django_db", pytest.mark.django_db).kwargs:
        return
    from django.db import transaction as db_transaction

    monkeypatch.setattr(db_transaction, "on_commit", lambda func, using=None, robust=False: func())


def _ics(message) -> Calendar:
    [(name, content, mimetype)] = message.attachments
    assert name.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


def test_contacts_are_invited_when_the_round_gets_its_counterparts(provider_round, people):
    contacts = list(provider_round.mine.participants.values_list("user__username", "side"))
    assert contacts == [("fristaende", Participant.Side.COUNTERPART)]


def test_booking_sends_a_confirmation_with_a_valid_invitation(provider_round, people, login):
    slot = provider_round.slots[0]
    client = login(people.provider_contact)
    response = client.post(reverse("dialogs:dialogue_book", args=[provider_round.mine.pk]), {"slot": slot.pk})
    assert response.status_code == 302
    dialogue = Dialogue.objects.get(pk=provider_round.mine.pk)
    assert dialogue.slot == slot and dialogue.booked_by == people.provider_contact
    # The host joins the invited.
    assert set(dialogue.participants.values_list("user__username", flat=True)) == {"fristaende", "skolchef"}
    [message] = mail.outbox
    assert "Kvalitetssamtal VT" in message.subject
    assert sorted(message.to) == sorted([people.provider_contact.email, people.leadership.email])
    calendar = _ics(message)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"dialogue-{dialogue.pk}@ska"
    assert event.decoded("DTSTART") == slot.starts_at
    assert event.decoded("DTEND") == slot.ends_at
    assert slot.place in str(event["LOCATION"])
    attendees = sorted(str(a) for a in event.get("ATTENDEE"))
    assert attendees == sorted(f"mailto:{u.email}" for u in (people.provider_contact, people.leadership))


def test_a_booked_time_is_not_offered_to_others_and_cannot_be_taken(provider_round, people, login):
    slot = provider_round.slots[0]
    booking.dialogue_book(dialogue=provider_round.mine, slot=slot, user=people.provider_contact)
    offered = booking.offered_slots(provider_round.round, for_dialogue=provider_round.theirs)
    assert slot not in offered and len(offered) == 2
    # A crafted request for the taken time gets a clear message and changes nothing.
    client = login(provider_round.other_contact)
    response = client.post(
        reverse("dialogs:dialogue_book", args=[provider_round.theirs.pk]), {"slot": slot.pk}, follow=True
    )
    assert "någon annan har precis bokat den tiden" in response.content.decode().lower()
    assert Dialogue.objects.get(pk=provider_round.theirs.pk).slot is None
    with pytest.raises(booking.BookingError):
        booking.dialogue_book(dialogue=provider_round.theirs, slot=slot, user=provider_round.other_contact)


def test_the_database_refuses_a_second_dialogue_on_one_slot(provider_round):
    from django.db import IntegrityError, transaction

    slot = provider_round.slots[0]
    Dialogue.objects.filter(pk=provider_round.mine.pk).update(slot=slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dialogue.objects.filter(pk=provider_round.theirs.pk).update(slot=slot)


def test_a_slot_is_not_offered_while_a_host_is_busy_in_another_round(provider_round, org, people):
    other_round = RoundFactory(administration=org.administration, kind="administration")
    [unit_dialogue] = counterparts_add(round_=other_round, units=[org.unit])
    first = provider_round.slots[0]
    overlapping = SlotFactory(
        round=other_round, starts_at=first.starts_at + datetime.timedelta(minutes=30),
        ends_at=first.ends_at + datetime.timedelta(minutes=30), hosts=[people.leadership],
    )
    booking.dialogue_book(dialogue=provider_round.mine, slot=first, user=people.provider_contact)
    assert overlapping not in booking.offered_slots(other_round)
    with pytest.raises(booking.BookingError, match="En värd är upptagen"):
        booking.dialogue_assign(dialogue=unit_dialogue, slot=overlapping, user=people.leadership)


def test_rebook_and_cancel_until_the_cutoff(provider_round, people):
    first, second, _third = provider_round.slots
    dialogue = booking.dialogue_book(dialogue=provider_round.mine, slot=first, user=people.provider_contact)
    dialogue = booking.dialogue_book(dialogue=dialogue, slot=second, user=people.provider_contact)
    assert dialogue.slot == second
    assert first in booking.offered_slots(provider_round.round)
    changed = mail.outbox[-1]
    assert changed.subject.startswith("Ny tid")
    assert _ics(changed).walk("VEVENT")[0]["SEQUENCE"] > _ics(mail.outbox[0]).walk("VEVENT")[0]["SEQUENCE"]
    # Inside the cut-off (48 hours) the counterpart can no longer change it, the hosts can.
    late = second.starts_at - datetime.timedelta(hours=47)
    with pytest.raises(booking.BookingError, match="för sent"):
        booking.dialogue_cancel(dialogue=dialogue, user=people.provider_contact, now=late)
    with pytest.raises(booking.BookingError, match="för sent"):
        booking.dialogue_book(dialogue=dialogue, slot=first, user=people.provider_contact, now=late)
    dialogue = booking.dialogue_cancel(dialogue=dialogue, user=people.leadership, by_host=True, now=late)
    assert dialogue.slot is None
    cancelled = mail.outbox[-1]
    assert _ics(cancelled)["METHOD"] == "CANCEL"
    assert cancelled.subject.startswith("Avbokad")


def test_the_skolchef_moves_a_booked_dialogue_and_everyone_is_told(provider_round, people, login):
    first, _second, third = provider_round.slots
    booking.dialogue_book(dialogue=provider_round.mine, slot=first, user=people.provider_contact)
    mail.outbox.clear()
    client = login(people.leadership)
    client.post(reverse("dialogs:dialogue_assign", args=[provider_round.mine.pk]), {"slot": third.pk})
    assert Dialogue.objects.get(pk=provider_round.mine.pk).slot == third
    [message] = mail.outbox
    assert sorted(message.to) == sorted([people.provider_contact.email, people.leadership.email])
    assert people.leadership.get_full_name() in message.body


def test_not_booked_remind_and_assign(provider_round, people, login):
    booking.dialogue_book(dialogue=provider_round.mine, slot=provider_round.slots[0], user=people.provider_contact)
    assert list(booking.not_booked(provider_round.round)) == [provider_round.theirs]
    mail.outbox.clear()
    client = login(people.leadership)
    page = client.get(provider_round.round.get_absolute_url()).content.decode()
    assert "Myrstacken AB" in page
    client.post(reverse("dialogs:round_remind", args=[provider_round.round.pk]))
    [reminder] = mail.outbox
    assert reminder.to == [provider_round.other_contact.email]
    client.post(
        reverse("dialogs:dialogue_assign", args=[provider_round.theirs.pk]),
        {"slot": provider_round.slots[1].pk, "next": "round"},
    )
    assert list(booking.not_booked(provider_round.round)) == []


def test_a_counterpart_cannot_book_in_a_draft_round_nor_for_another_provider(provider_round, people, login):
    client = login(people.provider_contact)
    slot = provider_round.slots[0]
    response = client.post(reverse("dialogs:dialogue_book", args=[provider_round.theirs.pk]), {"slot": slot.pk})
    assert response.status_code == 404
    Round.objects.filter(pk=provider_round.round.pk).update(status=Round.Status.DRAFT)
    response = client.post(reverse("dialogs:dialogue_book", args=[provider_round.mine.pk]), {"slot": slot.pk})
    assert response.status_code == 404  # a draft round is not theirs to see yet
    assert not Dialogue.objects.filter(slot=slot).exists()


def test_publishing_times_checks_the_form(provider_round, people, login):
    client = login(people.leadership)
    url = reverse("dialogs:slots_create", args=[provider_round.round.pk])
    response = client.post(url, {"day": "2001-01-01", "start": "09:00", "length_minutes": "60", "count": "2", "gap_minutes": "10"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    before = provider_round.round.slots.count()
    day = provider_round.round.starts_on + datetime.timedelta(days=3)
    response = client.post(url, {
        "day": day.isoformat(), "start": "13:00", "length_minutes": "45", "count": "3", "gap_minutes": "15",
        "place": "Stadshuset", "hosts": [people.leadership.pk],
    })
    assert response.status_code == 302
    created = list(provider_round.round.slots.order_by("-pk")[:3])[::-1]
    assert provider_round.round.slots.count() == before + 3
    assert [timezone.localtime(s.starts_at).strftime("%H:%M") for s in created] == ["13:00", "14:00", "15:00"]
    assert all(s.ends_at - s.starts_at == datetime.timedelta(minutes=45) for s in created)


def test_withdrawing_a_booked_time_is_refused(provider_round, people, login):
    slot = provider_round.slots[0]
    booking.dialogue_book(dialogue=provider_round.mine, slot=slot, user=people.provider_contact)
    login(people.leadership).post(reverse("dialogs:slot_delete", args=[slot.pk]))
    slot.refresh_from_db()
    assert slot.deleted_at is None
    free = provider_round.slots[2]
    login(people.leadership).post(reverse("dialogs:slot_delete", args=[free.pk]))
    free.refresh_from_db()
    assert free.deleted_at is not None
    assert free not in booking.offered_slots(provider_round.round)


def test_round_page_queries_do_not_grow_with_dialogues(provider_round, org, people, login, django_assert_max_num_queries):
    from ..factories import ProviderFactory, UnitFactory

    client = login(people.leadership)
    url = provider_round.round.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(8):
        provider = ProviderFactory(municipality=org.municipality, name=f"Extra {n}")
        UnitFactory(name=f"Extra enhet {n}", administration=None, provider=provider)
        counterparts_add(round_=provider_round.round, providers=[provider])
        SlotFactory(
            round=provider_round.round,
            starts_at=provider_round.slots[0].starts_at + datetime.timedelta(days=n + 1),
            ends_at=provider_round.slots[0].ends_at + datetime.timedelta(days=n + 1),
            hosts=[people.leadership],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_bookings_of_one_slot_exactly_one_wins(provider_round, people):
    """Both bookings run at the same moment in their own connections: the database lets one
    through and the other gets the clear message."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every write, so nothing runs at the same time")
    import threading

    slot = provider_round.slots[0]
    barrier = threading.Barrier(2)
    results = {}

    def book(dialogue, user):
        try:
            barrier.wait(10)
            booking.dialogue_book(dialogue=dialogue, slot=slot, user=user)
            results[user.username] = "booked"
        except booking.BookingError as error:
            results[user.username] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(provider_round.mine, people.provider_contact)),
        threading.Thread(target=book, args=(provider_round.theirs, provider_round.other_contact)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results.values()).count("booked") == 1, results
    [refusal] = [v for v in results.values() if v != "booked"]
    assert "Välj en annan tid" in refusal
    assert Dialogue.objects.filter(slot=slot).count() == 1
