"""The analysis report of a dialogue round (seed 004) and the committee's plan for systematic
quality work (seed 003): what they contain, that draft notes and pupils' names stay out, and
that they are gathered in a fixed number of queries."""

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from annualwheel.models import EventKind, Repeat, Wheel
from annualwheel.services.events import event_create
from dialogs.models import AgreedAction, CommitteeTopic, Dialogue, DialogueTemplate, Participant, RoundAnalysis, TopicNote
from reports.services.data import gather, validate_snapshot
from reports.services.pdf import render_html, write_pdf
from ska.models import Activity, Goal
from tests.factories import (
    YEAR,
    ActivityFactory,
    AdministrationGoalFactory,
    DialogueFactory,
    RoundFactory,
    UnitFactory,
    UnitGoalFactory,
    UserFactory,
)

DRAFT_NOTE = "Utkast som bara värdarna ser"
PUPIL = "Elin Berg"


def section(data, section_id):
    return next(s for s in data["sections"] if s["id"] == section_id)


def table(data, table_id):
    return next(t for t in data["tables"] if t["id"] == table_id)


def pdf_text(data) -> str:
    content, pages = write_pdf(render_html(data))
    assert pages > 2
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = re.sub(r"\u2010\s+|-\n", "", text.replace("\u00a0", " "))  # undo hyphenation at line ends
    return re.sub(r"\s+", " ", text)


# --- The analysis report -------------------------------------------------------------------
def _held(round_, unit, *, state, notes, host, day):
    dialogue = DialogueFactory(round=round_, unit=unit, notes_state=state,
                               held_at=timezone.make_aware(datetime.datetime(2025, 11, day, 9)))
    for position, (topic, text) in enumerate(notes):
        TopicNote.objects.create(dialogue=dialogue, position=position, topic=topic, notes=text)
    Participant.objects.create(dialogue=dialogue, user=host, role="Skolchef", side=Participant.Side.HOST, attended=True)
    return dialogue


@pytest.fixture
def round_(org, people):
    round_ = RoundFactory(
        administration=org.administration, kind="administration", title="Kvalitetsdialoger HT 2025",
        starts_on=datetime.date(2025, 11, 1), ends_on=datetime.date(2025, 11, 30), school_year=YEAR,
        purpose="Att följa upp enheternas kvalitetsarbete.",
        agenda_topics=["Resultat och kvalitet", "Trygghet och säkerhet"],
        information_letter="Inför samtalet: gör självskattningen senast en vecka innan.",
        question_guide=["Vilka insatser har varit lyckade?", "Vilket stöd behöver ni?"],
    )
    shared = _held(round_, org.unit, state=Dialogue.NotesState.LOCKED, host=people.leadership, day=10, notes=[
        ("Trygghet och säkerhet", "Rastvärdarna har gjort skolgården tryggare."),
        ("Resultat och kvalitet", "Matematik i åk 6 ligger under målet."),
        ("Elevhälsa", "Elevhälsan behöver fler kuratorstimmar."),
    ])
    Participant.objects.create(dialogue=shared, user=people.rector, side=Participant.Side.COUNTERPART, attended=True)
    Participant.objects.create(dialogue=shared, name=PUPIL, role="Elevrepresentant",
                               side=Participant.Side.COUNTERPART, attended=True)
    Participant.objects.create(dialogue=shared, name="Omar Haddad", role="Elevrepresentant",
                               side=Participant.Side.COUNTERPART, attended=True)
    Participant.objects.create(dialogue=shared, user=UserFactory(username="frånvarande", first_name="Frida",
                               last_name="Frånvarande"), role="Förstelärare", side=Participant.Side.COUNTERPART,
                               attended=False)
    AgreedAction.objects.create(dialogue=shared, what="Plan för vuxennärvaro i omklädningsrummen", owner=people.rector,
                                due_on=datetime.date(2025, 12, 15))
    draft = _held(round_, org.other_unit, state=Dialogue.NotesState.DRAFT, host=people.leadership, day=12,
                  notes=[("Resultat och kvalitet", DRAFT_NOTE)])
    AgreedAction.objects.create(dialogue=draft, what="En åtgärd ur utkastet", owner_name="Rektor")
    DialogueFactory(round=round_, unit=org.preschool)  # not held yet
    RoundAnalysis.objects.create(
        round=round_, summary="Samtalen visar ett tryggare klimat men svaga matematikresultat.",
        analysis="Samarbetet mellan enheterna är alltför personbundet.",
        proposed_actions="- En inventering av samarbetsformerna\n- En mentorskapsplan för biträdande rektorer",
    )
    return round_


def analysis_data(round_):
    return validate_snapshot(gather("analysis", school_year=round_.school_year, round_=round_))


def test_the_analysis_report_has_seed_004s_structure(round_, org):
    data = analysis_data(round_)
    assert data["kind"] == "analysis"
    assert data["administration"]["id"] == org.administration.pk and data["committee"]["id"] == org.committee.pk
    assert [s["id"] for s in data["sections"]] == [
        "summary", "came-up", "analysis", "proposed-actions", "agreed-actions", "appendices"
    ]
    assert section(data, "summary")["text"] == "Samtalen visar ett tryggare klimat men svaga matematikresultat."
    facts = [f["value"] for f in section(data, "summary")["facts"]]
    assert facts == [3, 2, 1, 1]  # dialogues, held, with shared notes, actions (from shared notes)
    assert section(data, "analysis")["text"] == "Samarbetet mellan enheterna är alltför personbundet."
    assert section(data, "proposed-actions")["items"] == [
        "En inventering av samarbetsformerna", "En mentorskapsplan för biträdande rektorer"
    ]
    assert data["sources"]["round"] == [round_.pk, round_.version]
    assert data["sources"]["round_analysis"][0] == RoundAnalysis.objects.get(round=round_).pk


def test_what_came_up_is_grouped_by_the_agenda_and_only_from_shared_notes(round_):
    data = analysis_data(round_)
    came_up = section(data, "came-up")
    # The round's agenda first, in its order, then topics added in single dialogues.
    assert [g["topic"] for g in came_up["groups"]] == ["Resultat och kvalitet", "Trygghet och säkerhet", "Elevhälsa"]
    assert [c["id"] for c in came_up["children"]] == ["topic-1", "topic-2", "topic-3"]
    first = came_up["groups"][0]["notes"]
    assert first == [{"dialogue_id": first[0]["dialogue_id"], "counterpart": "Österportskolan",
                      "text": "Matematik i åk 6 ligger under målet."}]
    text = json.dumps(data, ensure_ascii=False)
    assert DRAFT_NOTE not in text and "En åtgärd ur utkastet" not in text
    [action] = section(data, "agreed-actions")["actions"]
    assert action["what"] == "Plan för vuxennärvaro i omklädningsrummen"
    assert action["counterpart"] == "Österportskolan" and action["due_on"] == "2025-12-15" and action["done"] is False


def test_the_appendices_hold_the_letter_the_guide_and_the_dialogues_held(round_, people):
    appendices = section(analysis_data(round_), "appendices")
    assert [c["id"] for c in appendices["children"]] == ["information-letter", "question-guide", "dialogues-held"]
    assert appendices["information_letter"] == "Inför samtalet: gör självskattningen senast en vecka innan."
    assert appendices["question_guide"] == ["Vilka insatser har varit lyckade?", "Vilket stöd behöver ni?"]
    held = appendices["dialogues"]
    assert [(d["counterpart"], d["held_on"]) for d in held] == [("Österportskolan", "2025-11-10"),
                                                                 ("Västervångskolan", "2025-11-12")]
    participants = held[0]["participants"]
    assert f"{people.leadership.get_full_name()} (Skolchef)" in participants
    assert any(people.rector.get_full_name() in p for p in participants)
    assert "Elevrepresentant (2)" in participants  # pupils by role only, never by name
    assert not any("Frånvarande" in p for p in participants)  # did not attend


def test_pupils_names_never_appear(round_):
    data = analysis_data(round_)
    text = json.dumps(data, ensure_ascii=False)
    assert PUPIL not in text and "Omar Haddad" not in text
    assert PUPIL not in render_html(data)


def test_the_letter_and_guide_come_from_the_template_when_the_round_has_none(round_, org):
    round_.information_letter, round_.question_guide = "", []
    round_.save()
    DialogueTemplate.objects.create(municipality=org.municipality, kind="administration",
                                    information_letter="Mallens brev", question_guide=["Mallens fråga"])
    appendices = section(analysis_data(round_), "appendices")
    assert appendices["information_letter"] == "Mallens brev"
    assert appendices["question_guide"] == ["Mallens fråga"]


def test_an_analysis_report_without_an_analysis_yet(org, people):
    round_ = RoundFactory(administration=org.administration, school_year=YEAR, starts_on=datetime.date(2025, 9, 1))
    data = analysis_data(round_)
    assert section(data, "summary")["text"] == "" and section(data, "proposed-actions")["items"] == []
    assert section(data, "came-up")["groups"] == []
    assert data["sources"]["round_analysis"] is None
    content, pages = write_pdf(render_html(data))
    assert pages >= 3


def test_the_analysis_pdf_has_the_notes_actions_and_appendices(round_, people):
    data = analysis_data(round_)
    text = pdf_text(data)
    for expected in ["Rastvärdarna har gjort skolgården tryggare.", "En mentorskapsplan för biträdande rektorer",
                     "Plan för vuxennärvaro i omklädningsrummen", "Vilket stöd behöver ni?",
                     "Samarbetet mellan enheterna är alltför personbundet.", people.leadership.get_full_name()]:
        assert expected in text, expected
    assert DRAFT_NOTE not in text and PUPIL not in text


def test_the_analysis_report_takes_a_fixed_number_of_queries(org, people):
    def queries(round_):
        with CaptureQueriesContext(connection) as captured:
            gather("analysis", school_year=YEAR, round_=round_)
        return len(captured.captured_queries)

    def make(n):
        round_ = RoundFactory(administration=org.administration, school_year=YEAR, kind="administration")
        for i in range(n):
            unit = UnitFactory(administration=org.administration)
            dialogue = _held(round_, unit, state=Dialogue.NotesState.SHARED, host=people.leadership, day=1 + i % 28,
                             notes=[("Resultat och kvalitet", f"Anteckning {i}"), (f"Eget ämne {i}", "Text")])
            Participant.objects.create(dialogue=dialogue, name=f"Elev {i}", role="Elevrepresentant",
                                       side=Participant.Side.COUNTERPART)
            AgreedAction.objects.create(dialogue=dialogue, what=f"Åtgärd {i}", owner=people.rector)
        return round_

    assert queries(make(2)) == queries(make(12))


# --- The plan for systematic quality work ---------------------------------------------------
@pytest.fixture
def plan_chain(org, people):
    org.municipality.vision = "Ekvalla – där alla barn och elever lär och växer."
    org.municipality.save()
    period = {"school_year": YEAR, "start_term": YEAR.autumn, "end_term": YEAR.spring}
    area = Goal.objects.create(level=Goal.Level.AREA, municipality=org.municipality, title="Utbildning och lärande",
                               description="Alla ska nå så långt som möjligt.", **period)
    committee_goal = Goal.objects.create(level=Goal.Level.COMMITTEE, committee=org.committee, parent=area,
                                         title="Fler elever ska nå kunskapskraven", **period)
    admin_goal = AdministrationGoalFactory(
        administration=org.administration, parent=committee_goal, title="Ökad läsförståelse",
        description="Läsutvecklingen följs systematiskt.", expected_effects="Fler elever läser med flyt.",
    )
    school_goal = UnitGoalFactory(unit=org.unit, parent=admin_goal, title="Fler läser med flyt i åk 3")
    ActivityFactory(goal=school_goal, title="Högläsning varje dag")
    other_goal = UnitGoalFactory(unit=org.other_unit, parent=admin_goal, title="Fler läser med flyt i åk 3")
    ActivityFactory(goal=other_goal, title="högläsning varje dag ")
    ActivityFactory(goal=other_goal, title="Inställd aktivitet", status=Activity.Status.CANCELLED)
    preschool_goal = UnitGoalFactory(unit=org.preschool, parent=admin_goal, title="Språkrika miljöer")
    ActivityFactory(goal=preschool_goal, title="Bokprat med barnen")
    CommitteeTopic.objects.create(committee=org.committee, school_year=YEAR, position=1, title="Trygghet och studiero",
                                  description="Hur upplever eleverna tryggheten?")
    wheel = Wheel.objects.create(name="Nämndens årshjul", school_year=YEAR, committee=org.committee)
    event_create(wheel=wheel, values={"kind": EventKind.COMMITTEE_MEETING, "title": "Nämndsmöte BUN",
                                      "start_date": datetime.date(2025, 9, 24), "repeat": Repeat.DATES,
                                      "dates": ["2025-10-22", "2025-11-19"]}, user=people.secretary)
    admin_wheel = Wheel.objects.create(name="SKA-hjulet", school_year=YEAR, administration=org.administration)
    event_create(wheel=admin_wheel, values={"kind": EventKind.DIALOGUE_ROUND, "title": "Kvalitetsdialoger",
                                            "start_date": datetime.date(2025, 11, 3),
                                            "end_date": datetime.date(2025, 11, 28)}, user=people.leadership)
    other = Wheel.objects.create(name="Österportskolans hjul", school_year=YEAR, unit=org.unit)
    event_create(wheel=other, values={"kind": EventKind.OTHER, "title": "Enhetens egen dag",
                                      "start_date": datetime.date(2025, 10, 1)}, user=people.rector)
    RoundFactory(administration=org.administration, kind="administration", title="Kvalitetsdialoger HT 2025",
                 starts_on=datetime.date(2025, 11, 3), school_year=YEAR)
    return admin_goal


def plan_data(org):
    return validate_snapshot(gather("plan", school_year=YEAR, administration=org.administration))


def test_the_plan_has_seed_003s_structure(org, plan_chain):
    data = plan_data(org)
    assert data["kind"] == "plan" and data["unit"] is None
    assert [s["id"] for s in data["sections"]] == [
        "vision", "goal-areas", "priorities", "focus-areas", "measures", "annual-wheel", "forums"
    ]
    assert section(data, "vision")["text"] == "Ekvalla – där alla barn och elever lär och växer."
    assert [a["title"] for a in section(data, "goal-areas")["areas"]] == ["Utbildning och lärande"]
    priorities = section(data, "priorities")
    assert [(g["area"], [c["title"] for c in g["goals"]]) for g in priorities["groups"]] == [
        ("Utbildning och lärande", ["Fler elever ska nå kunskapskraven"])
    ]
    assert [t["title"] for t in priorities["topics"]] == ["Trygghet och studiero"]
    [focus] = section(data, "focus-areas")["goals"]
    assert focus["title"] == "Ökad läsförståelse" and focus["parent_title"] == "Fler elever ska nå kunskapskraven"
    assert [plan_chain.pk, plan_chain.version] in data["sources"]["goals"]


def test_measures_per_school_form_summarise_the_units_goals_and_activities(org, plan_chain):
    measures = section(plan_data(org), "measures")
    forms = {form["code"]: form for form in measures["school_forms"]}
    assert set(forms) == {"grundskola", "fritidshem", "forskola"}
    [grundskola] = forms["grundskola"]["measures"]
    assert grundskola["purpose"] == "Läsutvecklingen följs systematiskt."
    assert grundskola["aim"] == "Fler elever läser med flyt."
    assert grundskola["unit_goals"] == [{"title": "Fler läser med flyt i åk 3", "units": 2}]
    # The same activity in two units is one measure (spelling evened out); cancelled ones are left out.
    assert grundskola["actions"] == [{"title": "Högläsning varje dag", "units": 2}]
    assert grundskola["units_working"] == 2
    [forskola] = forms["forskola"]["measures"]
    assert forskola["actions"] == [{"title": "Bokprat med barnen", "units": 1}]
    assert forms["fritidshem"]["measures"][0]["actions"] == [{"title": "Högläsning varje dag", "units": 1}]


def test_the_annual_wheel_by_month_from_the_committees_and_administrations_wheels(org, plan_chain):
    wheel = section(plan_data(org), "annual-wheel")
    assert sorted(w["name"] for w in wheel["wheels"]) == ["Nämndens årshjul", "SKA-hjulet"]
    months = {m["key"]: m for m in wheel["months"]}
    assert list(months) == ["2025-09", "2025-10", "2025-11"]
    assert [e["title"] for e in months["2025-10"]["events"]] == ["Nämndsmöte BUN"]  # not the unit's own wheel
    november = {e["title"]: e for e in months["2025-11"]["events"]}
    assert november["Kvalitetsdialoger"]["dates"] == [{"date": "2025-11-03", "end_date": "2025-11-28"}]
    assert november["Nämndsmöte BUN"]["dates"] == [{"date": "2025-11-19", "end_date": None}]


def test_the_forums_for_dialogue_come_from_the_templates_and_the_years_rounds(org, plan_chain):
    DialogueTemplate.objects.create(municipality=org.municipality, kind="committee", purpose="Nämndens eget syfte",
                                    participant_roles="Nämndens ledamöter\nSkolchef")
    forums = {f["kind"]: f for f in section(plan_data(org), "forums")["forums"]}
    assert set(forums) == {"committee", "administration", "unit", "provider"}
    assert forums["committee"]["purpose"] == "Nämndens eget syfte"
    assert forums["committee"]["participants"] == ["Nämndens ledamöter", "Skolchef"]
    assert forums["administration"]["purpose"]  # the built-in default
    # The wheel's dialogue-round event started a round of its own.
    assert [r["title"] for r in forums["administration"]["rounds"]] == ["Kvalitetsdialoger", "Kvalitetsdialoger HT 2025"]
    assert forums["provider"]["rounds"] == [] and forums["provider"]["round_count"] == 0


def test_the_plan_pdf_has_the_vision_goals_measures_and_wheel(org, plan_chain):
    text = pdf_text(plan_data(org))
    for expected in ["Ekvalla – där alla barn och elever lär och växer.", "Fler elever ska nå kunskapskraven",
                     "Ökad läsförståelse", "Högläsning varje dag (2)", "Nämndsmöte BUN", "Kvalitetsdialoger",
                     "Trygghet och studiero", "Nämndens årshjul"]:
        assert expected in text, expected


def test_the_plan_takes_a_fixed_number_of_queries(org, plan_chain):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            gather("plan", school_year=YEAR, administration=org.administration)
        return len(captured.captured_queries)

    def add_units(n):
        for _ in range(n):
            unit = UnitFactory(administration=org.administration, forms=["grundskola", "forskola"])
            goal = UnitGoalFactory(unit=unit, parent=plan_chain, title=f"Mål på {unit.name}")
            ActivityFactory(goal=goal)

    add_units(3)
    few = queries()
    add_units(27)
    assert queries() == few


def test_no_value_from_a_small_group_in_the_plan_or_the_analysis(org, report_chain, round_):
    for data in (plan_data(org), analysis_data(round_)):
        text = json.dumps(data, ensure_ascii=False) + render_html(data)
        assert "91.25" not in text and "91,25" not in text
    assert Decimal("91.25") == report_chain.small_check_in.value  # the value exists in the database
