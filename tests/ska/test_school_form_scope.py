"""Scope by school form: an administration-wide goal limited to some school forms asks only the
units of those forms (matrix, to-do lists, the goal form), and förvaltningsledning limited to a
school form (a verksamhetschef förskola) leads only its units and keeps only its forms' goals."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ska.chain_status import chain_matrix, unit_todo
from ska.forms_chain import GoalForm
from ska.models import Goal, Role, SchoolForm
from ska.schoolyear import SchoolYear
from ska.services.chain import goal_create

from ..factories import AdministrationGoalFactory, RoleFactory, UnitGoalFactory, UserFactory

YEAR = SchoolYear(2026)
PERIOD = {"school_year": YEAR, "start_term": YEAR.autumn, "end_term": YEAR.spring}


@pytest.fixture
def reading_goal(org):
    goal = AdministrationGoalFactory(administration=org.administration, title="Fler elever i åk 3 läser med flyt", **PERIOD)
    goal.school_forms.set([SchoolForm.objects.get(code="grundskola")])
    return goal


@pytest.fixture
def shared_goal(org):
    return AdministrationGoalFactory(administration=org.administration, title="Trygghet och studiero", **PERIOD)


def test_a_goal_for_grundskola_asks_no_preschool(org, reading_goal, shared_goal):
    todo = unit_todo([org.unit, org.preschool], YEAR)
    assert any("läser med flyt" in item for item in todo[org.unit.pk])
    assert not any("läser med flyt" in item for item in todo[org.preschool.pk])
    assert any("Trygghet och studiero" in item for item in todo[org.preschool.pk])

    rows = {row.unit: row for row in chain_matrix([reading_goal, shared_goal], [org.unit, org.preschool], YEAR)}
    assert [cell.applicable for cell in rows[org.preschool].cells] == [False, True]
    assert rows[org.preschool].applicable_count == 1 and rows[org.unit].applicable_count == 2


def test_the_matrix_page_marks_the_goal_as_not_applying(org, people, login, reading_goal, shared_goal):
    page = login(people.leadership).get(reverse("chain_matrix"), {"lasar": 2026}).content.decode()
    assert page.count("Gäller inte enhetens skolformer") == 1
    assert "0 av 1 kompletta" in page and "0 av 2 kompletta" in page


def test_the_goal_form_offers_a_unit_only_the_goals_for_its_forms(org, reading_goal, shared_goal):
    preschool_choices = list(GoalForm(unit=org.preschool, school_year=YEAR).fields["parent"].queryset)
    school_choices = list(GoalForm(unit=org.unit, school_year=YEAR).fields["parent"].queryset)
    assert preschool_choices == [shared_goal]
    assert set(school_choices) == {reading_goal, shared_goal}
    with pytest.raises(ValidationError) as error:
        goal_create(level=Goal.Level.UNIT, owner=org.preschool, parent=reading_goal, values={"title": "Läsning",
                    "start_term": YEAR.autumn, "end_term": YEAR.spring}, school_year=YEAR)
    assert "gäller inte enhetens skolformer" in str(error.value)
    assert not Goal.objects.filter(unit=org.preschool).exists()


def test_relinking_a_local_goal_makes_it_a_unit_goal(org, people, login, shared_goal):
    local = Goal.objects.create(level=Goal.Level.LOCAL, unit=org.unit, title="Mer läsning", **PERIOD)
    client = login(people.rector)
    response = client.post(reverse("goal_edit", args=[local.pk]), {
        "title": "Mer läsning", "parent": shared_goal.pk, "start_term": YEAR.autumn.code, "end_term": YEAR.spring.code,
        "version": local.version,
    })
    assert response.status_code == 302
    local.refresh_from_db()
    assert (local.level, local.parent) == (Goal.Level.UNIT, shared_goal)
    (row,) = chain_matrix([shared_goal], [org.unit], YEAR)
    assert row.cells[0].linked


@pytest.fixture
def preschool_chief(org):
    user = UserFactory(username="vc-forskola")
    role = RoleFactory(user=user, role=Role.LEADERSHIP, administration=org.administration, title="Verksamhetschef förskola")
    role.school_forms.set([SchoolForm.objects.get(code="forskola")])
    return user


def test_leadership_limited_to_forskola_leads_only_the_preschools(org, login, preschool_chief, reading_goal, shared_goal):
    client = login(preschool_chief)
    assert client.get(reverse("unit_detail", args=[org.preschool.pk])).status_code == 200
    assert client.get(reverse("unit_detail", args=[org.unit.pk])).status_code == 404
    matrix = client.get(reverse("chain_matrix"), {"lasar": 2026}).content.decode()
    assert "Förskolan Solrosen" in matrix and "Österportskolan" not in matrix
    school_goal = UnitGoalFactory(unit=org.unit, parent=shared_goal, title="Lugnare klassrum", **PERIOD)
    assert client.get(reverse("goal_edit", args=[school_goal.pk])).status_code == 404
    units = client.get(reverse("unit_list")).content.decode()
    assert "Förskolan Solrosen" in units and "Österportskolan" not in units


def test_limited_leadership_keeps_only_its_own_forms_goals(org, login, preschool_chief, reading_goal, shared_goal):
    preschool_goal = AdministrationGoalFactory(administration=org.administration, title="Barns inflytande", **PERIOD)
    preschool_goal.school_forms.set([SchoolForm.objects.get(code="forskola")])
    client = login(preschool_chief)
    assert client.get(reverse("goal_edit", args=[preschool_goal.pk])).status_code == 200
    # Seen, not kept: the goal for every school form and grundskola's goal.
    assert client.get(reverse("goal_edit", args=[shared_goal.pk])).status_code == 403
    assert client.get(reverse("goal_edit", args=[reading_goal.pk])).status_code == 403
    assert client.get(reverse("chain_settings")).status_code == 403


def test_unlimited_leadership_is_read_in_one_query(org, people, django_assert_num_queries):
    from ska.access import scope_of

    with django_assert_num_queries(1):
        scope = scope_of(people.leadership)
    assert scope.fully_led_administrations == {org.administration.pk}


def test_the_goal_limit_is_set_in_the_app_and_the_matrix_shows_crowded_units(org, people, login, shared_goal):
    client = login(people.leadership)
    response = client.post(reverse("chain_settings"), {"goal_limit": "0"})
    assert response.status_code == 200 and "Kontrollera att detta värde är större än eller lika med 1." in response.content.decode()
    response = client.post(reverse("chain_settings"), {"goal_limit": "1"})
    assert response.status_code == 302
    org.administration.refresh_from_db()
    assert org.administration.goal_limit == 1
    assert org.administration.history.first().history_user == people.leadership
    for title in ("Lugnare klassrum", "Tryggare raster"):
        UnitGoalFactory(unit=org.unit, parent=shared_goal, title=title, **PERIOD)
    matrix = client.get(reverse("chain_matrix"), {"lasar": 2026}).content.decode()
    assert matrix.count("Målträngsel: 2 mål (högst 1)") == 1
