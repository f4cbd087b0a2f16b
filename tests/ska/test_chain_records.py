"""The goal chain's records: rules the database and the services hold, history, soft delete
and conflicting saves."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from ska.models import ActivityIndicator, Analysis, CheckIn, DevelopmentArea, Goal, Indicator
from ska.schoolyear import SchoolYear, Term
from ska.services.chain import development_area_to_goal, goal_create
from ska.services.rollover import goal_continue as goal_roll_over
from ska.services.records import EditConflict, record_delete, record_restore, record_update

from ..factories import (
    YEAR,
    ActivityFactory,
    AdministrationGoalFactory,
    CheckInFactory,
    IndicatorFactory,
    UnitGoalFactory,
    UserFactory,
)


@pytest.fixture
def admin_goal(org):
    return AdministrationGoalFactory(administration=org.administration, title="Ökad läsförståelse")


def test_a_unit_goal_hangs_from_an_administration_wide_goal_of_the_same_year(org, admin_goal):
    values = {"title": "Fler elever läser med flyt", "start_term": YEAR.autumn, "end_term": YEAR.spring}
    goal = goal_create(level="unit", owner=org.unit, school_year=YEAR, parent=admin_goal, values=dict(values))
    assert goal.parent == admin_goal and goal.unit == org.unit
    with pytest.raises(ValidationError):
        goal_create(level="unit", owner=org.unit, school_year=YEAR, parent=None, values=dict(values))
    with pytest.raises(ValidationError):
        goal_create(level="unit", owner=org.unit, school_year=YEAR, parent=goal, values=dict(values))
    with pytest.raises(ValidationError):
        goal_create(level="unit", owner=org.unit, school_year=YEAR.next(), parent=admin_goal, values=dict(values))
    with pytest.raises(ValidationError):
        goal_create(level="local", owner=org.unit, school_year=YEAR, parent=admin_goal, values=dict(values))
    local = goal_create(level="local", owner=org.unit, school_year=YEAR, values=dict(values))
    assert local.parent is None


def test_the_database_refuses_a_goal_owned_by_the_wrong_level(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Goal.objects.create(level="unit", administration=org.administration, school_year=YEAR, title="x",
                            start_term=YEAR.autumn, end_term=YEAR.spring)
    with pytest.raises(IntegrityError), transaction.atomic():
        Goal.objects.create(level="administration", administration=org.administration, school_year=YEAR, title="x",
                            start_term=YEAR.spring, end_term=YEAR.autumn)


def test_an_activity_moves_only_its_own_goals_indicators(org):
    indicator = IndicatorFactory(goal__unit=org.unit)
    other = IndicatorFactory(goal__unit=org.unit)
    activity = ActivityFactory(goal=indicator.goal)
    activity.indicators.add(indicator)
    with pytest.raises(ValidationError), transaction.atomic():
        activity.indicators.add(other)
    with pytest.raises(ValidationError):
        ActivityIndicator.objects.create(activity=activity, indicator=other)
    assert list(activity.indicators.all()) == [indicator]


def test_a_conflicting_save_is_refused_and_the_earlier_change_stays(org):
    karin, erik = UserFactory(username="karin"), UserFactory(username="erik")
    indicator = IndicatorFactory(goal__unit=org.unit, title="Andel elever som känner sig trygga")
    opened_by_both = indicator.version
    record_update(record=indicator, version=opened_by_both, values={"target_value": Decimal("90")}, user=karin)
    with pytest.raises(EditConflict) as conflict:
        record_update(record=indicator, version=opened_by_both, values={"target_value": Decimal("85")}, user=erik)
    assert conflict.value.changed_by == karin
    with translation.override("sv"):
        assert [(str(label), yours, theirs) for label, yours, theirs in conflict.value.changes] == [
            ("önskat läge (värde)", Decimal("85"), Decimal("90"))
        ]
    indicator.refresh_from_db()
    assert indicator.target_value == Decimal("90") and indicator.version == opened_by_both + 1
    # Saving again from the current version works.
    record_update(record=indicator, version=indicator.version, values={"target_value": Decimal("85")}, user=erik)
    indicator.refresh_from_db()
    assert indicator.target_value == Decimal("85")


def test_every_change_is_kept_with_who_made_it(org):
    karin = UserFactory(username="karin")
    check_in = CheckInFactory(indicator__goal__unit=org.unit, value=Decimal("61"))
    record_update(record=check_in, version=check_in.version, values={"value": Decimal("62.5")}, user=karin)
    history = list(check_in.history.order_by("history_date"))
    assert [h.value for h in history] == [Decimal("61"), Decimal("62.5")]
    assert history[-1].history_user == karin
    delta = history[-1].diff_against(history[0])
    assert [(c.field, c.old, c.new) for c in delta.changes if c.field == "value"] == [("value", Decimal("61"), Decimal("62.5"))]


def test_deleting_hides_and_restoring_brings_back(org):
    karin = UserFactory(username="karin")
    indicator = IndicatorFactory(goal__unit=org.unit)
    CheckInFactory(indicator=indicator)
    record_delete(record=indicator, user=karin)
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    assert Indicator.all_objects.get(pk=indicator.pk).deleted_by == karin
    assert list(indicator.goal.indicators.all()) == []
    assert CheckIn.objects.filter(indicator_id=indicator.pk).count() == 1  # nothing below it is lost
    record_restore(record=indicator, user=karin)
    assert list(indicator.goal.indicators.all()) == [indicator]
    assert [h.history_type for h in Indicator.history.filter(id=indicator.pk).order_by("history_date")] == ["+", "~", "~"]


def test_rolling_a_goal_over_makes_the_latest_value_the_new_baseline(org, admin_goal):
    goal = UnitGoalFactory(unit=org.unit, parent=admin_goal)
    indicator = IndicatorFactory(goal=goal, baseline_value=Decimal("60"), target_value=Decimal("80"))
    CheckInFactory(indicator=indicator, date=datetime.date(2025, 11, 1), value=Decimal("64"))
    CheckInFactory(indicator=indicator, date=datetime.date(2026, 5, 20), value=Decimal("71"))
    next_admin_goal = goal_roll_over(goal=admin_goal)
    new = goal_roll_over(goal=goal)
    assert new.school_year == SchoolYear(2026) and new.continued_from == goal
    assert new.parent == next_admin_goal and new.level == Goal.Level.UNIT
    copied = new.indicators.get()
    assert copied.baseline_value == Decimal("71") and copied.baseline_date == datetime.date(2026, 5, 20)
    assert copied.target_value == Decimal("80")
    # The old year is untouched, and running it again changes nothing.
    indicator.refresh_from_db()
    assert indicator.baseline_value == Decimal("60") and indicator.check_ins.count() == 2
    assert goal_roll_over(goal=goal) == new
    assert Goal.objects.filter(continued_from=goal).count() == 1


def test_a_development_area_becomes_next_years_draft_goal_in_one_step(org, admin_goal):
    goal = UnitGoalFactory(unit=org.unit, parent=admin_goal)
    analysis = Analysis.objects.create(goal=goal, term=Term.parse("VT 2026"), attainment=2)
    area = DevelopmentArea.objects.create(analysis=analysis, title="Studiero i klassrummet", description="Mer struktur")
    draft = development_area_to_goal(area=area)
    assert draft.status == Goal.Status.DRAFT and draft.school_year == SchoolYear(2026)
    assert draft.title == "Studiero i klassrummet" and draft.origin == Goal.Origin.DEVELOPMENT
    assert draft.unit == org.unit
    assert draft.level == Goal.Level.LOCAL  # nothing above carried over yet
    assert development_area_to_goal(area=area) == draft
    area.refresh_from_db()
    assert area.goal == draft


def test_one_analysis_per_goal_and_term_but_a_deleted_one_does_not_count(org):
    goal = UnitGoalFactory(unit=org.unit)
    first = Analysis.objects.create(goal=goal, term=Term.parse("HT 2025"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Analysis.objects.create(goal=goal, term=Term.parse("HT 2025"))
    record_delete(record=first, user=None)
    Analysis.objects.create(goal=goal, term=Term.parse("HT 2025"))


def test_indicator_progress_runs_from_baseline_to_target(org):
    up = IndicatorFactory(goal__unit=org.unit, baseline_value=Decimal("60"), target_value=Decimal("80"))
    assert up.progress(Decimal("70")) == 0.5
    down = IndicatorFactory(goal__unit=org.unit, baseline_value=Decimal("20"), target_value=Decimal("10"), direction="lower")
    assert down.progress(Decimal("15")) == 0.5
    assert IndicatorFactory(goal__unit=org.unit, target_value=None).progress(Decimal("70")) is None
