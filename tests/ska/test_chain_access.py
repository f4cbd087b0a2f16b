"""Who may see and change which part of the goal chain."""

import pytest

from ska.access import visible_goals
from ska.models import Analysis, Goal
from ska.schoolyear import Term

from ..factories import ActivityFactory, AdministrationGoalFactory, CheckInFactory, IndicatorFactory, UnitGoalFactory


@pytest.fixture
def chain(org):
    admin_goal = AdministrationGoalFactory(administration=org.administration)
    own = UnitGoalFactory(unit=org.unit, parent=admin_goal)
    other = UnitGoalFactory(unit=org.other_unit, parent=admin_goal)
    indicator = IndicatorFactory(goal=own)
    return {
        "admin_goal": admin_goal,
        "own_goal": own,
        "other_goal": other,
        "own_indicator": indicator,
        "own_check_in": CheckInFactory(indicator=indicator),
        "own_activity": ActivityFactory(goal=own),
        "own_analysis": Analysis.objects.create(goal=own, term=Term.parse("HT 2025")),
        "other_check_in": CheckInFactory(indicator=IndicatorFactory(goal=other)),
    }


@pytest.mark.parametrize(
    "person, can_see, can_change",
    [
        ("rector", {"admin_goal", "own_goal", "own_indicator", "own_check_in", "own_activity", "own_analysis"},
         {"own_goal", "own_indicator", "own_check_in", "own_activity", "own_analysis"}),
        ("contributor", {"admin_goal", "own_goal", "own_indicator", "own_check_in", "own_activity", "own_analysis"},
         {"own_goal", "own_indicator", "own_check_in", "own_activity", "own_analysis"}),
        ("other_rector", {"admin_goal", "other_goal", "other_check_in"}, {"other_goal", "other_check_in"}),
        ("leadership", "all", "all"),
        ("sysadmin", "all", "all"),
        ("provider_contact", set(), set()),
        ("secretary", set(), set()),
        ("outsider", set(), set()),
    ],
)
def test_chain_permissions(org, people, chain, person, can_see, can_change):
    user = getattr(people, person)
    everything = set(chain)
    can_see = everything if can_see == "all" else can_see
    can_change = everything if can_change == "all" else can_change
    for name, record in chain.items():
        assert user.has_perm("ska.view_chain", record) == (name in can_see), (person, "view", name)
        assert user.has_perm("ska.change_chain", record) == (name in can_change), (person, "change", name)
    goals = {name for name, record in chain.items() if isinstance(record, Goal)}
    assert {g.pk for g in visible_goals(user)} == {chain[n].pk for n in goals & can_see}


def test_who_may_keep_a_units_chain(org, people):
    assert people.rector.has_perm("ska.work_on_unit_chain", org.unit)
    assert not people.rector.has_perm("ska.work_on_unit_chain", org.other_unit)
    assert people.leadership.has_perm("ska.work_on_unit_chain", org.other_unit)
    # Independent providers' units are not in the municipality's chain, for anyone.
    assert not people.leadership.has_perm("ska.work_on_unit_chain", org.provider_unit)
    assert not people.provider_contact.has_perm("ska.work_on_unit_chain", org.provider_unit)
    assert not people.secretary.has_perm("ska.work_on_unit_chain", org.unit)
