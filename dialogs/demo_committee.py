"""Demo data for the committee's quality dialogue (Ystad 6.1) and the year-end evaluation:
the committee's four topics for the school year, a committee round with one dialogue per
topic tied to the committee wheel's meetings (when the wheel exists), suggested unit visits,
and the built-in evaluation questions. Idempotent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ska.models import Unit, User
from ska.schoolyear import SchoolYear

from .models.committee import CommitteeTopic, VisitSuggestion
from .services.committee import committee_meetings, committee_round_create, dialogue_plan, dialogue_topic, topics_of
from .services.evaluation import questions_ensure

TOPICS = [
    (
        "Trygghet och studiero",
        "Hur upplever eleverna tryggheten och studieron, och vilka insatser gör enheterna utifrån klimatenkäten?",
        {
            "Österportskolan": "Har arbetat med rastaktiviteter och vuxennärvaro efter höstens klimatenkät.",
            "Västervångskolan": "Elevrådet driver arbetet med studiero i klassrummen.",
        },
    ),
    (
        "Likvärdighet mellan enheterna",
        "Hur skiljer sig resultat och förutsättningar mellan enheterna, och hur fördelas resurserna för att utjämna skillnaderna?",
        {
            "Västervångskolan": "Visar hur resursfördelningen efter socioekonomiska förutsättningar används i praktiken.",
            "Förskolan Solrosen": "Arbetar med språkutveckling för barn med annat modersmål.",
        },
    ),
    (
        "Kompetensförsörjning",
        "Hur ser behovet av legitimerade lärare och förskollärare ut de kommande åren, och vad gör förvaltningen för att rekrytera och behålla personal?",
        {"Förskolan Solrosen": "Har tagit emot flera förskollärarstudenter och arbetar med introduktion av nyanställda."},
    ),
    (
        "Resultat i matematik",
        "Hur har resultaten i matematik utvecklats i årskurs 3, 6 och 9, och vilka insatser har gett effekt?",
        {"Österportskolan": "Har infört gemensam genomgång av nationella prov och ett matematiklyft i arbetslagen."},
    ),
]


def _people(users) -> dict[str, User]:
    if users is None:
        return {}
    if isinstance(users, Mapping):
        return dict(users)
    return {u.username: u for u in users if u is not None}


def seed_committee(committee, administration, school_year: SchoolYear | None = None, users: Mapping | Iterable | None = None):
    """The committee's topics, round, meetings and visits for ``school_year`` (default: the
    current one) and the municipality's evaluation questions. ``users``: a mapping of username
    to user or a list of users; "sekreterare" (or else "skolchef") is written as the author."""
    school_year = school_year or SchoolYear.current()
    people = _people(users)
    author = people.get("sekreterare") or people.get("skolchef")
    questions_ensure(municipality=administration.municipality, user=author)
    if not topics_of(committee, school_year).exists():
        decided = next(
            (o.date for o in committee_meetings(committee, school_year) if "kvalitetsarbete" in o.event.title.casefold()),
            None,
        )
        for position, (title, description, _visits) in enumerate(TOPICS):
            topic = CommitteeTopic(
                committee=committee,
                school_year=school_year,
                position=position,
                title=title,
                description=description,
                decided_on=decided,
            )
            if author is not None:
                topic._history_user = author
            topic.save()
    round_, _created = committee_round_create(
        committee=committee, administration=administration, school_year=school_year, user=people.get("skolchef")
    )
    # Ordinary meetings after the one where the topics were chosen, one dialogue at each.
    meetings = [m for m in committee_meetings(committee, school_year) if m.event.repeat != "none"]
    decided_on = topics_of(committee, school_year).values_list("decided_on", flat=True).first()
    if decided_on:
        meetings = [m for m in meetings if m.date > decided_on]
    details = {title: visits for title, _d, visits in TOPICS}
    dialogues = list(round_.dialogues.filter(committee=committee).select_related("committee_topic__topic").order_by("pk"))
    free = [m for m in meetings if not any(d.meeting_id == m.pk for d in dialogues)]
    # Spread the dialogues over the year: every other free meeting.
    free = free[::2] or free
    for dialogue in dialogues:
        topic = dialogue_topic(dialogue)
        if dialogue.meeting_id is None and free:
            dialogue_plan(dialogue=dialogue, meeting=free.pop(0), topic=topic, user=author)
        if topic is None or topic.title not in details or dialogue.visit_suggestions.exists():
            continue
        visits = details[topic.title]
        for unit in Unit.objects.filter(administration__committee=committee, name__in=visits):
            VisitSuggestion.objects.get_or_create(dialogue=dialogue, unit=unit, defaults={"reason": visits[unit.name]})
    return round_
