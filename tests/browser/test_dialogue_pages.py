"""Every page of the quality dialogues, as the demo's people see them, passes axe-core: the
preparation and self-assessment, the notes, the committee's dialogue and its meeting notice,
the evaluation, the round analysis and the settings."""

import pytest
from django.urls import reverse

from dialogs.models import Dialogue, EvaluationInvitation, Round

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def _visit(page, live_server, url):
    response = page.goto(live_server.url + url)
    assert response.status == 200, url
    assert_accessible(page)


def test_the_dialogue_pages_are_accessible(page, live_server, demo):
    held = Dialogue.objects.get(unit__name="Österportskolan", round__kind="administration")
    unit_round = held.round
    committee_dialogue = Dialogue.objects.filter(committee__isnull=False).first()

    login(page, live_server, "rektor")
    for url in (
        reverse("dialogs:round_list"),
        reverse("dialogs:dialogue_detail", args=[held.pk]),
        reverse("dialogs:dialogue_prepare", args=[held.pk]),
        reverse("dialogs:self_assessment", args=[held.pk, "grundskola"]),
        reverse("dialogs:dialogue_notes", args=[held.pk]),
    ):
        _visit(page, live_server, url)

    page.context.clear_cookies()
    login(page, live_server, "skolchef")
    invitation = EvaluationInvitation.objects.create(
        municipality=unit_round.municipality, kind="administration", school_year=unit_round.school_year,
        user=held.participants.get(user__username="skolchef").user, side="host",
    )
    for url in (
        reverse("dialogs:round_detail", args=[unit_round.pk]),
        reverse("dialogs:round_edit", args=[unit_round.pk]),
        reverse("dialogs:round_analysis", args=[unit_round.pk]),
        reverse("dialogs:dialogue_hold", args=[held.pk]),
        reverse("dialogs:templates"),
        reverse("dialogs:matrices"),
        reverse("dialogs:matrix_edit", args=[held.self_assessments.first().matrix_id]),
        reverse("dialogs:evaluation_questions"),
        reverse("dialogs:evaluation_results") + f"?lasar={unit_round.school_year.start_year}",
        reverse("dialogs:my_evaluations"),
        reverse("dialogs:evaluation_answer", args=[invitation.pk]),
        reverse("dialogs:committee"),
        reverse("dialogs:committee_dialogue", args=[committee_dialogue.pk]),
    ):
        _visit(page, live_server, url)

    page.context.clear_cookies()
    login(page, live_server, "sekreterare")
    _visit(page, live_server, reverse("dialogs:kallelse", args=[committee_dialogue.pk]))

    page.context.clear_cookies()
    login(page, live_server, "fristaende")
    provider_round = Round.objects.get(kind="provider", status="open")
    _visit(page, live_server, reverse("dialogs:round_detail", args=[provider_round.pk]))
    mine = provider_round.dialogues.get(provider__name="Stiftelsen Montessoriskolan Lyckan")
    _visit(page, live_server, reverse("dialogs:dialogue_prepare", args=[mine.pk]))
