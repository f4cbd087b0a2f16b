"""Rounds: created by hand from the kind's template, created by a dialogue-round event in the
annual wheel, their counterparts, texts and status; the templates per municipality."""

import datetime

import pytest
from django.urls import reverse

from annualwheel.models import EventKind, Wheel
from annualwheel.services.events import event_create, event_update
from dialogs.models import Dialogue, DialogueKind, DialogueTemplate, Round
from dialogs.services.templates import DEFAULTS

pytestmark = pytest.mark.django_db

TYRESO_TOPICS = [
    "Trygghet och säkerhet",
    "Resultat och kvalitet",
    "Kompetensutvecklingsbehov",
    "Befolkningsprognos och behov av platser",
    "Överlämningar",
    "Barn- och elevhälsa",
]


def test_the_provider_template_has_tyresos_six_topics():
    assert DEFAULTS[DialogueKind.PROVIDER].agenda_topics == TYRESO_TOPICS
    assert "Självskattning" in " ".join(DEFAULTS[DialogueKind.ADMINISTRATION].agenda_topics)


def test_skolchef_creates_a_provider_round_that_meets_every_provider(org, people, login):
    client = login(people.leadership)
    response = client.post(reverse("dialogs:round_create"), {
        "kind": "provider", "title": "Kvalitetssamtal med fristående VT 2027",
        "starts_on": "2027-02-01", "ends_on": "2027-03-31", "owner": f"administration-{org.administration.pk}",
    })
    round_ = Round.objects.get(title="Kvalitetssamtal med fristående VT 2027")
    assert response.status_code == 302 and response["Location"] == round_.get_absolute_url()
    assert round_.status == Round.Status.DRAFT
    assert round_.agenda_topics == TYRESO_TOPICS
    assert str(round_.term) == "VT 2027"
    assert set(round_.dialogues.values_list("provider__name", flat=True)) == {"Friskolan Lyckan AB", "Myrstacken AB"}


def test_a_municipalitys_own_template_is_what_new_rounds_start_from(org, people, login):
    client = login(people.leadership)
    response = client.post(reverse("dialogs:templates"), {
        "kind": "provider",
        "provider-purpose": "Vårt eget syfte",
        "provider-participant_roles": "Skolchef",
        "provider-agenda_topics": "Ett\nTvå\n\n",
        "provider-information_letter": "Välkomna",
        "provider-question_guide": "Fråga 1",
    })
    assert response.status_code == 302
    template = DialogueTemplate.objects.get(municipality=org.municipality, kind="provider")
    assert template.agenda_topics == ["Ett", "Två"]
    client.post(reverse("dialogs:round_create"), {
        "kind": "provider", "title": "Egen mall", "starts_on": "2027-02-01", "ends_on": "2027-03-31",
        "owner": f"administration-{org.administration.pk}",
    })
    round_ = Round.objects.get(title="Egen mall")
    assert (round_.purpose, round_.agenda_topics, round_.question_guide) == ("Vårt eget syfte", ["Ett", "Två"], ["Fråga 1"])
    # Other roles may not change templates.
    assert login(people.rector).get(reverse("dialogs:templates")).status_code == 403


def test_bad_dates_get_a_message_next_to_the_field_and_nothing_is_saved(org, people, login):
    response = login(people.leadership).post(reverse("dialogs:round_create"), {
        "kind": "provider", "title": "Fel", "starts_on": "2027-03-01", "ends_on": "2027-02-01",
        "owner": f"administration-{org.administration.pk}",
    })
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Round.all_objects.filter(title="Fel").exists()


def test_a_rektor_creates_only_rounds_within_their_unit(org, people, login):
    client = login(people.rector)
    response = client.post(reverse("dialogs:round_create"), {
        "kind": "provider", "title": "Inte tillåten", "starts_on": "2027-02-01", "ends_on": "2027-02-28",
        "owner": f"unit-{org.unit.pk}",
    })
    assert response.status_code == 200 and not Round.objects.filter(title="Inte tillåten").exists()
    client.post(reverse("dialogs:round_create"), {
        "kind": "unit", "title": "Kvalitetsdialog på Österportskolan", "starts_on": "2027-02-01",
        "ends_on": "2027-02-28", "owner": f"unit-{org.unit.pk}",
    })
    round_ = Round.objects.get(title="Kvalitetsdialog på Österportskolan")
    assert round_.unit == org.unit and list(round_.dialogues.values_list("unit", flat=True)) == [org.unit.pk]
    assert login(people.other_rector).get(round_.get_absolute_url()).status_code == 404
    assert login(people.provider_contact).post(reverse("dialogs:round_create"), {}).status_code == 403


def test_a_dialogue_round_event_in_the_wheel_creates_its_round(org, people):
    wheel = Wheel.objects.create(name="Förvaltningens årshjul", school_year=2026, administration=org.administration)
    event = event_create(
        wheel=wheel,
        values={
            "kind": EventKind.DIALOGUE_ROUND, "title": "Kvalitetssamtal med fristående HT",
            "start_date": datetime.date(2026, 10, 5), "end_date": datetime.date(2026, 11, 13),
        },
        user=people.leadership,
    )
    round_ = Round.objects.get(wheel_event=event)
    assert round_.kind == DialogueKind.PROVIDER and round_.status == Round.Status.DRAFT
    assert (round_.starts_on, round_.ends_on) == (datetime.date(2026, 10, 5), datetime.date(2026, 11, 13))
    assert round_.dialogues.count() == 2
    # Moving the event moves the draft round; it never makes a second one.
    event_update(event=event, version=event.version, values={"start_date": datetime.date(2026, 10, 12)}, user=people.leadership)
    assert Round.objects.filter(wheel_event=event).count() == 1
    assert Round.objects.get(wheel_event=event).starts_on == datetime.date(2026, 10, 12)
    # Other kinds of events start nothing.
    event_create(wheel=wheel, values={"kind": EventKind.ANALYSIS_DAY, "title": "Analysdag", "start_date": datetime.date(2026, 10, 1)}, user=people.leadership)
    assert Round.objects.count() == 1


def test_opening_and_editing_a_round(org, people, login):
    from ..factories import RoundFactory

    round_ = RoundFactory(administration=org.administration, status="draft")
    client = login(people.leadership)
    response = client.post(reverse("dialogs:round_status", args=[round_.pk]), {"status": "open"}, follow=True)
    assert "Lägg till vilka omgången möter" in response.content.decode()
    Dialogue.objects.create(round=round_, provider=org.provider)
    client.post(reverse("dialogs:round_status", args=[round_.pk]), {"status": "open"})
    round_.refresh_from_db()
    assert round_.status == Round.Status.OPEN
    # Two people editing: the second save, on the older version, is refused with who changed it.
    url = reverse("dialogs:round_edit", args=[round_.pk])
    form = {
        "title": "Nytt namn", "term": str(round_.term), "starts_on": round_.starts_on.isoformat(),
        "ends_on": round_.ends_on.isoformat(), "booking_cutoff_hours": "24", "version": str(round_.version),
        "agenda_topics": "A\nB", "question_guide": "",
    }
    assert client.post(url, form).status_code == 302
    response = client.post(url, {**form, "title": "Annat namn"})
    assert response.status_code == 200
    round_.refresh_from_db()
    assert round_.title == "Nytt namn" and round_.agenda_topics == ["A", "B"]
