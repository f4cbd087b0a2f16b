"""A follow-up deadline says what it asks for, and asks for nothing else: check-ins entered by
hand (never a figure fed from Kolada), follow-ups of ongoing activities, or the term's follow-up
and analysis. The matrix shows a follow-up and analysis that is not due yet as not due, not as
missing. The clock is frozen: 6 December, then 21 January after the analysis deadline."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from annualwheel.models import EventKind, FollowUpPart, Wheel
from annualwheel.services.deadlines import analysed_term, overdue_follow_ups
from annualwheel.services.events import event_create
from ska.chain_status import chain_matrix
from ska.models import ActivityFollowUp, Analysis, KoladaSource
from ska.schoolyear import SchoolYear, Term

from ..factories import ActivityFactory, AdministrationGoalFactory, CheckInFactory, IndicatorFactory, UnitGoalFactory

YEAR = SchoolYear(2026)
D = datetime.date


def travel(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 12, 0), tick=False)


@pytest.fixture
def wheel(org):
    return Wheel.objects.create(name="SKA-hjulet", school_year=YEAR, administration=org.administration)


def deadline(wheel, user, day, *parts, title="Uppföljning"):
    return event_create(
        wheel=wheel,
        values={"kind": EventKind.FOLLOW_UP_DEADLINE, "title": title, "start_date": day, "follow_up_parts": list(parts)},
        user=user,
    )


@pytest.fixture
def goal(org):
    period = {"school_year": YEAR, "start_term": YEAR.autumn, "end_term": YEAR.spring}
    admin_goal = AdministrationGoalFactory(administration=org.administration, title="Trygghet och studiero", **period)
    return UnitGoalFactory(unit=org.unit, parent=admin_goal, title="Tryggare raster", **period)


def test_an_indicator_fed_from_kolada_is_never_overdue(org, people, wheel, goal):
    deadline(wheel, people.leadership, D(2026, 10, 23), FollowUpPart.CHECK_INS)
    fed = IndicatorFactory(goal=goal, title="Meritvärde i åk 9")
    KoladaSource.objects.create(indicator=fed, kpi_id="N15505", kpi_title="Meritvärde", level="municipality",
                                municipality_id="1286")
    CheckInFactory(indicator=fed, date=D(2026, 6, 30))  # Kolada's latest year, before the deadline
    with travel(D(2026, 12, 6)):
        assert overdue_follow_ups([org.unit], YEAR) == {}
        manual = IndicatorFactory(goal=goal, title="Andel trygga elever")
        late = overdue_follow_ups([org.unit], YEAR)[org.unit.pk]
    assert [g.indicators for g in late.goals] == [["Andel trygga elever"]]
    assert late.goals[0].activities == [] and late.goals[0].analysis_term is None
    CheckInFactory(indicator=manual, date=D(2026, 11, 2))
    with travel(D(2026, 12, 6)):
        assert overdue_follow_ups([org.unit], YEAR) == {}


def test_a_deadline_for_activity_follow_ups_asks_for_nothing_else(org, people, wheel, goal):
    deadline(wheel, people.leadership, D(2026, 11, 20), FollowUpPart.ACTIVITY_FOLLOW_UPS)
    IndicatorFactory(goal=goal)  # never checked in: not asked for by this deadline
    ongoing = ActivityFactory(goal=goal, title="Rastvärdar", status="ongoing")
    ActivityFactory(goal=goal, title="Planerad aktivitet", status="planned")
    with travel(D(2026, 12, 6)):
        (late,) = overdue_follow_ups([org.unit], YEAR)[org.unit.pk].goals
        assert late.activities == ["Rastvärdar"] and late.indicators == [] and not late.no_indicator
        ActivityFollowUp.objects.create(activity=ongoing, date=D(2026, 11, 25), process_data="Fler vuxna ute", on_track="yes")
        assert overdue_follow_ups([org.unit], YEAR) == {}


def test_analysis_deadlines_ask_for_the_term_they_close():
    assert analysed_term(D(2027, 1, 20)) == Term.parse("HT 2026")
    assert analysed_term(D(2027, 6, 10)) == Term.parse("VT 2027")
    assert analysed_term(D(2026, 12, 15)) == Term.parse("HT 2026")
    assert analysed_term(D(2026, 9, 15)) == Term.parse("VT 2026")


def test_an_analysis_is_overdue_only_after_its_deadline(org, people, login, wheel, goal):
    deadline(wheel, people.leadership, D(2027, 1, 20), FollowUpPart.ANALYSES, title="Analys av hösten")
    with travel(D(2026, 12, 6)):
        assert overdue_follow_ups([org.unit], YEAR) == {}
        page = login(people.leadership).get(reverse("chain_matrix")).content.decode()
        assert "Uppföljning: senast 20 januari" in page and "✗ Uppföljning" not in page
    with travel(D(2027, 1, 21)):
        (late,) = overdue_follow_ups([org.unit], YEAR)[org.unit.pk].goals
        assert late.analysis_term == Term.parse("HT 2026")
        page = login(people.leadership).get(reverse("chain_matrix")).content.decode()
        assert "✗ Uppföljning" in page and "Uppföljningen försenad sedan 20 januari" in page
        start = login(people.rector).get(reverse("start")).content.decode()
        assert "Tryggare raster: ingen uppföljning och analys av HT 2026" in start
        Analysis.objects.create(goal=goal, term=Term.parse("HT 2026"))
        assert overdue_follow_ups([org.unit], YEAR) == {}


def test_without_a_wheel_deadline_the_analysis_is_due_when_the_term_is_over(org, goal):
    admin_goal = goal.parent
    with travel(D(2026, 12, 6)):
        (row,) = chain_matrix([admin_goal], [org.unit], YEAR)
        assert row.cells[0].follow_up == "not_due"
    with travel(D(2027, 2, 1)):
        (row,) = chain_matrix([admin_goal], [org.unit], YEAR)
        assert row.cells[0].follow_up == "missing" and row.cells[0].due_term == Term.parse("HT 2026")
        Analysis.objects.create(goal=goal, term=Term.parse("HT 2026"))
        (row,) = chain_matrix([admin_goal], [org.unit], YEAR)
        assert row.cells[0].follow_up == "done"


def test_the_event_form_asks_what_a_follow_up_deadline_asks_for(org, people, login, wheel):
    client = login(people.leadership)
    url = reverse("annualwheel:event_create", args=[wheel.pk])
    data = {"kind": EventKind.FOLLOW_UP_DEADLINE, "title": "Analysdag", "start_date": "2027-01-20", "repeat": "none",
            "interval": 1, "on_closed_day": "keep"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Välj vad enheterna ska ha följt upp till sista dagen." in response.content.decode()
    assert not wheel.events.exists()
    response = client.post(url, {**data, "follow_up_parts": ["analyses", "activity_follow_ups"]})
    event = wheel.events.get()
    assert sorted(event.follow_up_parts) == ["activity_follow_ups", "analyses"]
    detail = client.get(reverse("annualwheel:event_detail", args=[event.pk])).content.decode()
    assert "Uppföljningar av pågående aktiviteter" in detail and "Uppföljning och analys av målen för terminen" in detail

