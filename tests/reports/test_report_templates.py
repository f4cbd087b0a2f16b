"""The administration's report templates: created from the built-in structure, sections edited,
moved and removed, with conflicts; only its leadership keeps them; reports started from them
keep their structure when the template changes."""

import pytest
from django.urls import reverse

from reports.models import ReportTemplate, TemplateSection
from reports.services import report_templates as services
from reports.services import unit_reports
from reports.services.report_templates import TemplateError
from ska.models import SchoolForm

from ..factories import YEAR, AdministrationFactory


@pytest.fixture
def grundskola(db):
    return SchoolForm.objects.get(code="grundskola")


def create(org, people, form):
    return services.template_create(administration=org.administration, school_form=form, user=people.leadership)


def test_a_template_starts_from_the_built_in_structure(org, people, grundskola):
    template = create(org, people, grundskola)
    sections = list(template.sections.order_by("sort_order"))
    assert [(s.title, s.guidance, s.data_part) for s in sections] == [
        (spec.title, spec.guidance, spec.data_part) for spec in services.default_sections()
    ]
    assert [s.sort_order for s in sections] == [10 * n for n in range(1, len(sections) + 1)]
    assert template.history.get().history_user == people.leadership
    with pytest.raises(TemplateError):
        create(org, people, grundskola)
    assert ReportTemplate.objects.count() == 1


def test_the_template_for_a_unit_is_that_of_its_first_school_form(org, people, grundskola):
    assert services.template_for(org.unit, YEAR) is None
    fritidshem = create(org, people, SchoolForm.objects.get(code="fritidshem"))
    assert services.template_for(org.unit, YEAR) == fritidshem
    grund = create(org, people, grundskola)
    assert services.template_for(org.unit, YEAR) == grund
    assert services.template_for(org.preschool, YEAR) is None
    assert services.template_for(org.provider_unit, YEAR) is None
    other = AdministrationFactory(municipality=org.municipality, committee=org.committee)
    services.template_create(administration=other, school_form=SchoolForm.objects.get(code="forskola"), user=None)
    assert services.template_for(org.preschool, YEAR) is None  # another administration's


def test_sections_are_added_edited_moved_and_removed_in_the_browser(org, people, login, grundskola):
    client = login(people.leadership)
    response = client.post(reverse("reports:template_create"), {"administration": org.administration.pk, "school_form": grundskola.pk})
    template = ReportTemplate.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:template_edit", args=[template.pk])
    edit_url = reverse("reports:template_edit", args=[template.pk])
    assert client.get(edit_url).status_code == 200

    # Add
    response = client.post(
        reverse("reports:template_section_add", args=[template.pk]),
        {"new-title": "Fritidshemmets uppdrag", "new-guidance": "Beskriv undervisningen i fritidshemmet.", "new-data_part": ""},
    )
    assert response.status_code == 302
    added = template.sections.get(title="Fritidshemmets uppdrag")
    assert added.sort_order > max(s.sort_order for s in template.sections.exclude(pk=added.pk))
    response = client.post(reverse("reports:template_section_add", args=[template.pk]), {"new-title": "", "new-data_part": "nonsense"})
    assert response.status_code == 400 and template.sections.count() == 10

    # Edit
    first = template.sections.order_by("sort_order").first()
    section_url = reverse("reports:template_section_edit", args=[first.pk])
    assert client.get(section_url).status_code == 200
    response = client.post(section_url, {"title": "Sammanfattning av året", "guidance": "Kort.", "data_part": "indicators", "version": first.version})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.title, first.guidance, first.data_part, first.version) == ("Sammanfattning av året", "Kort.", "indicators", 2)

    # A stale edit is refused and says so.
    response = client.post(section_url, {"title": "Gammal", "guidance": "", "data_part": "", "version": 1})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    first.refresh_from_db()
    assert first.title == "Sammanfattning av året"

    # Move: the added section goes up one step; the first cannot go further up.
    order = lambda: list(template.sections.order_by("sort_order", "pk").values_list("title", flat=True))
    before = order()
    client.post(reverse("reports:template_section_move", args=[added.pk]), {"direction": "up"})
    after = order()
    assert after[-2] == "Fritidshemmets uppdrag" and after[-1] == before[-2]
    client.post(reverse("reports:template_section_move", args=[first.pk]), {"direction": "up"})
    assert order()[0] == "Sammanfattning av året"
    client.post(reverse("reports:template_section_move", args=[first.pk]), {"direction": "down"})
    assert order()[1] == "Sammanfattning av året"

    # Remove (soft)
    client.post(reverse("reports:template_section_delete", args=[added.pk]))
    assert "Fritidshemmets uppdrag" not in order()
    assert TemplateSection.all_objects.get(pk=added.pk).deleted_by == people.leadership

    # Name and introduction
    response = client.post(edit_url, {"name": "Vår mall", "introduction": "Skriv kort.", "version": template.version})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "Vår mall" and template.version == 2


def test_a_started_report_keeps_its_structure_when_the_template_changes(org, people, grundskola):
    template = create(org, people, grundskola)
    report = unit_reports.unit_report_start(unit=org.unit, school_year=YEAR, user=people.rector)
    assert report.template == template
    titles = [s.title for s in report.sections.all()]
    section = template.sections.first()
    services.section_update(section=section, version=section.version, values={"title": "Nytt"}, user=people.leadership)
    services.section_delete(section=template.sections.last(), user=people.leadership)
    assert [s.title for s in report.sections.all()] == titles


@pytest.mark.parametrize("role, expected", [
    ("leadership", 200), ("sysadmin", 200), ("rector", 403), ("contributor", 403), ("secretary", 403),
    ("member", 403), ("provider_contact", 403), ("outsider", 403),
])
def test_only_the_leadership_keeps_templates(org, people, login, grundskola, role, expected):
    template = create(org, people, grundskola)
    section = template.sections.first()
    client = login(getattr(people, role))
    assert client.get(reverse("reports:template_list")).status_code == expected
    assert client.get(reverse("reports:template_edit", args=[template.pk])).status_code == expected
    assert client.get(reverse("reports:template_section_edit", args=[section.pk])).status_code == expected
    if expected == 403:
        assert client.post(reverse("reports:template_section_delete", args=[section.pk])).status_code == 403
        assert client.post(reverse("reports:template_create"), {"administration": org.administration.pk, "school_form": 1}).status_code == 403
        assert TemplateSection.objects.filter(pk=section.pk).exists()


def test_another_administrations_leadership_does_not_see_the_template(org, people, login, grundskola):
    from ska.models import Role

    from ..factories import RoleFactory, UserFactory

    template = create(org, people, grundskola)
    other = AdministrationFactory(municipality=org.municipality, committee=org.committee)
    stranger = UserFactory(username="annan-chef")
    RoleFactory(user=stranger, role=Role.LEADERSHIP, administration=other)
    client = login(stranger)
    assert client.get(reverse("reports:template_edit", args=[template.pk])).status_code == 404
    assert client.post(reverse("reports:template_section_delete", args=[template.sections.first().pk])).status_code == 404
    response = client.post(reverse("reports:template_create"), {"administration": org.administration.pk, "school_form": grundskola.pk})
    assert response.status_code == 302 and ReportTemplate.objects.count() == 1
    body = client.get(reverse("reports:template_list")).content.decode()
    assert template.name not in body and f">{org.administration.name}<" not in body


def test_the_list_shows_each_school_form_with_its_template_or_a_button(org, people, login, grundskola):
    template = create(org, people, grundskola)
    body = login(people.leadership).get(reverse("reports:template_list")).content.decode()
    assert reverse("reports:template_edit", args=[template.pk]) in body
    assert body.count(reverse("reports:template_create")) == SchoolForm.objects.count() - 1
