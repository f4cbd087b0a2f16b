"""The municipality's quality matrices: who keeps them, the built-in defaults in one click,
editing the grid, bad input refused in Swedish with nothing half-saved, and history kept."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from dialogs.demo_preparation import seed_preparation
from dialogs.models import AreaAssessment, MatrixArea, MatrixDescriptor, MatrixLevel, QualityMatrix, SelfAssessment
from ska.models import Role, SchoolForm
from ska.schoolyear import SchoolYear

from ..factories import AdministrationFactory, RoleFactory, UserFactory

REQUIRED = "Detta fält måste fyllas i."  # Django's own message, in Swedish


def _form(code):
    return SchoolForm.objects.get(code=code)


def _default(org, people, login, code="grundskola"):
    response = login(people.leadership).post(reverse("dialogs:matrix_create_default", args=[code]))
    assert response.status_code == 302
    return QualityMatrix.objects.get(municipality=org.municipality, school_form__code=code)


def _edit_data(matrix, **changes):
    """The edit form as the page sends it, with ``changes`` on top."""
    data = {"name": matrix.name, "level_new_number": "", "level_new_name": "", "area_new_title": "",
            "area_new_description": "", "area_new_position": ""}
    levels = list(matrix.levels.order_by("number"))
    for level in levels:
        data[f"level_{level.pk}_number"] = level.number
        data[f"level_{level.pk}_name"] = level.name
    for area in matrix.areas.order_by("position", "pk"):
        data[f"area_{area.pk}_title"] = area.title
        data[f"area_{area.pk}_description"] = area.description
        data[f"area_{area.pk}_position"] = area.position
        descriptors = {d.level_id: d.text for d in area.descriptors.all()}
        for level in levels:
            data[f"area_{area.pk}_level_{level.pk}"] = descriptors.get(level.pk, "")
    for level in levels:
        data[f"area_new_level_{level.pk}"] = ""
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "role,status",
    [("leadership", 200), ("sysadmin", 200), ("rector", 403), ("contributor", 403), ("provider_contact", 403),
     ("secretary", 403), ("outsider", 403)],
)
def test_who_keeps_the_matrices(org, people, login, role, status):
    assert login(getattr(people, role)).get(reverse("dialogs:matrices")).status_code == status


def test_the_built_in_matrix_in_one_click(org, people, login):
    matrix = _default(org, people, login)
    assert matrix.name == "Kvalitetsmatris för grundskolan"
    assert [level.name for level in matrix.levels.order_by("number")] == ["Otillräcklig", "Godtagbar", "God", "Utmärkt"]
    titles = list(matrix.areas.order_by("position").values_list("title", flat=True))
    assert titles[:2] == ["Undervisning och lärande", "Trygghet och studiero"]
    assert "Samverkan med hem" in titles
    assert MatrixDescriptor.objects.filter(area__matrix=matrix).count() == len(titles) * 4
    # A second click changes nothing.
    _default(org, people, login)
    assert QualityMatrix.objects.filter(municipality=org.municipality).count() == 1
    preschool = _default(org, people, login, "forskola")
    assert preschool.name == "Kvalitetsmatris för förskolan"
    page = login(people.leadership).get(reverse("dialogs:matrices"))
    assert reverse("dialogs:matrix_edit", args=[matrix.pk]) in page.text
    assert reverse("dialogs:matrix_create_default", args=["grundskola"]) not in page.text


def test_an_empty_matrix_for_a_form_without_defaults(org, people, login):
    client = login(people.leadership)
    response = client.post(reverse("dialogs:matrix_create"), {"school_form": _form("fritidshem").pk, "name": "Fritidshemmets matris"})
    matrix = QualityMatrix.objects.get(school_form__code="fritidshem")
    assert response.url == reverse("dialogs:matrix_edit", args=[matrix.pk])
    assert matrix.levels.count() == 4 and not matrix.areas.exists()
    again = client.post(reverse("dialogs:matrix_create"), {"school_form": _form("fritidshem").pk, "name": "En till"})
    assert again.status_code == 200 and QualityMatrix.objects.filter(school_form__code="fritidshem").count() == 1


def test_editing_the_grid(org, people, login):
    matrix = _default(org, people, login)
    client = login(people.leadership)
    assert client.get(reverse("dialogs:matrix_edit", args=[matrix.pk])).status_code == 200
    area = matrix.areas.get(title="Trygghet och studiero")
    top = matrix.levels.get(number=4)
    lowest = matrix.levels.get(number=1)
    data = _edit_data(
        matrix,
        name="Ystads kvalitetsmatris",
        **{
            f"level_{lowest.pk}_name": "Bristfällig",
            f"area_{area.pk}_level_{top.pk}": "Eleverna driver själva trygghetsarbetet.",
            "area_new_title": "Elevhälsa",
            "area_new_description": "Det förebyggande och hälsofrämjande elevhälsoarbetet.",
            f"area_new_level_{top.pk}": "Elevhälsan arbetar främst förebyggande.",
            "level_new_number": 5,
            "level_new_name": "Föredömlig",
        },
    )
    response = client.post(reverse("dialogs:matrix_edit", args=[matrix.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    matrix.refresh_from_db()
    assert matrix.name == "Ystads kvalitetsmatris"
    assert [level.name for level in matrix.levels.order_by("number")] == ["Bristfällig", "Godtagbar", "God", "Utmärkt", "Föredömlig"]
    assert MatrixDescriptor.objects.get(area=area, level=top).text == "Eleverna driver själva trygghetsarbetet."
    new_area = matrix.areas.get(title="Elevhälsa")
    assert new_area.descriptors.get().text == "Elevhälsan arbetar främst förebyggande."
    # History is kept.
    assert matrix.history.count() == 2
    assert MatrixDescriptor.history.filter(area_id=area.pk, level_id=top.pk).count() == 2
    page = client.get(reverse("dialogs:matrix_edit", args=[matrix.pk]))
    assert "Eleverna driver själva trygghetsarbetet." in page.text


def test_levels_can_swap_numbers(org, people, login):
    matrix = _default(org, people, login)
    one, two = matrix.levels.get(number=1), matrix.levels.get(number=2)
    data = _edit_data(matrix, **{f"level_{one.pk}_number": 2, f"level_{two.pk}_number": 1})
    assert login(people.leadership).post(reverse("dialogs:matrix_edit", args=[matrix.pk]), data).status_code == 302
    one.refresh_from_db(), two.refresh_from_db()
    assert (one.number, two.number) == (2, 1)


def _unchanged(matrix, descriptors):
    matrix.refresh_from_db()
    assert matrix.name == "Kvalitetsmatris för grundskolan"
    assert sorted(MatrixDescriptor.objects.filter(area__matrix=matrix).values_list("text", flat=True)) == descriptors
    assert list(matrix.levels.order_by("number").values_list("name", flat=True)) == ["Otillräcklig", "Godtagbar", "God", "Utmärkt"]


def test_bad_input_is_refused_in_swedish_and_nothing_is_half_saved(org, people, login):
    matrix = _default(org, people, login)
    descriptors = sorted(MatrixDescriptor.objects.filter(area__matrix=matrix).values_list("text", flat=True))
    client = login(people.leadership)
    url = reverse("dialogs:matrix_edit", args=[matrix.pk])
    area = matrix.areas.first()
    level = matrix.levels.get(number=1)
    second = matrix.levels.get(number=2)

    # An area without a title, beside valid changes to the name and a descriptor.
    response = client.post(url, _edit_data(matrix, name="Nytt namn", **{f"area_{area.pk}_title": "",
                                                                         f"area_{area.pk}_level_{level.pk}": "Ny text"}))
    assert response.status_code == 200
    assert REQUIRED in response.text
    assert response.context["form"].errors[f"area_{area.pk}_title"]
    _unchanged(matrix, descriptors)

    # Two levels with the same number: the message beside the field, in the language of the page.
    response = client.post(url, _edit_data(matrix, name="Nytt namn", **{f"level_{second.pk}_number": 1}))
    assert response.status_code == 200
    with translation.override("sv"):
        assert gettext("Two levels cannot have the same number.") in response.text
    _unchanged(matrix, descriptors)

    # A level number that is not a number.
    response = client.post(url, _edit_data(matrix, name="Nytt namn", **{f"level_{level.pk}_number": "ett"}))
    assert response.status_code == 200 and "Fyll i ett heltal." in response.text
    _unchanged(matrix, descriptors)

    # A descriptor for a new area without a title.
    response = client.post(url, _edit_data(matrix, name="Nytt namn", **{f"area_new_level_{level.pk}": "Text utan område"}))
    assert response.status_code == 200 and response.context["form"].errors["area_new_title"]
    _unchanged(matrix, descriptors)


def test_a_level_or_area_in_use_cannot_be_removed(org, people, login):
    matrix = _default(org, people, login)
    descriptors = sorted(MatrixDescriptor.objects.filter(area__matrix=matrix).values_list("text", flat=True))
    level, area = matrix.levels.get(number=2), matrix.areas.first()
    assessment = SelfAssessment.objects.create(unit=org.unit, school_form=matrix.school_form, school_year=SchoolYear(2024), matrix=matrix)
    AreaAssessment.objects.create(assessment=assessment, area=area, level=level)
    client = login(people.leadership)
    url = reverse("dialogs:matrix_edit", args=[matrix.pk])
    for removal in ({f"level_{level.pk}_delete": "on"}, {f"area_{area.pk}_delete": "on"}):
        response = client.post(url, _edit_data(matrix, name="Nytt namn", **removal))
        assert response.status_code == 200
        assert 'role="alert"' in response.text
        _unchanged(matrix, descriptors)
    assert MatrixLevel.objects.filter(pk=level.pk).exists() and MatrixArea.objects.filter(pk=area.pk).exists()
    # One nobody has used can go, with its descriptors.
    unused = matrix.areas.exclude(pk=area.pk).first()
    assert client.post(url, _edit_data(matrix, **{f"area_{unused.pk}_delete": "on"})).status_code == 302
    assert not MatrixArea.objects.filter(pk=unused.pk).exists()
    assert not MatrixDescriptor.objects.filter(area_id=unused.pk).exists()


def test_leadership_of_another_municipality_cannot_reach_the_matrix(org, people, login):
    matrix = _default(org, people, login)
    elsewhere = UserFactory(username="skolchef-annanstans")
    RoleFactory(user=elsewhere, role=Role.LEADERSHIP, administration=AdministrationFactory())
    client = login(elsewhere)
    assert client.get(reverse("dialogs:matrix_edit", args=[matrix.pk])).status_code == 404
    assert client.post(reverse("dialogs:matrix_edit", args=[matrix.pk]), _edit_data(matrix, name="Kapat")).status_code == 404
    assert login(people.rector).get(reverse("dialogs:matrix_edit", args=[matrix.pk])).status_code == 403
    matrix.refresh_from_db()
    assert matrix.name == "Kvalitetsmatris för grundskolan"


def test_demo_matrices(org):
    matrices = seed_preparation(org.municipality)
    assert sorted(m.school_form.code for m in matrices) == ["forskola", "grundskola"]
    assert seed_preparation(org.municipality) == matrices
    assert QualityMatrix.objects.count() == 2
