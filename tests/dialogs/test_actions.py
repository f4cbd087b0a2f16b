"""Agreed actions on their owner's start page: who sees which, marking them done, query count."""

import datetime

from django.urls import reverse
from django.utils import timezone

from dialogs.models import AgreedAction, Participant
from dialogs.services import actions as action_services
from dialogs.services import holding as services
from dialogs.services.actions import open_actions_for

from ..factories import DialogueFactory, RoundFactory

TODAY = timezone.localdate


def make_dialogue(org, shared=True, **values):
    round_ = RoundFactory(administration=org.administration, kind="provider", **values)
    dialogue = DialogueFactory(round=round_, provider=org.provider)
    if shared:
        services.dialogue_mark_held(dialogue=dialogue, user=None)
        services.notes_share(dialogue=dialogue, user=None)
    return dialogue


def add(dialogue, user, what, owner=None, days=14, **values):
    return action_services.action_create(
        dialogue=dialogue, what=what, owner=owner, user=user, due_on=TODAY() + datetime.timedelta(days=days), **values
    )


def test_open_actions_are_the_owners_own_open_ones(org, people):
    dialogue = make_dialogue(org)
    mine = add(dialogue, people.leadership, "Trygghetsplan", owner=people.provider_contact)
    late = add(dialogue, people.leadership, "Försenad", owner=people.provider_contact, days=-3)
    done = add(dialogue, people.leadership, "Klar", owner=people.provider_contact)
    action_services.action_set_done(action=done, done=True, user=people.provider_contact)
    removed = add(dialogue, people.leadership, "Borttagen", owner=people.provider_contact)
    action_services.action_delete(action=removed, user=people.leadership)
    add(dialogue, people.leadership, "Någon annans", owner=people.leadership)
    add(dialogue, people.leadership, "Utan konto", owner_name="Elevrådet")

    actions = open_actions_for(people.provider_contact)
    assert [a.what for a in actions] == ["Försenad", "Trygghetsplan"]
    assert [a.is_overdue for a in actions] == [True, False]
    assert {a.pk: (a.is_host, a.can_read) for a in actions} == {late.pk: (False, True), mine.pk: (False, True)}
    assert [a.what for a in open_actions_for(people.leadership)] == ["Någon annans"]
    assert open_actions_for(people.outsider) == []


def test_actions_of_draft_notes_wait_for_sharing_unless_the_owner_hosts(org, people):
    dialogue = make_dialogue(org, shared=False)
    add(dialogue, people.leadership, "Kontaktens", owner=people.provider_contact)
    add(dialogue, people.leadership, "Skolchefens", owner=people.leadership)
    assert open_actions_for(people.provider_contact) == []
    hosted = open_actions_for(people.leadership)
    assert [(a.what, a.is_host, a.can_read) for a in hosted] == [("Skolchefens", True, True)]
    services.dialogue_mark_held(dialogue=dialogue, user=people.leadership)
    services.notes_share(dialogue=dialogue, user=people.leadership)
    assert [a.what for a in open_actions_for(people.provider_contact)] == ["Kontaktens"]


def test_open_actions_take_one_query(org, people, django_assert_num_queries):
    for n in range(5):
        dialogue = make_dialogue(org)
        add(dialogue, people.leadership, f"Åtgärd {n}", owner=people.provider_contact)
    people.provider_contact._ska_scope = None
    open_actions_for(people.provider_contact)  # reads the scope
    with django_assert_num_queries(1):
        actions = open_actions_for(people.provider_contact)
        assert [str(a.dialogue) for a in actions]  # dialogue, round and counterpart come along


def test_actions_appear_on_the_owners_start_page_and_not_on_others(org, people, login):
    dialogue = make_dialogue(org)
    add(dialogue, people.leadership, "Ta fram en trygghetsplan", owner=people.provider_contact, days=-2)
    add(dialogue, people.leadership, "Skolchefens egen åtgärd", owner=people.leadership)
    body = login(people.provider_contact).get(reverse("start")).content.decode()
    assert 'id="my-actions-heading"' in body
    assert "Ta fram en trygghetsplan" in body and "Skolchefens egen åtgärd" not in body
    assert 'class="overdue"' in body
    assert reverse("dialogs:dialogue_notes", args=[dialogue.pk]) in body
    body = login(people.leadership).get(reverse("start")).content.decode()
    assert "Skolchefens egen åtgärd" in body and "Ta fram en trygghetsplan" not in body
    assert reverse("dialogs:dialogue_hold", args=[dialogue.pk]) in body
    for person in (people.rector, people.outsider, people.member):
        body = login(person).get(reverse("start")).content.decode()
        assert 'id="my-actions-heading"' not in body and "trygghetsplan" not in body


def test_the_owner_marks_an_action_done_from_the_start_page_even_after_locking(org, people, login):
    dialogue = make_dialogue(org)
    action = add(dialogue, people.leadership, "Ta fram en trygghetsplan", owner=people.provider_contact)
    services.notes_lock(dialogue=dialogue, user=people.leadership)
    client = login(people.provider_contact)
    response = client.post(
        reverse("dialogs:action_done", args=[action.pk]), {"done": "on", "next": reverse("start") + "#my-actions-heading"}
    )
    assert response.status_code == 302 and response.url == reverse("start") + "#my-actions-heading"
    action.refresh_from_db()
    assert action.done_at is not None and action.history.first().history_user == people.provider_contact
    assert 'id="my-actions-heading"' not in client.get(reverse("start")).content.decode()
    # And open again; a foreign "next" is not followed.
    response = client.post(reverse("dialogs:action_done", args=[action.pk]), {"next": "https://example.com/"})
    assert response.url == reverse("start")
    action.refresh_from_db()
    assert action.done_at is None


def test_only_the_owner_and_the_hosts_mark_an_action_done(org, people, login):
    dialogue = make_dialogue(org)
    Participant.objects.create(dialogue=dialogue, user=people.provider_contact, name="Kontakt", side="counterpart")
    action = add(dialogue, people.leadership, "Skolchefens", owner=people.leadership)
    url = reverse("dialogs:action_done", args=[action.pk])
    assert login(people.provider_contact).post(url, {"done": "on"}).status_code == 403  # counterpart, not owner
    assert login(people.outsider).post(url, {"done": "on"}).status_code == 404
    assert login(people.rector).post(url, {"done": "on"}).status_code == 404
    assert AgreedAction.objects.get(pk=action.pk).done_at is None
    assert login(people.sysadmin).post(url, {"done": "on"}).status_code == 302  # a host
    assert AgreedAction.objects.get(pk=action.pk).done_at is not None
    assert login(people.leadership).get(url).status_code == 405
