"""Preparing a dialogue: answering the question guide (with conflicting saves refused), the
material, who may see and change what, the unit's self-assessment beside last year's, turning
an area into a goal or an activity of the chain, and query counts that do not grow."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dialogs.demo_preparation import seed_preparation, seed_self_assessment
from dialogs.models import AreaAssessment, GuideAnswer, MatrixArea, MatrixDescriptor, QualityMatrix, SelfAssessment
from ska.models import Activity, Goal, Role, SchoolForm

from ..factories import AdministrationGoalFactory, DialogueFactory, RoleFactory, RoundFactory, UnitGoalFactory, UserFactory

CONFLICT = "medan du redigerade"  # the Swedish conflict message (ska.views.conflicts)


@pytest.fixture
def dlg(org):
    admin_round = RoundFactory(
        administration=org.administration,
        kind="administration",
        title="Förvaltningens kvalitetsdialoger HT",
        question_guide=["Vad är ni stolta över?", "Vad behöver utvecklas?", "Vilket stöd behöver ni?"],
    )
    provider_round = RoundFactory(administration=org.administration, kind="provider")
    matrices = seed_preparation(org.municipality)
    return SimpleNamespace(
        round=admin_round,
        unit=DialogueFactory(round=admin_round, unit=org.unit),
        other_unit=DialogueFactory(round=admin_round, unit=org.other_unit),
        provider=DialogueFactory(round=provider_round, provider=org.provider),
        other_provider=DialogueFactory(round=provider_round, provider=org.other_provider),
        matrix=next(m for m in matrices if m.school_form.code == "grundskola"),
        year=admin_round.school_year,
    )


def _prepare(dialogue):
    return reverse("dialogs:dialogue_prepare", args=[dialogue.pk])


def _assess(dialogue, code="grundskola"):
    return reverse("dialogs:self_assessment", args=[dialogue.pk, code])


def _answers(**texts):
    data = {}
    for position in (1, 2, 3):
        data[f"answer_{position}"] = texts.get(f"a{position}", "")
        data[f"version_{position}"] = texts.get(f"v{position}", 0)
    return data


# --- The question guide ----------------------------------------------------------------------
def test_counterpart_answers_the_question_guide(dlg, people, login):
    client = login(people.rector)
    page = client.get(_prepare(dlg.unit))
    assert page.status_code == 200
    assert "Vad behöver utvecklas?" in page.text
    assert 'name="answer_2"' in page.text

    response = client.post(_prepare(dlg.unit), _answers(a1="Läsutvecklingen i åk 1–3.", a2="Studieron."))
    assert response.status_code == 302
    first = GuideAnswer.objects.get(dialogue=dlg.unit, position=1)
    assert (first.answer, first.version, first.question, first.updated_by) == (
        "Läsutvecklingen i åk 1–3.", 1, "Vad är ni stolta över?", people.rector
    )
    assert not GuideAnswer.objects.filter(dialogue=dlg.unit, position=3).exists()  # an empty answer is not stored

    client.post(_prepare(dlg.unit), _answers(a1="Läsutvecklingen i åk 1–3 och 4–6.", v1=1, a2="Studieron.", v2=1))
    first.refresh_from_db()
    assert (first.answer, first.version) == ("Läsutvecklingen i åk 1–3 och 4–6.", 2)
    assert GuideAnswer.objects.get(dialogue=dlg.unit, position=2).version == 1  # unchanged: not written
    assert first.history.count() == 2


def test_an_answer_saved_by_someone_else_is_not_overwritten(dlg, people, login):
    login(people.rector).post(_prepare(dlg.unit), _answers(a1="Rektorns svar."))
    client = login(people.contributor)
    # The contributor opened the page before the rektor saved (version 0) and writes question 2 too.
    response = client.post(_prepare(dlg.unit), _answers(a1="Förstelärarens svar.", a2="Mer samarbete."))
    assert response.status_code == 200
    assert CONFLICT in response.text
    assert "Rektorns svar." in response.text  # what the other person wrote is shown
    assert 'name="answer_1"' in response.text and "Förstelärarens svar." in response.text  # their own text is kept
    answer = GuideAnswer.objects.get(dialogue=dlg.unit, position=1)
    assert answer.answer == "Rektorns svar."
    assert GuideAnswer.objects.get(dialogue=dlg.unit, position=2).answer == "Mer samarbete."  # the rest is saved
    # The message sits beside the field: the form now knows the stored version.
    assert response.context["form"].errors["answer_1"]
    assert response.context["form"].data["version_1"] == 1

    again = client.post(_prepare(dlg.unit), _answers(a1="Förstelärarens svar.", v1=1, a2="Mer samarbete.", v2=1))
    assert again.status_code == 302
    answer.refresh_from_db()
    assert (answer.answer, answer.version) == ("Förstelärarens svar.", 2)


def test_host_reads_the_answers_but_cannot_change_them(dlg, people, login):
    login(people.rector).post(_prepare(dlg.unit), _answers(a1="Vi är stolta över läsningen."))
    client = login(people.leadership)
    page = client.get(_prepare(dlg.unit))
    assert page.status_code == 200
    assert "Vi är stolta över läsningen." in page.text
    assert 'name="answer_1"' not in page.text
    assert client.post(_prepare(dlg.unit), _answers(a1="Skolchefens text.")).status_code == 403
    assert GuideAnswer.objects.get(dialogue=dlg.unit, position=1).answer == "Vi är stolta över läsningen."


def test_answers_cannot_be_changed_after_the_dialogue(dlg, people, login):
    dlg.unit.held_at = timezone.now()
    dlg.unit.save()
    client = login(people.rector)
    assert 'name="answer_1"' not in client.get(_prepare(dlg.unit)).text
    assert client.post(_prepare(dlg.unit), _answers(a1="För sent.")).status_code == 403
    assert not GuideAnswer.objects.exists()


def test_provider_contacts_reach_only_their_own_dialogue(dlg, org, people, login):
    other_contact = UserFactory(username="myrstacken")
    RoleFactory(user=other_contact, role=Role.PROVIDER_CONTACT, provider=org.other_provider)
    client = login(other_contact)
    assert client.get(_prepare(dlg.provider)).status_code == 404
    assert client.post(_prepare(dlg.provider), _answers(a1="Intrång.")).status_code == 404
    assert client.get(_prepare(dlg.other_provider)).status_code == 200
    for role in ("provider_contact", "other_rector", "outsider"):
        assert login(getattr(people, role)).get(_prepare(dlg.unit)).status_code == 404


def test_provider_dialogue_shows_only_the_guide(dlg, people, login):
    page = login(people.provider_contact).get(_prepare(dlg.provider))
    assert page.status_code == 200
    assert 'name="answer_1"' in page.text
    assert 'id="material-heading"' not in page.text
    assert page.context["material"].chain is None


def test_unit_dialogue_has_the_chain_status_and_self_assessment_as_material(dlg, org, people, login):
    goal = UnitGoalFactory(unit=org.unit, school_year=dlg.year, title="Fler elever läser på åldersadekvat nivå",
                           parent=AdministrationGoalFactory(administration=org.administration, school_year=dlg.year))
    page = login(people.leadership).get(_prepare(dlg.unit))
    assert page.status_code == 200
    assert goal.title in page.text
    assert 'id="quality-report"' in page.text
    assert _assess(dlg.unit) in page.text
    assert page.context["material"].chain.gaps  # the goal has no indicator, activity or follow-up yet


# --- The self-assessment ------------------------------------------------------------------------
def _levels(matrix):
    return {level.number: level for level in matrix.levels.all()}


def _assessment_data(matrix, *, level=3, version=0, submit=False, text="Motivering"):
    levels = _levels(matrix)
    data = {"version": version}
    for area in matrix.areas.all():
        data[f"level_{area.pk}"] = levels[level].pk
        data[f"justification_{area.pk}"] = f"{text}: {area.title}"
    if submit:
        data["submit"] = "1"
    return data


def test_self_assessment_beside_last_years(dlg, org, people, login):
    matrix = dlg.matrix
    area = matrix.areas.order_by("position").first()
    last = SelfAssessment.objects.create(
        unit=org.unit, school_form=matrix.school_form, school_year=dlg.year.previous(), matrix=matrix,
        submitted_at=timezone.now(),
    )
    AreaAssessment.objects.create(assessment=last, area=area, level=_levels(matrix)[2], justification="Förra årets motivering.")

    client = login(people.rector)
    page = client.get(_assess(dlg.unit))
    assert page.status_code == 200
    assert "Förra årets motivering." in page.text
    assert page.context["page"].rows[0].last_year.level.number == 2
    descriptor = MatrixDescriptor.objects.filter(area=area).first()
    assert descriptor.text in page.text  # each level's descriptor beside its radio button
    assert "<fieldset" in page.text and "<legend>" in page.text

    response = client.post(_assess(dlg.unit), _assessment_data(matrix, submit=True))
    assert response.status_code == 302
    assessment = SelfAssessment.objects.get(unit=org.unit, school_year=dlg.year)
    assert assessment.submitted_at is not None and assessment.submitted_by == people.rector
    assert assessment.dialogue == dlg.unit and assessment.matrix == matrix
    rows = list(assessment.areas.select_related("level"))
    assert len(rows) == matrix.areas.count()
    assert {row.level.number for row in rows} == {3}


def test_a_self_assessment_saved_by_someone_else_is_not_overwritten(dlg, org, people, login):
    login(people.rector).post(_assess(dlg.unit), _assessment_data(dlg.matrix, level=2))
    version = SelfAssessment.objects.get().version
    client = login(people.contributor)
    response = client.post(_assess(dlg.unit), _assessment_data(dlg.matrix, level=4, version=0))
    assert response.status_code == 200
    assert CONFLICT in response.text
    assert {a.level.number for a in AreaAssessment.objects.select_related("level")} == {2}
    assert SelfAssessment.objects.get().version == version
    again = client.post(_assess(dlg.unit), _assessment_data(dlg.matrix, level=4, version=version))
    assert again.status_code == 302
    assert {a.level.number for a in AreaAssessment.objects.select_related("level")} == {4}


def test_counterpart_cannot_change_another_units_self_assessment(dlg, org, people, login):
    login(people.rector).post(_assess(dlg.unit), _assessment_data(dlg.matrix, level=2))
    client = login(people.other_rector)
    assert client.get(_assess(dlg.unit)).status_code == 404
    assert client.post(_assess(dlg.unit), _assessment_data(dlg.matrix, level=4, version=2)).status_code == 404
    assert {a.level.number for a in AreaAssessment.objects.select_related("level")} == {2}
    # Their own unit's self-assessment they may keep.
    assert client.post(_assess(dlg.other_unit), _assessment_data(dlg.matrix, level=1)).status_code == 302


def test_hosts_read_the_self_assessment_but_do_not_change_it(dlg, people, login):
    login(people.rector).post(_assess(dlg.unit), _assessment_data(dlg.matrix, level=2, text="Rektorns bild"))
    client = login(people.leadership)
    page = client.get(_assess(dlg.unit))
    assert page.status_code == 200
    assert "Rektorns bild" in page.text
    assert 'type="radio"' not in page.text
    assert client.post(_assess(dlg.unit), _assessment_data(dlg.matrix, level=4, version=2)).status_code == 403


def test_self_assessment_is_locked_once_the_dialogue_is_held(dlg, people, login):
    dlg.unit.held_at = timezone.now()
    dlg.unit.save()
    client = login(people.rector)
    assert 'type="radio"' not in client.get(_assess(dlg.unit)).text
    assert client.post(_assess(dlg.unit), _assessment_data(dlg.matrix)).status_code == 403


def test_self_assessment_only_for_the_administrations_dialogue_with_a_matrix(dlg, org, people, login):
    client = login(people.provider_contact)
    assert client.get(_assess(dlg.provider)).status_code == 404
    # Österportskolan has fritidshem too, but there is no matrix for it.
    assert login(people.rector).get(_assess(dlg.unit, "fritidshem")).status_code == 404


def test_self_assessment_page_queries_do_not_grow_with_the_areas(dlg, org, people, login, django_assert_max_num_queries):
    matrix = dlg.matrix
    last = SelfAssessment.objects.create(unit=org.unit, school_form=matrix.school_form, school_year=dlg.year.previous(), matrix=matrix)
    for area in matrix.areas.all():
        AreaAssessment.objects.create(assessment=last, area=area, level=_levels(matrix)[1], justification="Förra året")
    client = login(people.rector)
    client.post(_assess(dlg.unit), _assessment_data(matrix))
    with CaptureQueriesContext(connection) as few:
        assert client.get(_assess(dlg.unit)).status_code == 200
    levels = list(matrix.levels.all())
    assessment = SelfAssessment.objects.get(school_year=dlg.year)
    for n in range(10):
        area = MatrixArea.objects.create(matrix=matrix, position=10 + n, title=f"Område {n}")
        for level in levels:
            MatrixDescriptor.objects.create(area=area, level=level, text=f"Nivå {level.number} i område {n}")
        AreaAssessment.objects.create(assessment=assessment, area=area, level=levels[0], justification="Nu")
        AreaAssessment.objects.create(assessment=last, area=area, level=levels[1], justification="Då")
    with django_assert_max_num_queries(len(few)):
        page = client.get(_assess(dlg.unit))
    assert len(page.context["page"].rows) == 15


# --- From an area to the chain ------------------------------------------------------------------
def _assessed_area(dlg, client):
    client.post(_assess(dlg.unit), _assessment_data(dlg.matrix, level=1, text="Studieron brister"))
    return AreaAssessment.objects.select_related("area").get(area__title="Trygghet och studiero", assessment__school_year=dlg.year)


def test_an_area_becomes_a_local_goal_in_one_step(dlg, org, people, login):
    client = login(people.rector)
    area = _assessed_area(dlg, client)
    url = reverse("dialogs:area_to_action", args=[dlg.unit.pk, area.pk])
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert 'value="Trygghet och studiero"' in form_page.text  # the title is filled in from the area
    assert "Studieron brister: Trygghet och studiero" in form_page.text  # and the description from the justification

    response = client.post(url, {"action": "goal", "title": "Studiero på alla lektioner", "description": "Från självskattningen.",
                                 "parent": "", "origin": Goal.Origin.SHORTFALL})
    assert response.status_code == 302
    area.refresh_from_db()
    goal = area.goal
    assert (goal.level, goal.unit, goal.school_year, goal.origin) == (Goal.Level.LOCAL, org.unit, dlg.year, Goal.Origin.SHORTFALL)
    goal.full_clean()  # the chain's own validation
    page = client.get(_assess(dlg.unit))
    assert f"#goal-{goal.pk}" in page.text and "Studiero på alla lektioner" in page.text
    # Safe to send twice: the area remembers its goal.
    client.post(url, {"action": "goal", "title": "Igen", "parent": "", "origin": Goal.Origin.SHORTFALL})
    assert Goal.objects.filter(unit=org.unit).count() == 1


def test_an_area_becomes_a_unit_goal_under_an_administration_wide_goal(dlg, org, people, login):
    parent = AdministrationGoalFactory(administration=org.administration, school_year=dlg.year, title="Alla elever är trygga")
    elsewhere = AdministrationGoalFactory(school_year=dlg.year, title="En annan förvaltnings mål")
    client = login(people.rector)
    area = _assessed_area(dlg, client)
    url = reverse("dialogs:area_to_action", args=[dlg.unit.pk, area.pk])
    refused = client.post(url, {"action": "goal", "title": "Trygga raster", "parent": elsewhere.pk, "origin": Goal.Origin.DEVELOPMENT})
    assert refused.status_code == 200 and not Goal.objects.filter(unit=org.unit).exists()
    client.post(url, {"action": "goal", "title": "Trygga raster", "parent": parent.pk, "origin": Goal.Origin.DEVELOPMENT})
    area.refresh_from_db()
    assert (area.goal.level, area.goal.parent) == (Goal.Level.UNIT, parent)


def test_an_area_becomes_an_activity_under_a_unit_goal(dlg, org, people, login):
    goal = UnitGoalFactory(unit=org.unit, school_year=dlg.year,
                           parent=AdministrationGoalFactory(administration=org.administration, school_year=dlg.year))
    other_units_goal = UnitGoalFactory(unit=org.other_unit, school_year=dlg.year,
                                       parent=AdministrationGoalFactory(administration=org.administration, school_year=dlg.year))
    client = login(people.rector)
    area = _assessed_area(dlg, client)
    url = reverse("dialogs:area_to_action", args=[dlg.unit.pk, area.pk])
    assert client.post(url, {"action": "activity", "goal": other_units_goal.pk, "title": "Rastaktiviteter"}).status_code == 200
    assert not Activity.objects.exists()
    response = client.post(url, {"action": "activity", "goal": goal.pk, "title": "Rastaktiviteter", "purpose": "Tryggare raster."})
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.activity.goal, area.activity.title, area.activity.status) == (goal, "Rastaktiviteter", Activity.Status.PLANNED)
    area.activity.full_clean()


def test_only_the_units_own_people_turn_areas_into_action(dlg, people, login):
    area = _assessed_area(dlg, login(people.rector))
    url = reverse("dialogs:area_to_action", args=[dlg.unit.pk, area.pk])
    assert login(people.other_rector).get(url).status_code == 404
    assert login(people.provider_contact).post(url, {"action": "goal", "title": "X", "origin": "shortfall"}).status_code == 404
    assert not Goal.objects.exists()


# --- Demo data --------------------------------------------------------------------------------------
def test_demo_self_assessment_with_last_years(dlg, org, people):
    created = seed_self_assessment(dlg.unit, people.rector)
    assert [a.school_form.code for a in created] == ["grundskola"]
    this_year = created[0]
    assert this_year.submitted_at and all(a.justification and a.level for a in this_year.areas.all())
    assert SelfAssessment.objects.filter(unit=org.unit, school_year=dlg.year.previous()).count() == 1
    assert seed_self_assessment(dlg.unit, people.rector) == []  # idempotent
    assert seed_self_assessment(dlg.provider, people.rector) == []
    assert QualityMatrix.objects.filter(school_form__in=SchoolForm.objects.filter(code="grundskola")).count() == 1
