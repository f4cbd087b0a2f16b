"""The committee's quality dialogue: topics (three to five), dialogues at committee meetings,
suggested visits and the text for the meeting notice."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from annualwheel.models import EventKind, Occurrence, Wheel
from annualwheel.models import Event as WheelEvent
from dialogs.models import Dialogue, DialogueKind, Participant
from dialogs.models.committee import CommitteeDialogueTopic, CommitteeTopic, VisitSuggestion
from dialogs.services import committee as services
from ska.schoolyear import SchoolYear

YEAR = SchoolYear(2026)
URL = reverse("dialogs:committee")


def _url(org, year=YEAR):
    return f"{URL}?namnd={org.committee.pk}&lasar={year.start_year}"


def _topics(org, titles):
    return [
        CommitteeTopic.objects.create(committee=org.committee, school_year=YEAR, position=i, title=t)
        for i, t in enumerate(titles)
    ]


def _meeting(org, day=datetime.date(2026, 11, 25)):
    wheel = Wheel.objects.create(name="Nämndens årshjul", school_year=YEAR, committee=org.committee)
    event = WheelEvent.objects.create(
        wheel=wheel,
        kind=EventKind.COMMITTEE_MEETING,
        title="Nämndsmöte BUN",
        start_date=day,
        start_time=datetime.time(13, 0),
        end_time=datetime.time(17, 0),
        place="Stadshuset, sessionssalen",
    )
    return Occurrence.objects.create(event=event, original_date=day, date=day)


def _add(client, org, title):
    return client.post(_url(org), {"action": "topic", "topic-title": title, "topic-description": "", "topic-decided_on": ""})


def test_leadership_adds_topics_and_a_sixth_is_refused(org, people, login):
    client = login(people.leadership)
    for title in ["Trygghet och studiero", "Likvärdighet", "Kompetensförsörjning", "Matematik", "Läsning"]:
        assert _add(client, org, title).status_code == 302
    assert CommitteeTopic.objects.filter(committee=org.committee, school_year=YEAR).count() == 5
    # The form is gone when five are chosen; a sixth posted anyway is refused next to the field.
    response = _add(client, org, "Ett sjätte ämne")
    assert response.status_code == 200
    assert str(services.TOPIC_COUNT_MESSAGE) in response.content.decode()
    assert CommitteeTopic.objects.filter(committee=org.committee, school_year=YEAR).count() == 5
    with pytest.raises(services.TopicLimitError):
        services.topic_add(committee=org.committee, school_year=YEAR, values={"title": "Sex"}, user=None)


def test_below_three_topics_warns(org, people, login):
    _topics(org, ["Trygghet och studiero"])
    response = login(people.secretary).get(_url(org))
    assert response.status_code == 200
    body = response.content.decode()
    assert str(services.TOPIC_COUNT_MESSAGE) in body
    assert 'name="topic-title"' in body  # the secretary keeps the topics
    with translation.override("sv"):
        assert services.topic_count_warning(1)
    assert services.topic_count_warning(3) == ""


def test_members_read_and_cannot_change(org, people, login):
    topic = _topics(org, ["Trygghet och studiero"])[0]
    client = login(people.member)
    response = client.get(_url(org))
    assert response.status_code == 200
    assert "Trygghet och studiero" in response.content.decode()
    assert 'name="topic-title"' not in response.content.decode()
    assert _add(client, org, "Nytt").status_code == 403
    assert client.post(reverse("dialogs:committee_topic_delete", args=[topic.pk])).status_code == 403
    assert client.post(reverse("dialogs:committee_topic_edit", args=[topic.pk]), {"title": "X"}).status_code == 403


def test_people_outside_the_committee_are_refused(org, people, login):
    topic = _topics(org, ["Trygghet och studiero"])[0]
    assert login(people.provider_contact).get(_url(org)).status_code == 403
    assert login(people.rector).get(_url(org)).status_code == 403
    assert login(people.provider_contact).post(reverse("dialogs:committee_topic_delete", args=[topic.pk])).status_code == 404


def test_reorder_edit_and_remove(org, people, login):
    first, second, third = _topics(org, ["A", "B", "C"])
    client = login(people.leadership)
    client.post(reverse("dialogs:committee_topic_move", args=[third.pk]), {"direction": "up"})
    assert [t.title for t in services.topics_of(org.committee, YEAR)] == ["A", "C", "B"]
    client.post(reverse("dialogs:committee_topic_edit", args=[first.pk]), {"title": "A2", "description": "Mer", "decided_on": ""})
    first.refresh_from_db()
    assert first.title == "A2"
    response = client.post(reverse("dialogs:committee_topic_delete", args=[second.pk]), follow=True)
    assert [t.title for t in services.topics_of(org.committee, YEAR)] == ["A2", "C"]
    assert str(services.TOPIC_COUNT_MESSAGE) in response.content.decode()


def test_round_with_a_dialogue_per_topic_is_created_once(org, people, login):
    _topics(org, ["Trygghet och studiero", "Likvärdighet", "Kompetensförsörjning"])
    client = login(people.leadership)
    assert client.post(_url(org), {"action": "round"}).status_code == 302
    dialogues = Dialogue.objects.filter(committee=org.committee, round__kind=DialogueKind.COMMITTEE)
    assert dialogues.count() == 3
    assert dialogues.values("round").distinct().count() == 1
    assert CommitteeDialogueTopic.objects.count() == 3
    dialogue = dialogues.first()
    sides = dict(dialogue.participants.values_list("user__username", "side"))
    assert sides["skolchef"] == Participant.Side.HOST
    assert sides["sekreterare"] == sides["ledamot"] == Participant.Side.COUNTERPART
    client.post(_url(org), {"action": "round"})
    assert dialogues.count() == 3
    # The secretary keeps topics but does not create the administration's round.
    assert login(people.secretary).post(_url(org), {"action": "round"}).status_code == 403
    # The committee sees its dialogues.
    assert login(people.member).get(_url(org)).content.decode().count(reverse("dialogs:kallelse", args=[dialogue.pk])) == 1


def test_tie_to_meeting_and_the_kallelse_text(org, people, login):
    topic = CommitteeTopic.objects.create(
        committee=org.committee, school_year=YEAR, title="Resultat i matematik", description="Hur går det i åk 9?"
    )
    meeting = _meeting(org)
    round_, (dialogue,) = services.committee_round_create(committee=org.committee, administration=org.administration, school_year=YEAR)
    client = login(people.secretary)
    page = client.get(reverse("dialogs:committee_dialogue", args=[dialogue.pk]))
    assert page.status_code == 200 and 'name="plan-meeting"' in page.content.decode()
    assert client.get(reverse("dialogs:committee_topic_edit", args=[topic.pk])).status_code == 200
    response = client.post(
        reverse("dialogs:committee_dialogue", args=[dialogue.pk]),
        {"action": "plan", "plan-meeting": meeting.pk, "plan-topic": topic.pk},
    )
    assert response.status_code == 302
    dialogue.refresh_from_db()
    assert dialogue.meeting == meeting
    response = client.post(
        reverse("dialogs:committee_dialogue", args=[dialogue.pk]),
        {"action": "visit", "visit-unit": org.unit.pk, "visit-reason": "Matematiklyftet"},
    )
    assert VisitSuggestion.objects.filter(dialogue=dialogue, unit=org.unit).exists()

    text = services.kallelse_text(Dialogue.objects.get(pk=dialogue.pk)).text
    assert "25 november 2026" in text
    assert "13:00–17:00" in text
    assert "Stadshuset, sessionssalen" in text
    assert "Resultat i matematik" in text and "Hur går det i åk 9?" in text
    assert "Österportskolan: Matematiklyftet" in text
    assert "skolchef" in text.casefold() or str(people.leadership) in text

    page = client.get(reverse("dialogs:kallelse", args=[dialogue.pk]))
    assert page.status_code == 200
    assert "25 november 2026" in page.content.decode() and "readonly" in page.content.decode()
    download = client.get(reverse("dialogs:kallelse", args=[dialogue.pk]) + "?format=txt")
    assert download["Content-Type"].startswith("text/plain")
    assert "attachment" in download["Content-Disposition"]
    assert "Resultat i matematik" in download.content.decode()


def test_kallelse_hidden_from_others(org, people, login):
    CommitteeTopic.objects.create(committee=org.committee, school_year=YEAR, title="Trygghet")
    _round, (dialogue,) = services.committee_round_create(committee=org.committee, administration=org.administration, school_year=YEAR)
    for person in (people.provider_contact, people.rector, people.outsider):
        assert login(person).get(reverse("dialogs:kallelse", args=[dialogue.pk])).status_code == 404
    assert login(people.member).get(reverse("dialogs:kallelse", args=[dialogue.pk])).status_code == 200
    # A member reads the dialogue page but cannot change it.
    assert login(people.member).post(
        reverse("dialogs:committee_dialogue", args=[dialogue.pk]), {"action": "visit", "visit-unit": org.unit.pk}
    ).status_code == 403


def test_committee_page_queries_do_not_grow(org, people, login, django_assert_max_num_queries):
    _topics(org, ["A", "B", "C"])
    meeting = _meeting(org)
    _round, dialogues = services.committee_round_create(committee=org.committee, administration=org.administration, school_year=YEAR)
    for d in dialogues:
        services.dialogue_plan(dialogue=d, meeting=meeting, topic=services.dialogue_topic(d), user=None)
        VisitSuggestion.objects.create(dialogue=d, unit=org.unit)
    client = login(people.leadership)
    client.get(_url(org))
    with django_assert_max_num_queries(25) as few:
        client.get(_url(org))
    [CommitteeTopic.objects.create(committee=org.committee, school_year=YEAR, title=t, position=9) for t in ("D", "E")]
    _round, more = services.committee_round_create(committee=org.committee, administration=org.administration, school_year=YEAR)
    for d in more:
        VisitSuggestion.objects.create(dialogue=d, unit=org.other_unit)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_url(org))
