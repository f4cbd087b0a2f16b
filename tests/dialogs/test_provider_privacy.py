"""An independent provider's contact person sees only their own provider's dialogues: no other
provider's rounds, times, notes, actions, answers or evaluations, by any page of the dialogs app
or by a crafted request, and nothing changes when they try."""

import datetime

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from dialogs.models import (
    AgreedAction,
    CommitteeTopic,
    Dialogue,
    EvaluationInvitation,
    GuideAnswer,
    NoteComment,
    Participant,
    QualityMatrix,
    Round,
    Slot,
    TopicNote,
    VisitSuggestion,
)
from dialogs.services import booking
from dialogs.services.rounds import counterparts_add
from ska.models import SchoolForm

from ..factories import RoundFactory, SlotFactory

pytestmark = pytest.mark.django_db

SECRET = "Hemligt om Myrstacken"


@pytest.fixture
def theirs(org, people, provider_round):
    """Everything that belongs to the other provider, in a round of its own and in the shared one."""
    other_round = RoundFactory(administration=org.administration, kind="provider", title="Bara Myrstacken")
    [dialogue] = counterparts_add(round_=other_round, providers=[org.other_provider])
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=10)
    slot = SlotFactory(round=other_round, starts_at=start, ends_at=start + datetime.timedelta(hours=1), hosts=[people.leadership])
    free_slot = SlotFactory(round=other_round, starts_at=start + datetime.timedelta(hours=2), ends_at=start + datetime.timedelta(hours=3), hosts=[people.leadership])
    booking.dialogue_assign(dialogue=dialogue, slot=slot, user=people.leadership)
    Dialogue.objects.filter(pk=dialogue.pk).update(held_at=timezone.now(), notes_state="shared")
    note = TopicNote.objects.create(dialogue=dialogue, position=1, topic="Resultat och kvalitet", notes=SECRET)
    comment = NoteComment.objects.create(dialogue=dialogue, topic_note=note, author=people.leadership, text=SECRET)
    action = AgreedAction.objects.create(dialogue=dialogue, what=SECRET, owner=provider_round.other_contact)
    answer = GuideAnswer.objects.create(dialogue=dialogue, position=0, question="Vad?", answer=SECRET)
    participant = Participant.objects.filter(dialogue=dialogue).first()
    invitation = EvaluationInvitation.objects.create(
        municipality=org.municipality, kind="provider", school_year=other_round.school_year,
        user=provider_round.other_contact, side="counterpart",
    )
    matrix = QualityMatrix.objects.create(municipality=org.municipality, school_form=SchoolForm.objects.get(code="grundskola"), name="Matris")
    topic = CommitteeTopic.objects.create(committee=org.committee, school_year=other_round.school_year, title="Trygghet")
    committee_round = RoundFactory(administration=org.administration, kind="committee")
    committee_dialogue = Dialogue.objects.create(round=committee_round, committee=org.committee)
    visit = VisitSuggestion.objects.create(dialogue=committee_dialogue, unit=org.unit, reason="Besök")
    # Their dialogue in the round both providers are in, booked.
    booking.dialogue_assign(dialogue=provider_round.theirs, slot=provider_round.slots[2], user=people.leadership)
    return {
        "round": other_round, "dialogue": dialogue, "slot": slot, "free_slot": free_slot, "note": note,
        "comment": comment, "action": action, "answer": answer, "participant": participant,
        "invitation": invitation, "matrix": matrix, "topic": topic, "committee_dialogue": committee_dialogue,
        "visit": visit,
    }


def _dialogs_patterns():
    resolver = get_resolver()
    [(_prefix, namespace_resolver)] = [
        (p, r) for p, r in resolver.namespace_dict.values() if getattr(r, "app_name", None) == "dialogs"
    ] or [(None, None)]
    return [p for p in namespace_resolver.url_patterns if isinstance(p, URLPattern)]


# What each URL's arguments point at, among the other provider's things (a URL added to the app
# without a line here fails the test, so every page is checked).
ARGUMENTS = {
    "round_detail": ["round"], "round_edit": ["round"], "round_status": ["round"],
    "round_counterparts": ["round"], "slots_create": ["round"], "round_remind": ["round"],
    "round_analysis": ["round"], "slot_delete": ["free_slot"],
    "dialogue_detail": ["dialogue"], "dialogue_remove": ["dialogue"], "dialogue_book": ["dialogue"],
    "dialogue_assign": ["dialogue"], "dialogue_cancel": ["dialogue"], "dialogue_prepare": ["dialogue"],
    "dialogue_hold": ["dialogue"], "dialogue_attendance": ["dialogue"], "participant_add": ["dialogue"],
    "participant_remove": ["dialogue", "participant"], "dialogue_mark_held": ["dialogue"],
    "notes_share": ["dialogue"], "notes_lock": ["dialogue"], "action_add": ["dialogue"],
    "action_follow_up": ["dialogue", "action"], "dialogue_notes": ["dialogue"],
    "note_comment_add": ["dialogue"], "topic_note_save": ["note"], "topic_comment_add": ["note"],
    "action_edit": ["action"], "action_delete": ["action"], "action_done": ["action"],
    "self_assessment": ["dialogue", "grundskola"], "area_to_action": ["dialogue", "answer"],
    "matrix_edit": ["matrix"], "matrix_create_default": ["grundskola"],
    "committee_topic_edit": ["topic"], "committee_topic_move": ["topic"], "committee_topic_delete": ["topic"],
    "committee_dialogue": ["committee_dialogue"], "kallelse": ["committee_dialogue"],
    "committee_visit_delete": ["visit"], "evaluation_answer": ["invitation"],
    # Pages of their own (lists, settings): checked for what they show.
    "round_list": [], "round_create": [], "templates": [], "matrices": [], "matrix_create": [],
    "committee": [], "my_evaluations": [], "evaluation_results": [], "evaluation_send": [],
    "evaluation_questions": [],
}
OWN_PAGES = {"round_list", "my_evaluations"}


def _snapshot():
    return {
        model.__name__: sorted(model._default_manager.model.objects.values_list("pk", "version") if hasattr(model, "version") else model.objects.values_list("pk", flat=True))
        for model in (Round, Dialogue, Slot, TopicNote, NoteComment, AgreedAction, GuideAnswer, Participant,
                      EvaluationInvitation, QualityMatrix, CommitteeTopic, VisitSuggestion)
    } | {"slots_booked": sorted(Dialogue.objects.values_list("pk", "slot_id", "held_at", "notes_state"))}


def test_every_dialogs_url_is_closed_to_another_providers_contact(theirs, provider_round, people, login):
    client = login(people.provider_contact)
    names = {p.name for p in _dialogs_patterns()}
    assert names == set(ARGUMENTS), f"add the new URLs to ARGUMENTS: {names ^ set(ARGUMENTS)}"
    before = _snapshot()
    for name, parts in ARGUMENTS.items():
        args = [theirs[p].pk if p in theirs else p for p in parts]
        url = reverse(f"dialogs:{name}", args=args)
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"slot": theirs["free_slot"].pk, "status": "open", "notes": "x",
                                                     "what": "x", "text": "x", "done": "on"})
            body = response.content.decode()
            assert SECRET not in body, (method, url)
            assert "Bara Myrstacken" not in body, (method, url)
            if name in OWN_PAGES:
                assert response.status_code in (200, 302, 405), (method, url, response.status_code)
            else:
                assert response.status_code in (403, 404, 405), (method, url, response.status_code)
    assert _snapshot() == before


def test_in_a_shared_round_they_see_their_own_dialogue_only(theirs, provider_round, people, login):
    client = login(people.provider_contact)
    page = client.get(provider_round.round.get_absolute_url()).content.decode()
    assert "Friskolan Lyckan AB" in page
    assert "Myrstacken" not in page  # not whom the others are, nor who booked what
    page = client.get(reverse("dialogs:dialogue_detail", args=[provider_round.mine.pk])).content.decode()
    # The time the other provider booked is not offered, and their name is nowhere.
    assert "Myrstacken" not in page
    booked = provider_round.slots[2]
    assert f'value="{booked.pk}"' not in page
    listing = client.get(reverse("dialogs:round_list")).content.decode()
    assert "Kvalitetssamtal VT" in listing and "Bara Myrstacken" not in listing


def test_the_querysets_agree_with_the_permissions(theirs, provider_round, org, people):
    """``visible_rounds`` and ``visible_dialogues`` list exactly what ``ska.view_round`` and
    ``ska.view_dialogue`` allow, for every role (a draft round shows to its hosts only)."""
    from ska.access import visible_dialogues, visible_rounds

    RoundFactory(administration=org.administration, kind="provider", status="draft", title="Utkast")
    Dialogue.objects.create(round=Round.objects.get(title="Utkast"), provider=org.provider)
    people_and_contacts = [*vars(people).values(), provider_round.other_contact]
    for user in people_and_contacts:
        user = type(user).objects.get(pk=user.pk)  # a fresh user: no cached scope
        assert set(visible_rounds(user)) == {r for r in Round.objects.all() if user.has_perm("ska.view_round", r)}, user
        assert set(visible_dialogues(user)) == {
            d for d in Dialogue.objects.all() if user.has_perm("ska.view_dialogue", d)
        }, user
    assert not people.provider_contact.has_perm("ska.view_round", Round.objects.get(title="Utkast"))
