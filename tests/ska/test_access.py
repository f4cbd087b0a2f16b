"""Each role reaches what it may and nothing else; the rules and the querysets agree."""

import pytest

from ska.access import scope_of, visible_providers, visible_units
from ska.models import IndependentProvider, Unit


def _units(org, *names):
    return {getattr(org, name) for name in names}


@pytest.mark.parametrize(
    "person, expected",
    [
        ("rector", ["unit"]),
        ("other_rector", ["other_unit"]),
        ("contributor", ["unit"]),
        ("leadership", ["unit", "other_unit", "preschool", "provider_unit", "other_provider_unit"]),
        ("provider_contact", ["provider_unit"]),
        ("secretary", []),
        ("member", []),
        ("outsider", []),
        ("sysadmin", ["unit", "other_unit", "preschool", "provider_unit", "other_provider_unit"]),
    ],
)
def test_who_sees_which_unit(org, people, person, expected):
    user = getattr(people, person)
    visible = set(visible_units(user))
    assert visible == _units(org, *expected)
    for unit in Unit.objects.all():
        # The rule and the queryset must always agree.
        assert user.has_perm("ska.view_unit", unit) == (unit in visible), unit


@pytest.mark.parametrize(
    "person, expected",
    [
        ("leadership", ["provider", "other_provider"]),
        ("provider_contact", ["provider"]),
        ("rector", []),
        ("secretary", []),
        ("outsider", []),
        ("sysadmin", ["provider", "other_provider"]),
    ],
)
def test_who_sees_which_provider(org, people, person, expected):
    user = getattr(people, person)
    visible = set(visible_providers(user))
    assert visible == {getattr(org, name) for name in expected}
    for provider in IndependentProvider.objects.all():
        assert user.has_perm("ska.view_provider", provider) == (provider in visible)


def test_leadership_of_another_municipality_sees_nothing_here(org, db):
    from ska.models import Role

    from ..factories import AdministrationFactory, RoleFactory, UserFactory

    elsewhere = RoleFactory(user=UserFactory(), role=Role.LEADERSHIP, administration=AdministrationFactory()).user
    assert not visible_units(elsewhere).exists()
    assert not visible_providers(elsewhere).exists()
    assert not elsewhere.has_perm("ska.view_unit", org.provider_unit)


def test_an_inactive_person_has_no_access(org, people):
    people.leadership.is_active = False
    people.leadership.save()
    assert not visible_units(people.leadership).exists()
    assert not people.leadership.has_perm("ska.list_units")


def test_scope_is_read_once_per_request(org, people, django_assert_num_queries):
    user = people.leadership
    with django_assert_num_queries(1):
        for unit in [org.unit, org.other_unit, org.preschool]:
            user.has_perm("ska.view_unit", unit)
        scope_of(user)
