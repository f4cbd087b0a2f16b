"""A round's analysis: notes grouped by agenda topic across the dialogues, the agreed actions,
and the administration's editable analysis. Hosts only."""

from django.urls import reverse

from dialogs.models import AgreedAction, RoundAnalysis, TopicNote
from dialogs.services.analysis import notes_by_topic

from ..factories import DialogueFactory, RoundFactory, UnitFactory

AGENDA = ["Enhetens kvalitetsrapport", "Självskattning mot kvalitetsmatrisen", "Enhetens egna frågor"]


def _round(org):
    return RoundFactory(administration=org.administration, kind="administration", title="Kvalitetsdialoger HT", agenda_topics=AGENDA)


def _dialogue(round_, unit, notes):
    dialogue = DialogueFactory(round=round_, unit=unit)
    for position, topic in enumerate(AGENDA):
        TopicNote.objects.create(dialogue=dialogue, position=position, topic=topic, notes=notes.get(topic, ""))
    return dialogue


def _url(round_):
    return reverse("dialogs:round_analysis", args=[round_.pk])


def test_notes_grouped_by_topic_with_the_counterpart(org, people, login):
    round_ = _round(org)
    first = _dialogue(round_, org.unit, {AGENDA[0]: "Läsresultaten har ökat i åk 3.", AGENDA[2]: "Lokalfrågan."})
    _dialogue(round_, org.other_unit, {AGENDA[0]: "Tydligare analys av betygen behövs."})
    AgreedAction.objects.create(dialogue=first, what="Följa upp läsinsatsen i januari", owner=people.rector)
    groups = notes_by_topic(round_)
    assert [g.topic for g in groups] == [AGENDA[0], AGENDA[2]]  # topics without notes are left out
    assert [n.dialogue.counterpart_name for n in groups[0].notes] == ["Västervångskolan", "Österportskolan"]

    response = login(people.leadership).get(_url(round_))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index(AGENDA[0]) < body.index("Läsresultaten har ökat") < body.index(AGENDA[2]) < body.index("Lokalfrågan")
    assert "Tydligare analys av betygen behövs." in body
    assert "Följa upp läsinsatsen i januari" in body


def test_hosts_only(org, people, login):
    round_ = _round(org)
    _dialogue(round_, org.unit, {AGENDA[0]: "Hemligt"})
    assert login(people.rector).get(_url(round_)).status_code == 403  # sees the round as counterpart
    for person in (people.provider_contact, people.member, people.outsider, people.other_rector):
        assert login(person).get(_url(round_)).status_code == 404
    assert login(people.provider_contact).post(_url(round_), {"summary": "x"}).status_code == 404
    assert not RoundAnalysis.objects.exists()


def test_analysis_saved_with_optimistic_locking(org, people, login):
    round_ = _round(org)
    client = login(people.leadership)
    data = {"summary": "Sammanfattning", "analysis": "Analys", "proposed_actions": "- Inventera samarbetsformerna\n- Följ upp", "version": ""}
    assert client.post(_url(round_), data).status_code == 302
    analysis = RoundAnalysis.objects.get(round=round_)
    assert analysis.proposed_action_list == ["Inventera samarbetsformerna", "Följ upp"]
    assert client.post(_url(round_), {**data, "summary": "Ny", "version": analysis.version}).status_code == 302
    analysis.refresh_from_db()
    assert analysis.summary == "Ny" and analysis.version == 2

    # Someone saving on an old version is told, and nothing is overwritten.
    stale = client.post(_url(round_), {**data, "summary": "Gammal", "version": 1})
    assert stale.status_code == 200
    assert stale.context["form"].non_field_errors()
    analysis.refresh_from_db()
    assert analysis.summary == "Ny"
    # A form opened before the analysis existed conflicts too.
    assert client.post(_url(round_), {**data, "summary": "Också gammal", "version": ""}).status_code == 200
    analysis.refresh_from_db()
    assert analysis.summary == "Ny"


def test_queries_do_not_grow_with_dialogues(org, people, login, django_assert_max_num_queries):
    round_ = _round(org)
    client = login(people.leadership)
    d = _dialogue(round_, org.unit, {t: f"Anteckning {t}" for t in AGENDA})
    AgreedAction.objects.create(dialogue=d, what="Åtgärd", owner=people.rector)
    client.get(_url(round_))
    with django_assert_max_num_queries(30) as few:
        client.get(_url(round_))
    for i in range(6):
        unit = UnitFactory(name=f"Skola {i}", administration=org.administration)
        other = _dialogue(round_, unit, {t: f"Anteckning {i} {t}" for t in AGENDA})
        AgreedAction.objects.create(dialogue=other, what=f"Åtgärd {i}", owner=people.rector)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url(round_))
    assert "Skola 5" in response.content.decode()
