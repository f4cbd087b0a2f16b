"""Holding a dialogue: attendance, notes per topic (with conflicts), share → comment → lock, who
sees what, the previous dialogue's actions on the agenda, and query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dialogs.models import AgreedAction, Dialogue, NoteComment, Participant
from dialogs.services import actions as action_services
from dialogs.services import holding as services
from dialogs.services.holding import FOLLOW_UP_POSITION, HoldingError
from ska.models import Role

from ..factories import DialogueFactory, RoleFactory, RoundFactory, SlotFactory, UserFactory


def make_dialogue(org, topics=("Trygghet och säkerhet", "Resultat och kvalitet"), **round_values):
    round_ = RoundFactory(administration=org.administration, kind="provider", agenda_topics=list(topics), **round_values)
    return DialogueFactory(round=round_, provider=org.provider)


def hold_url(dialogue):
    return reverse("dialogs:dialogue_hold", args=[dialogue.pk])


def notes_url(dialogue):
    return reverse("dialogs:dialogue_notes", args=[dialogue.pk])


def held_and_shared(dialogue, user):
    services.dialogue_start_notes(dialogue=dialogue, user=user)
    services.dialogue_mark_held(dialogue=dialogue, user=user)
    return services.notes_share(dialogue=dialogue, user=user)


def note_post(note, text, version):
    prefix = f"note-{note.pk}"
    return {f"{prefix}-notes": text, f"{prefix}-version": version}


# --- The page and its notes ----------------------------------------------------------
def test_holding_page_starts_the_notes_one_per_agenda_topic(org, people, login):
    dialogue = make_dialogue(org)
    response = login(people.leadership).get(hold_url(dialogue))
    assert response.status_code == 200
    assert [n.topic for n in dialogue.topic_notes.order_by("position")] == ["Trygghet och säkerhet", "Resultat och kvalitet"]
    body = response.content.decode()
    assert "Trygghet och säkerhet" in body and 'hx-post="' in body
    # Opening the page again does not add them twice.
    login(people.leadership).get(hold_url(dialogue))
    assert dialogue.topic_notes.count() == 2


def test_notes_are_saved_per_topic_and_a_stale_save_keeps_the_text_and_says_who(org, people, login):
    dialogue = make_dialogue(org)
    other_host = UserFactory(username="utvecklingschef", first_name="Ulla", last_name="Utveckling")
    RoleFactory(user=other_host, role=Role.LEADERSHIP, administration=org.administration)
    first = login(people.leadership)
    first.get(hold_url(dialogue))
    note = dialogue.topic_notes.get(position=1)

    # Ulla saves first, from the same version.
    response = login(other_host).post(reverse("dialogs:topic_note_save", args=[note.pk]), note_post(note, "Ullas text", 1))
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.notes, note.version, note.updated_by) == ("Ullas text", 2, other_host)

    # The skolchef's save based on version 1 is refused, over htmx ...
    response = first.post(
        reverse("dialogs:topic_note_save", args=[note.pk]), note_post(note, "Min text", 1), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # the topic's fragment only
    assert "Ulla Utveckling" in body and "Min text" in body and "Ullas text" in body
    assert f'name="note-{note.pk}-version" value="2"' in body  # saving again keeps theirs on purpose
    note.refresh_from_db()
    assert note.notes == "Ullas text"
    # ... and without htmx.
    response = first.post(reverse("dialogs:topic_note_save", args=[note.pk]), note_post(note, "Min text", 1))
    assert response.status_code == 200 and "Ulla Utveckling" in response.content.decode()
    note.refresh_from_db()
    assert note.notes == "Ullas text"

    # Saving again on the version they now know keeps the person's text.
    response = first.post(
        reverse("dialogs:topic_note_save", args=[note.pk]), note_post(note, "Min text", 2), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    note.refresh_from_db()
    assert (note.notes, note.version) == ("Min text", 3)


def test_attendance_and_participants_without_an_account(org, people, login):
    dialogue = make_dialogue(org)
    contact = Participant.objects.create(dialogue=dialogue, user=people.provider_contact, name="Kontakt", side="counterpart")
    client = login(people.leadership)
    response = client.post(
        reverse("dialogs:participant_add", args=[dialogue.pk]),
        {"name": "Elin Berg", "role": "Elevrepresentant", "side": "counterpart"},
    )
    assert response.status_code == 302
    pupil = dialogue.participants.get(name="Elin Berg")
    assert pupil.user is None and pupil.attended is True
    response = client.post(
        reverse("dialogs:dialogue_attendance", args=[dialogue.pk]), {f"p{contact.pk}": "no", f"p{pupil.pk}": "yes"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.attended is False
    body = client.get(hold_url(dialogue)).content.decode()
    assert "Elin Berg" in body and "Elevrepresentant" in body
    # A name is required.
    response = client.post(reverse("dialogs:participant_add", args=[dialogue.pk]), {"name": "", "side": "counterpart"})
    assert response.status_code == 200 and dialogue.participants.count() == 2


def test_hosts_add_change_and_remove_actions(org, people, login):
    dialogue = make_dialogue(org)
    Participant.objects.create(dialogue=dialogue, user=people.provider_contact, name="Kontakt", side="counterpart")
    client = login(people.leadership)
    due = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        reverse("dialogs:action_add", args=[dialogue.pk]),
        {"new-action-what": "Ta fram en trygghetsplan", "new-action-owner": people.provider_contact.pk, "new-action-due_on": due.isoformat()},
    )
    assert response.status_code == 302
    action = dialogue.actions.get()
    assert (action.owner, action.due_on) == (people.provider_contact, due)
    # Someone without an account by name.
    client.post(
        reverse("dialogs:action_add", args=[dialogue.pk]),
        {"new-action-what": "Elevrådet tar upp frågan", "new-action-owner_name": "Elevrådet"},
    )
    assert dialogue.actions.filter(owner_name="Elevrådet").exists()
    # Neither a person nor a name: refused beside the field.
    response = client.post(reverse("dialogs:action_add", args=[dialogue.pk]), {"new-action-what": "Något"})
    assert response.status_code == 200 and dialogue.actions.count() == 2
    # Only people of the dialogue or the administration can own an action.
    response = client.post(
        reverse("dialogs:action_add", args=[dialogue.pk]),
        {"new-action-what": "Något", "new-action-owner": people.outsider.pk},
    )
    assert response.status_code == 200 and dialogue.actions.count() == 2

    # Change with optimistic locking.
    edit = reverse("dialogs:action_edit", args=[action.pk])
    assert client.get(edit).status_code == 200
    data = {"what": "Ta fram en trygghetsplan för rasterna", "owner": people.provider_contact.pk, "due_on": due.isoformat(), "version": 1}
    assert client.post(edit, data).status_code == 302
    action.refresh_from_db()
    assert action.what.endswith("rasterna") and action.version == 2
    response = client.post(edit, {**data, "what": "Gammal version"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    action.refresh_from_db()
    assert action.what.endswith("rasterna")

    # Done, and removed softly.
    client.post(reverse("dialogs:action_done", args=[action.pk]), {"done": "on", "next": hold_url(dialogue)})
    action.refresh_from_db()
    assert action.done_at is not None
    assert client.post(reverse("dialogs:action_delete", args=[action.pk])).status_code == 302
    assert not AgreedAction.objects.filter(pk=action.pk).exists()
    assert AgreedAction.all_objects.get(pk=action.pk).deleted_by == people.leadership


# --- Share, comment, lock --------------------------------------------------------------
def test_share_then_both_sides_comment_then_lock_refuses_every_change(org, people, login):
    dialogue = make_dialogue(org)
    pupil = Participant.objects.create(dialogue=dialogue, name="Elin Berg", side="counterpart")
    host, contact = login(people.leadership), login(people.provider_contact)
    host.get(hold_url(dialogue))
    note = dialogue.topic_notes.get(position=1)
    host.post(reverse("dialogs:topic_note_save", args=[note.pk]), note_post(note, "Tryggheten har ökat.", 1))
    action = action_services.action_create(dialogue=dialogue, what="Plan för rasterna", owner=people.leadership, user=people.leadership)

    # Sharing needs the dialogue held first.
    host.post(reverse("dialogs:notes_share", args=[dialogue.pk]))
    assert Dialogue.objects.get(pk=dialogue.pk).notes_state == "draft"
    host.post(reverse("dialogs:dialogue_mark_held", args=[dialogue.pk]))
    host.post(reverse("dialogs:notes_share", args=[dialogue.pk]))
    dialogue.refresh_from_db()
    assert dialogue.held_at is not None and dialogue.notes_state == "shared" and dialogue.notes_shared_at

    page = contact.get(notes_url(dialogue))
    assert page.status_code == 200 and "Tryggheten har ökat." in page.content.decode()
    assert "Plan för rasterna" in page.content.decode()
    contact.post(reverse("dialogs:topic_comment_add", args=[note.pk]), {f"comment-{note.pk}-text": "Vi håller med."})
    host.post(reverse("dialogs:note_comment_add", args=[dialogue.pk]), {"comment-text": "Tack för samtalet."})
    assert list(NoteComment.objects.values_list("author__username", "topic_note_id")) == [
        ("fristaende", note.pk),
        ("skolchef", None),
    ]

    host.post(reverse("dialogs:notes_lock", args=[dialogue.pk]))
    dialogue.refresh_from_db()
    assert dialogue.notes_state == "locked" and dialogue.notes_locked_at

    # Read only now: no forms on either page ...
    body = contact.get(notes_url(dialogue)).content.decode()
    assert "Vi håller med." in body and "<textarea" not in body
    assert "<textarea" not in host.get(hold_url(dialogue)).content.decode()
    # ... and crafted POSTs change nothing.
    crafted = [
        (host, reverse("dialogs:topic_note_save", args=[note.pk]), note_post(note, "Ändrad", 2)),
        (host, reverse("dialogs:dialogue_attendance", args=[dialogue.pk]), {f"p{pupil.pk}": "no"}),
        (host, reverse("dialogs:participant_add", args=[dialogue.pk]), {"name": "Ny", "side": "counterpart"}),
        (host, reverse("dialogs:participant_remove", args=[dialogue.pk, pupil.pk]), {}),
        (host, reverse("dialogs:action_add", args=[dialogue.pk]), {"new-action-what": "Ny", "new-action-owner_name": "X"}),
        (host, reverse("dialogs:action_edit", args=[action.pk]), {"what": "Ändrad", "owner_name": "X", "version": 1}),
        (host, reverse("dialogs:action_delete", args=[action.pk]), {}),
        (host, reverse("dialogs:note_comment_add", args=[dialogue.pk]), {"comment-text": "Sent"}),
        (contact, reverse("dialogs:topic_comment_add", args=[note.pk]), {f"comment-{note.pk}-text": "Sent"}),
        (host, reverse("dialogs:notes_share", args=[dialogue.pk]), {}),
    ]
    for client, url, data in crafted:
        assert client.post(url, data).status_code in (200, 302, 403), url
    note.refresh_from_db()
    pupil.refresh_from_db()
    action.refresh_from_db()
    dialogue.refresh_from_db()
    assert note.notes == "Tryggheten har ökat." and pupil.attended is None
    assert dialogue.participants.count() == 1 and dialogue.actions.count() == 1 and action.what == "Plan för rasterna"
    assert NoteComment.objects.count() == 2 and dialogue.notes_state == "locked"
    # The services themselves refuse.
    with pytest.raises(HoldingError):
        services.topic_note_save(note=note, version=note.version, notes="x", user=people.leadership)
    with pytest.raises(HoldingError):
        services.attendance_set(dialogue=dialogue, attended={pupil.pk: True}, user=people.leadership)
    with pytest.raises(HoldingError):
        action_services.action_update(action=action, version=action.version, values={"what": "x"}, user=people.leadership)
    with pytest.raises(HoldingError):
        action_services.action_delete(action=action, user=people.leadership)
    # What happens afterwards still can: the action is marked done.
    action_services.action_set_done(action=action, done=True, user=people.leadership)
    action.refresh_from_db()
    assert action.done_at is not None


def test_counterpart_sees_no_draft_notes_and_cannot_hold(org, people, login):
    dialogue = make_dialogue(org)
    Participant.objects.create(dialogue=dialogue, user=people.provider_contact, name="Kontakt", side="counterpart")
    contact = login(people.provider_contact)
    assert contact.get(notes_url(dialogue)).status_code == 404
    assert contact.get(hold_url(dialogue)).status_code == 403
    login(people.leadership).get(hold_url(dialogue))
    note = dialogue.topic_notes.first()
    assert contact.post(reverse("dialogs:topic_note_save", args=[note.pk]), note_post(note, "x", 1)).status_code == 403
    assert contact.post(reverse("dialogs:topic_comment_add", args=[note.pk]), {f"comment-{note.pk}-text": "x"}).status_code == 404
    held_and_shared(dialogue, people.leadership)
    assert contact.get(notes_url(dialogue)).status_code == 200
    assert contact.get(hold_url(dialogue)).status_code == 403
    assert contact.post(reverse("dialogs:notes_lock", args=[dialogue.pk])).status_code == 403


def _every_url(dialogue, note, action, participant):
    gets = [hold_url(dialogue), notes_url(dialogue), reverse("dialogs:action_edit", args=[action.pk])]
    posts = [
        (reverse("dialogs:topic_note_save", args=[note.pk]), note_post(note, "x", note.version)),
        (reverse("dialogs:dialogue_attendance", args=[dialogue.pk]), {f"p{participant.pk}": "no"}),
        (reverse("dialogs:participant_add", args=[dialogue.pk]), {"name": "Ny", "side": "counterpart"}),
        (reverse("dialogs:participant_remove", args=[dialogue.pk, participant.pk]), {}),
        (reverse("dialogs:dialogue_mark_held", args=[dialogue.pk]), {}),
        (reverse("dialogs:notes_share", args=[dialogue.pk]), {}),
        (reverse("dialogs:notes_lock", args=[dialogue.pk]), {}),
        (reverse("dialogs:action_add", args=[dialogue.pk]), {"new-action-what": "x", "new-action-owner_name": "x"}),
        (reverse("dialogs:action_follow_up", args=[dialogue.pk, action.pk]), {}),
        (reverse("dialogs:action_edit", args=[action.pk]), {"what": "x", "owner_name": "x", "version": 1}),
        (reverse("dialogs:action_delete", args=[action.pk]), {}),
        (reverse("dialogs:action_done", args=[action.pk]), {"done": "on"}),
        (reverse("dialogs:note_comment_add", args=[dialogue.pk]), {"comment-text": "x"}),
        (reverse("dialogs:topic_comment_add", args=[note.pk]), {f"comment-{note.pk}-text": "x"}),
    ]
    return gets, posts


@pytest.mark.parametrize("shared", [False, True])
def test_another_providers_contact_and_outsiders_get_404_everywhere(org, people, login, shared):
    dialogue = make_dialogue(org)
    participant = Participant.objects.create(dialogue=dialogue, name="Elin Berg", side="counterpart")
    note = services.dialogue_start_notes(dialogue=dialogue, user=people.leadership)[0]
    action = action_services.action_create(dialogue=dialogue, what="Plan", owner=people.leadership, user=people.leadership)
    if shared:
        held_and_shared(dialogue, people.leadership)
    stranger = UserFactory(username="myrstacken")
    RoleFactory(user=stranger, role=Role.PROVIDER_CONTACT, provider=org.other_provider)
    gets, posts = _every_url(dialogue, note, action, participant)
    for person in (stranger, people.outsider, people.rector):
        client = login(person)
        for url in gets:
            assert client.get(url).status_code == 404, (person, url)
        for url, data in posts:
            assert client.post(url, data).status_code == 404, (person, url)
    note.refresh_from_db()
    dialogue.refresh_from_db()
    assert note.notes == "" and dialogue.participants.count() == 1 and NoteComment.objects.count() == 0
    assert dialogue.notes_state == ("shared" if shared else "draft")


# --- The previous dialogue's actions -------------------------------------------------------
def test_previous_dialogues_actions_come_back_first_on_the_next_agenda(org, people, login):
    autumn = make_dialogue(org, title="Kvalitetssamtal HT")
    services.dialogue_mark_held(
        dialogue=autumn, user=people.leadership, held_at=timezone.now() - datetime.timedelta(days=120)
    )
    kept = action_services.action_create(
        dialogue=autumn, what="Ses över överlämningarna", owner=people.provider_contact, user=people.leadership,
        due_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    gone = action_services.action_create(dialogue=autumn, what="Borttagen", owner_name="X", user=people.leadership)
    action_services.action_delete(action=gone, user=people.leadership)
    # A dialogue with another provider has its own history.
    other = DialogueFactory(round=autumn.round, provider=org.other_provider)
    services.dialogue_mark_held(dialogue=other, user=people.leadership)
    action_services.action_create(dialogue=other, what="Myrstackens åtgärd", owner_name="Y", user=people.leadership)

    spring = make_dialogue(org, title="Kvalitetssamtal VT")
    client = login(people.leadership)
    body = client.get(hold_url(spring)).content.decode()
    topics = list(spring.topic_notes.order_by("position").values_list("position", "topic"))
    assert topics[0] == (FOLLOW_UP_POSITION, str(services.FOLLOW_UP_TOPIC))
    assert [t for _, t in topics[1:]] == ["Trygghet och säkerhet", "Resultat och kvalitet"]
    assert "Ses över överlämningarna" in body and "Borttagen" not in body and "Myrstackens åtgärd" not in body
    assert body.index(str(services.FOLLOW_UP_TOPIC)) < body.index("Trygghet och säkerhet")

    # Its follow-up is written at the new dialogue.
    prefix = f"action-{kept.pk}"
    response = client.post(
        reverse("dialogs:action_follow_up", args=[spring.pk, kept.pk]),
        {f"{prefix}-follow_up": "Klart i mars.", f"{prefix}-done": "on", f"{prefix}-version": kept.version},
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.follow_up == "Klart i mars." and kept.done_at is not None
    # A stale follow-up is refused.
    response = client.post(
        reverse("dialogs:action_follow_up", args=[spring.pk, kept.pk]),
        {f"{prefix}-follow_up": "Gammalt", f"{prefix}-version": 1},
    )
    assert response.status_code == 200
    kept.refresh_from_db()
    assert kept.follow_up == "Klart i mars."
    # An action of another dialogue cannot be followed up here.
    foreign = other.actions.get()
    assert client.post(reverse("dialogs:action_follow_up", args=[spring.pk, foreign.pk]), {}).status_code == 404
    # The counterpart reads the follow-up with the shared notes.
    held_and_shared(spring, people.leadership)
    body = login(people.provider_contact).get(notes_url(spring)).content.decode()
    assert "Ses över överlämningarna" in body and "Klart i mars." in body


def test_a_dialogue_without_earlier_actions_has_no_follow_up_topic(org, people, login):
    first = make_dialogue(org)
    services.dialogue_mark_held(dialogue=first, user=people.leadership)  # held, but nothing agreed
    second = make_dialogue(org)
    login(people.leadership).get(hold_url(second))
    assert not second.topic_notes.filter(position=FOLLOW_UP_POSITION).exists()


# --- Query counts --------------------------------------------------------------------------
def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _fill(dialogue, org, people, n):
    for i in range(n):
        Participant.objects.create(dialogue=dialogue, name=f"Elev {i}", role="Elevrepresentant", side="counterpart")
        action_services.action_create(dialogue=dialogue, what=f"Åtgärd {i}", owner=people.leadership, user=people.leadership)
    for note in dialogue.topic_notes.all():
        NoteComment.objects.create(dialogue=dialogue, topic_note=note, author=people.leadership, text="Kommentar")


def test_holding_and_notes_pages_take_the_same_number_of_queries_with_more_data(org, people, login, django_assert_max_num_queries):
    previous = make_dialogue(org)
    services.dialogue_mark_held(dialogue=previous, user=people.leadership, held_at=timezone.now() - datetime.timedelta(days=90))
    action_services.action_create(dialogue=previous, what="Förra", owner=people.leadership, user=people.leadership)
    small = make_dialogue(org, topics=["Ett"])
    big = make_dialogue(org, topics=[f"Ämne {i}" for i in range(12)])
    SlotFactory(round=big.round, hosts=[people.leadership])
    client = login(people.leadership)
    for dialogue in (small, big):
        client.get(hold_url(dialogue))  # starts the notes
    _fill(small, org, people, 1)
    _fill(big, org, people, 12)
    held_and_shared(small, people.leadership)
    held_and_shared(big, people.leadership)
    for url in (hold_url, notes_url):
        few = _queries(login(people.leadership), url(small))
        many = _queries(login(people.leadership), url(big))
        assert many == few, f"{url.__name__}: {few} queries with little data, {many} with more"
    host = login(people.leadership)
    with django_assert_max_num_queries(16):
        assert host.get(hold_url(big)).status_code == 200
    contact = login(people.provider_contact)
    Participant.objects.create(dialogue=big, user=people.provider_contact, name="Kontakt", side="counterpart")
    with django_assert_max_num_queries(14):
        assert contact.get(notes_url(big)).status_code == 200


# --- Demo ----------------------------------------------------------------------------------
def test_demo_holds_a_booked_dialogue_and_locks_its_notes(org, people, login):
    from dialogs.demo_holding import seed_held_dialogue

    round_ = RoundFactory(
        administration=org.administration, kind="administration",
        agenda_topics=["Resultat och måluppfyllelse", "Självskattning mot kvalitetsmatrisen", "Trygghet och studiero"],
    )
    dialogue = DialogueFactory(round=round_, unit=org.unit)
    Participant.objects.create(dialogue=dialogue, user=people.rector, name="Rektor", side="counterpart")
    slot = SlotFactory(round=round_, starts_at=timezone.now() - datetime.timedelta(days=7), ends_at=timezone.now() - datetime.timedelta(days=7, hours=-1), hosts=[people.leadership])
    Dialogue.objects.filter(pk=dialogue.pk).update(slot=slot)
    dialogue.refresh_from_db()

    seed_held_dialogue(dialogue, [people.leadership], [people.rector, people.leadership])
    seed_held_dialogue(dialogue, [people.leadership], [people.rector, people.leadership])  # idempotent

    dialogue.refresh_from_db()
    assert dialogue.notes_state == "locked" and dialogue.held_at == slot.starts_at
    assert all(note.notes for note in dialogue.topic_notes.all()) and dialogue.topic_notes.count() == 3
    assert dialogue.actions.count() == 3 and dialogue.actions.filter(owner=people.rector).count() == 2
    assert dialogue.participants.filter(user__isnull=True, role="Elevrepresentant").count() == 2
    assert not dialogue.participants.filter(attended__isnull=True).exists()
    assert login(people.rector).get(notes_url(dialogue)).status_code == 200
    assert "my-actions-heading" in login(people.rector).get(reverse("start")).content.decode()
