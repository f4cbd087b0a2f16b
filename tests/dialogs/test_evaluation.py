"""The year-end evaluation: sending to everyone who took part, answering once and anonymously,
and results that stay hidden below three answers."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dialogs.models import EvaluationInvitation, EvaluationQuestion, EvaluationResponse, Participant
from dialogs.services import evaluation as services
from dialogs.tasks import send_evaluation_invitations
from ska.schoolyear import SchoolYear

from ..factories import DialogueFactory, RoundFactory, UserFactory

KIND = "provider"


@pytest.fixture
def held(org, people):
    """A provider round this school year with one held and one not yet held dialogue."""
    round_ = RoundFactory(administration=org.administration, kind=KIND)
    done = DialogueFactory(round=round_, provider=org.provider, held_at=timezone.now())
    pending = DialogueFactory(round=round_, provider=org.other_provider)
    Participant.objects.create(dialogue=done, user=people.leadership, name="Skolchef", side="host")
    Participant.objects.create(dialogue=done, user=people.provider_contact, name="Kontakt", side="counterpart")
    Participant.objects.create(dialogue=done, name="Elevrepresentant", side="counterpart")  # no account
    late = UserFactory(username="sen")
    Participant.objects.create(dialogue=pending, user=late, name="Sen", side="counterpart")
    return round_


def _send(org, round_):
    return services.evaluations_send(municipality=org.municipality, kind=KIND, school_year=round_.school_year)


def test_everyone_who_took_part_on_both_sides_is_invited_once(org, people, held, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(org, held) == 2
    invitations = EvaluationInvitation.objects.filter(municipality=org.municipality, kind=KIND)
    assert dict(invitations.values_list("user__username", "side")) == {"skolchef": "host", "fristaende": "counterpart"}
    assert all(i.sent_at for i in invitations)
    assert len(mail.outbox) == 2
    assert reverse("dialogs:evaluation_answer", args=[invitations[0].pk]) in mail.outbox[0].body
    # The built-in questions became the municipality's own.
    assert EvaluationQuestion.objects.filter(municipality=org.municipality).count() == len(services.DEFAULT_QUESTIONS)

    with django_capture_on_commit_callbacks(execute=True):
        assert _send(org, held) == 0
    send_evaluation_invitations([i.pk for i in invitations])  # the task run twice
    assert invitations.count() == 2
    assert len(mail.outbox) == 2


def test_leadership_sends_from_the_results_page(org, people, held, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(people.leadership).post(
            reverse("dialogs:evaluation_send"), {"kind": KIND, "school_year": held.school_year.start_year}
        )
    assert response.status_code == 302
    assert EvaluationInvitation.objects.count() == 2
    assert login(people.provider_contact).post(
        reverse("dialogs:evaluation_send"), {"kind": KIND, "school_year": held.school_year.start_year}
    ).status_code == 403


def _invite(org, user, side="counterpart", year=None):
    return EvaluationInvitation.objects.create(
        municipality=org.municipality, kind=KIND, school_year=year or SchoolYear.current(), user=user, side=side
    )


def _answers(question_ids, scale=4, text="Mer tid"):
    data = {}
    for pk, answer in question_ids:
        data[f"q{pk}"] = str(scale) if answer == "scale" else text
    return data


def test_answering_is_anonymous_and_once(org, people, login):
    services.questions_ensure(municipality=org.municipality)
    questions = list(EvaluationQuestion.objects.values_list("pk", "answer"))
    invitation = _invite(org, people.provider_contact)
    client = login(people.provider_contact)
    assert client.get(reverse("dialogs:evaluation_answer", args=[invitation.pk])).status_code == 200
    response = client.post(reverse("dialogs:evaluation_answer", args=[invitation.pk]), _answers(questions))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    response_row = EvaluationResponse.objects.get()
    assert response_row.side == "counterpart"
    assert {f.name for f in EvaluationResponse._meta.fields}.isdisjoint({"user", "invitation", "person"})
    assert "Mer tid" in response_row.answers.values()

    again = client.post(reverse("dialogs:evaluation_answer", args=[invitation.pk]), _answers(questions, scale=1), follow=True)
    assert EvaluationResponse.objects.count() == 1
    assert "already answered" in again.content.decode() or "redan" in again.content.decode()
    with pytest.raises(services.EvaluationError):
        services.evaluation_answer(invitation=invitation, user=people.provider_contact, answers={})
    assert EvaluationResponse.objects.count() == 1

    mine = client.get(reverse("dialogs:my_evaluations"))
    assert mine.status_code == 200


def test_nobody_else_sees_an_invitation(org, people, login):
    services.questions_ensure(municipality=org.municipality)
    invitation = _invite(org, people.leadership, side="host")
    for person in (people.provider_contact, people.secretary, people.sysadmin):
        client = login(person)
        assert client.get(reverse("dialogs:evaluation_answer", args=[invitation.pk])).status_code == 404
        assert client.post(reverse("dialogs:evaluation_answer", args=[invitation.pk]), {}).status_code == 404
    assert "skolchef" not in login(people.provider_contact).get(reverse("dialogs:my_evaluations")).content.decode()
    assert EvaluationResponse.objects.count() == 0


def _respond(org, n, side="counterpart", scale=4, text="Bra samtal", start=0):
    services.questions_ensure(municipality=org.municipality)
    questions = list(EvaluationQuestion.objects.filter(municipality=org.municipality))
    for i in range(start, start + n):
        user = UserFactory(username=f"svar{side}{i}")
        invitation = _invite(org, user, side=side)
        answers = {q.pk: (scale + (i % 2) if q.answer == "scale" else f"{text} {i}") for q in questions}
        services.evaluation_answer(invitation=invitation, user=user, answers=answers)


def _results(client, year=None):
    year = year or SchoolYear.current()
    return client.get(reverse("dialogs:evaluation_results") + f"?typ={KIND}&lasar={year.start_year}")


def test_two_answers_show_nothing(org, people, login):
    _respond(org, 2)
    response = _results(login(people.leadership))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Too few answers to show results" in body or "För få svar" in body
    assert "Bra samtal" not in body
    assert "<meter" not in body
    assert "people answered" not in body
    assert response.context["all"].shown is False and response.context["all"].count == 0
    assert response.context["all"].scales == [] and response.context["all"].texts == []


def test_three_answers_show_the_aggregate(org, people, login):
    _respond(org, 3)  # scale answers 4, 5, 4
    response = _results(login(people.leadership))
    result = response.context["all"]
    assert result.shown and result.count == 3
    first = result.scales[0]
    assert first.average == 4.3
    assert [(v, c) for v, c, _p in first.distribution] == [(1, 0), (2, 0), (3, 0), (4, 2), (5, 1)]
    body = response.content.decode()
    assert "Bra samtal 0" in body and "Bra samtal 2" in body
    # Per side: three on the counterpart's side, none on the hosts'.
    hosts, counterparts = response.context["sides"]
    assert hosts.shown is False and counterparts.shown is True


def test_each_side_hidden_below_three(org, people, login):
    _respond(org, 3, side="counterpart")
    _respond(org, 2, side="host", text="Värdsvar")
    response = _results(login(people.leadership))
    hosts, counterparts = response.context["sides"]
    assert response.context["all"].count == 5
    assert not hosts.shown and hosts.scales == [] and hosts.texts == []
    # Showing the counterparts' three next to everyone's five would reveal the hosts' two by
    # subtraction: the sides are hidden together.
    assert not counterparts.shown and counterparts.scales == []
    _respond(org, 1, side="host", text="Tredje", start=2)
    hosts, counterparts = _results(login(people.leadership)).context["sides"]
    assert hosts.shown and counterparts.shown and hosts.count == 3


def test_results_for_leadership_only(org, people, login):
    _respond(org, 3)
    for person in (people.provider_contact, people.rector, people.secretary, people.member, people.outsider):
        assert _results(login(person)).status_code == 403
    assert login(people.provider_contact).get(reverse("dialogs:evaluation_questions")).status_code == 403


def test_question_settings(org, people, login):
    client = login(people.leadership)
    page = client.get(reverse("dialogs:evaluation_questions"))
    assert page.status_code == 200
    assert "Samtalen har bidragit till kvalitetsutveckling" in page.content.decode()
    assert not EvaluationQuestion.objects.exists()  # reading the page changes nothing
    client.post(reverse("dialogs:evaluation_questions"), {"action": "adopt"})
    questions = list(EvaluationQuestion.objects.filter(municipality=org.municipality).order_by("position", "pk"))
    assert len(questions) == len(services.DEFAULT_QUESTIONS)
    data = {
        "action": "save",
        "question-TOTAL_FORMS": str(len(questions) + 1),
        "question-INITIAL_FORMS": str(len(questions)),
        "question-MIN_NUM_FORMS": "0",
        "question-MAX_NUM_FORMS": "1000",
    }
    for i, q in enumerate(questions):
        data.update({
            f"question-{i}-id": q.pk, f"question-{i}-text": q.text, f"question-{i}-answer": q.answer,
            f"question-{i}-kind": q.kind, f"question-{i}-position": q.position,
        })
        if i:
            data[f"question-{i}-active"] = "on"
    n = len(questions)
    data.update({f"question-{n}-text": "Samtalen var lagom långa", f"question-{n}-answer": "scale",
                 f"question-{n}-kind": KIND, f"question-{n}-position": "9", f"question-{n}-active": "on"})
    assert client.post(reverse("dialogs:evaluation_questions"), data).status_code == 302
    assert not EvaluationQuestion.objects.get(pk=questions[0].pk).active
    added = EvaluationQuestion.objects.get(text="Samtalen var lagom långa")
    assert added.municipality == org.municipality and added.kind == KIND
    assert added in services.questions_for(org.municipality, KIND)
    assert added not in services.questions_for(org.municipality, "committee")


def test_the_year_end_job_invites_every_kind_held_this_year(org, people, held, django_capture_on_commit_callbacks):
    from dialogs.tasks import send_year_end_evaluations

    unit_round = RoundFactory(administration=org.administration, kind="administration")
    held_at_unit = DialogueFactory(round=unit_round, unit=org.unit, held_at=timezone.now())
    Participant.objects.create(dialogue=held_at_unit, user=people.rector, name="Rektor", side="counterpart")
    end_of_year = held.school_year.end.isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_year_end_evaluations(end_of_year) == 3
    kinds = dict(EvaluationInvitation.objects.values_list("user__username", "kind"))
    assert kinds == {"skolchef": "provider", "fristaende": "provider", "rektor": "administration"}
    with django_capture_on_commit_callbacks(execute=True):
        assert send_year_end_evaluations(end_of_year) == 0
    assert len(mail.outbox) == 3
