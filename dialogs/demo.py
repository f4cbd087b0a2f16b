"""The demo's quality dialogues: the rounds the demo wheels start, with times, bookings and
held dialogues, so every role has something to look at in `make run`.

- The spring round with independent providers is open: times over three days, Myrstacken has
  booked, Lyckan (the `fristaende` demo user) has not, so booking can be tried.
- The autumn round with independent providers is over: both dialogues were held.
- The administration's round with its units runs now: Österportskolan's dialogue has been
  held, with a self-assessment, notes and agreed actions; the others are booked or not yet.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from ska.models import Administration, Committee, User

from .demo_committee import seed_committee
from .services.analysis import analysis_save
from .demo_holding import seed_held_dialogue
from .demo_preparation import seed_preparation, seed_self_assessment
from .models import Dialogue, GuideAnswer, Participant, Round, Slot
from .services.booking import hosts_sync

HELD_UNIT = "Österportskolan"
GUIDE_ANSWERS = [
    "Arbetet med kollegiala observationer i åk 4–6 har gett fler varierade arbetssätt; elevenkäten visar att fler "
    "elever upplever att undervisningen utmanar dem.",
    "Matematik i åk 6 och likvärdigheten mellan klasserna. Vi vill också utveckla arbetet med extra anpassningar.",
    "Arbetslagen stämmer av indikatorerna vid tre tillfällen per läsår och analyserar resultaten på analysdagen i juni.",
    "Samarbetet i arbetslagen fungerar väl. Kontakten med förvaltningen om lokaler kan bli tydligare.",
    "Stöd i att ta fram en gemensam plan för kompetensutveckling i specialpedagogik.",
]


def _slot(round_: Round, start: datetime.datetime, minutes: int, hosts: list[User], place: str) -> Slot:
    slot = Slot.objects.create(
        round=round_, starts_at=start, ends_at=start + datetime.timedelta(minutes=minutes), place=place
    )
    slot.hosts.set(hosts)
    return slot


def _book(dialogue: Dialogue, slot: Slot, by: User | None) -> None:
    """Book straight in the database: the demo books times that may already have passed."""
    dialogue.slot = slot
    dialogue.booked_by = by
    dialogue.booked_at = slot.starts_at - datetime.timedelta(days=14)
    dialogue.save(update_fields=["slot", "booked_by", "booked_at", "updated_at"])
    hosts_sync(dialogue, slot)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _weekdays(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _contact(dialogue: Dialogue) -> User | None:
    participant = dialogue.participants.filter(side=Participant.Side.COUNTERPART, user__isnull=False).first()
    return participant.user if participant else None


# The skolchef's analysis of the autumn round, in seed 004's structure (the analysis report's text).
PROVIDER_ROUND_ANALYSIS = {
    "summary": (
        "Höstens kvalitetssamtal hölls med båda fristående huvudmännen i kommunen. Samtalen tog upp "
        "trygghet och säkerhet, resultat och kvalitet, kompetensutvecklingsbehov, befolkningsprognos "
        "och behov av platser, överlämningar samt barn- och elevhälsa."
    ),
    "analysis": (
        "Båda huvudmännen beskriver ett fungerande trygghetsarbete men olika rutiner för överlämningar "
        "mellan förskola och skola. Behovet av kompetensutveckling i språkutvecklande arbetssätt är "
        "gemensamt för kommunens och de fristående verksamheterna."
    ),
    "proposed_actions": (
        "Ta fram en gemensam rutin för överlämningar som även de fristående huvudmännen kan använda.\n"
        "Bjud in de fristående huvudmännen till kommunens fortbildning i språkutvecklande arbetssätt."
    ),
}


def seed_demo_dialogues(administration: Administration, committee: Committee) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["skolchef", "utvecklingschef", "sekreterare"])}
    chef, dev = users.get("skolchef"), users.get("utvecklingschef")
    seed_preparation(administration.municipality, chef)
    seed_committee(committee, administration, users=users)
    rounds = Round.objects.filter(administration=administration, wheel_event__isnull=False)
    if chef is None or Slot.all_objects.filter(round__in=rounds).exists():
        return  # seeded already
    now = timezone.now()
    for round_ in rounds.order_by("starts_on"):
        if round_.kind == "provider":
            _seed_provider_round(round_, chef, dev, now)
        elif round_.kind == "administration":
            _seed_unit_round(round_, chef, dev, now)


def _seed_provider_round(round_: Round, chef: User, dev: User | None, now: datetime.datetime) -> None:
    days = _weekdays(round_.starts_on, round_.ends_on)
    dialogues = list(round_.dialogues.select_related("provider").order_by("provider__name"))
    slots = []
    for i, day in enumerate(days[1:8:3]):  # three days spread over the window
        hosts = [chef, dev] if (dev and i == 1) else [chef]
        for hour in (9, 10, 13, 14):
            slots.append(_slot(round_, _at(day, hour), 60, hosts, "Stadshuset, rum Ekvalla"))
    if round_.ends_on < now.date():
        for dialogue, slot in zip(dialogues, slots):
            _book(dialogue, slot, _contact(dialogue))
            dialogue.held_at = slot.starts_at
            dialogue.save(update_fields=["held_at"])
            Participant.objects.filter(dialogue=dialogue).update(attended=True)
        round_.status = Round.Status.CLOSED
        analysis_save(round_=round_, version=None, values=PROVIDER_ROUND_ANALYSIS, user=chef)
    else:
        # Myrstacken has booked; Lyckan has not, so the demo's contact person can try.
        for dialogue in dialogues:
            if "Myrstacken" in dialogue.counterpart_name:
                _book(dialogue, slots[1], _contact(dialogue))
        round_.status = Round.Status.OPEN
    round_.save(update_fields=["status"])


def _seed_unit_round(round_: Round, chef: User, dev: User | None, now: datetime.datetime) -> None:
    """One visit per unit spread over the window: those already past were held (Österportskolan's
    first, with its preparation, notes and actions); of the coming ones, two in three are booked."""
    hosts = [h for h in (chef, dev) if h]
    days = _weekdays(round_.starts_on, round_.ends_on)
    dialogues = list(round_.dialogues.select_related("unit").order_by("unit__name"))
    held = next((d for d in dialogues if d.unit and d.unit.name == HELD_UNIT), None)
    ordered = ([held] if held else []) + [d for d in dialogues if d is not held]
    spread = (len(days) - 1) / max(1, len(ordered) - 1)
    for i, dialogue in enumerate(ordered):
        day = days[round(i * spread)]
        if dialogue is held and _at(day, 9) > now:  # the window has not begun: Österportskolan went first
            day = now.date() - datetime.timedelta(days=7)
        slot = _slot(round_, _at(day, 9 if i % 2 == 0 else 13), 90, hosts, f"{dialogue.counterpart_name}, personalrummet")
        if slot.starts_at < now:
            _book(dialogue, slot, _contact(dialogue))
            if dialogue is not held:
                dialogue.held_at = slot.ends_at
                dialogue.save(update_fields=["held_at"])
                Participant.objects.filter(dialogue=dialogue).update(attended=True)
        elif i % 3 != 2:
            _book(dialogue, slot, _contact(dialogue))
    round_.status = Round.Status.OPEN
    round_.save(update_fields=["status"])
    if held is not None:
        held.refresh_from_db()
        _seed_held(held, hosts)


def _seed_held(dialogue: Dialogue, hosts: list[User]) -> None:
    """Preparation and holding of the held dialogue, by the parts that own them."""
    rector = _contact(dialogue)
    if rector is not None:
        seed_self_assessment(dialogue, rector)
        for position, question in enumerate(dialogue.round.question_guide):
            GuideAnswer.objects.get_or_create(
                dialogue=dialogue, position=position,
                defaults={"question": question, "answer": GUIDE_ANSWERS[position % len(GUIDE_ANSWERS)], "updated_by": rector},
            )
    seed_held_dialogue(dialogue, hosts, [u for u in (rector, *hosts) if u])
