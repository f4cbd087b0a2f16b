"""The unit report: starting it (structure from last year, the template or the built-in one),
writing sections with conflicts, images with text alternatives, the workflow draft →
submitted → returned → submitted → approved (then locked, also against POSTs), who may do
what, the data preview without small-group values, the overview, the start page, query
counts, and the demo."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from dialogs.services.preparation import latest_quality_report
from reports.models import ReportSection, ReportTemplate, SectionImage, TemplateSection, UnitReport
from reports.services import report_templates
from reports.services import unit_reports as services
from reports.services.unit_reports import ImageRejected, ReportError
from ska.models import SchoolForm
from ska.schoolyear import SchoolYear
from ska.services.records import EditConflict

from ..factories import YEAR, UnitFactory
from .conftest import SMALL_GROUP_VALUE


def png(size=(40, 20), kind="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 83, 148)).save(buffer, format=kind)
    return buffer.getvalue()


def upload(data: bytes, name="bild.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def start(org, people, year=YEAR):
    return services.unit_report_start(unit=org.unit, school_year=year, user=people.rector)


def finish_all(report, user):
    for section in report.sections.all():
        services.section_save(section=section, version=section.version, text=f"Text om {section.title}", done=True, user=user)


def report_url(report):
    return reverse("reports:unit_report", args=[report.pk])


def section_post(section, text, version, done=False):
    prefix = f"section-{section.pk}"
    data = {f"{prefix}-text": text, f"{prefix}-version": version}
    if done:
        data[f"{prefix}-done"] = "on"
    return data


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def current_year(org):
    """Reports may be started for the current school year (and the ones next to it) only."""
    return SchoolYear.current()


# --- Starting ------------------------------------------------------------------------
def test_a_report_starts_from_the_built_in_structure_and_starting_twice_changes_nothing(org, people):
    report = start(org, people)
    titles = [s.title for s in report.sections.order_by("sort_order")]
    assert titles == [spec.title for spec in report_templates.default_sections()]
    assert report.status == UnitReport.Status.DRAFT and report.template is None
    assert any(s.data_part == "participation" and "4 kap. 4" in s.title for s in report.sections.all())
    assert all(s.guidance for s in report.sections.all())
    again = start(org, people)
    assert again.pk == report.pk and UnitReport.objects.count() == 1 and ReportSection.objects.count() == len(titles)
    assert report.history.count() == 1 and report.sections.first().history.count() == 1


def test_a_report_starts_from_the_template_of_the_units_first_school_form(org, people):
    fritidshem = SchoolForm.objects.get(code="fritidshem")
    grundskola = SchoolForm.objects.get(code="grundskola")
    for form, heading in [(fritidshem, "Fritidshemmets arbete"), (grundskola, "Grundskolans arbete")]:
        template = ReportTemplate.objects.create(administration=org.administration, school_form=form, name=form.name)
        TemplateSection.objects.create(template=template, title=heading, guidance="Skriv.", data_part="indicators")
    report = start(org, people)  # Österportskolan: grundskola (20) before fritidshem (30)
    assert [s.title for s in report.sections.all()] == ["Grundskolans arbete"]
    assert report.template.school_form == grundskola
    assert report.sections.get().data_part == "indicators"


def test_next_years_report_starts_from_this_years_structure_without_the_texts(org, people):
    report = start(org, people)
    first, *rest = list(report.sections.order_by("sort_order"))
    services.section_save(section=first, version=first.version, text="Förra årets text", done=True, user=people.rector)
    first.refresh_from_db()
    # The rektor's report has its own structure: a renamed heading and one section removed.
    ReportSection.objects.filter(pk=first.pk).update(title="Vår sammanfattning", guidance="Egen vägledning")
    rest[-1].delete()
    # A template exists meanwhile, but last year's report wins.
    template = ReportTemplate.objects.create(
        administration=org.administration, school_form=SchoolForm.objects.get(code="grundskola"), name="Mall"
    )
    TemplateSection.objects.create(template=template, title="Från mallen")
    expected = [(s.title, s.guidance, s.data_part) for s in report.sections.order_by("sort_order", "pk")]

    next_year = services.unit_report_start(unit=org.unit, school_year=YEAR.next(), user=people.rector)
    assert [(s.title, s.guidance, s.data_part) for s in next_year.sections.order_by("sort_order", "pk")] == expected
    assert expected[0][:2] == ("Vår sammanfattning", "Egen vägledning")
    assert not any(s.text or s.done for s in next_year.sections.all())
    assert next_year.status == UnitReport.Status.DRAFT


def test_units_of_independent_providers_write_no_municipal_report(org, people):
    with pytest.raises(ReportError):
        services.unit_report_start(unit=org.provider_unit, school_year=YEAR, user=people.sysadmin)


def test_the_start_view_starts_the_report_for_those_who_write_it(org, people, login, current_year):
    url = reverse("reports:unit_report_start", args=[org.unit.pk, current_year.start_year])
    assert login(people.other_rector).post(url).status_code == 404
    assert login(people.secretary).post(url).status_code == 404
    assert login(people.leadership).post(url).status_code == 403  # approves, does not write
    assert login(people.rector).get(url).status_code == 405
    assert not UnitReport.objects.exists()
    response = login(people.contributor).post(url)
    report = UnitReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert login(people.rector).post(url)["Location"] == report.get_absolute_url()
    assert UnitReport.objects.count() == 1
    far = reverse("reports:unit_report_start", args=[org.unit.pk, current_year.start_year + 5])
    assert login(people.rector).post(far).status_code == 404


# --- Writing -------------------------------------------------------------------------
def test_sections_are_saved_one_by_one_and_marked_done(org, people):
    report = start(org, people)
    section = report.sections.order_by("sort_order").first()
    saved = services.section_save(section=section, version=section.version, text="Vi har arbetat.", user=people.rector)
    assert saved.text == "Vi har arbetat." and not saved.done and saved.version == 2
    done = services.section_mark_done(section=saved, version=saved.version, user=people.contributor)
    assert done.done and services.completeness(report) == services.Completeness(1, report.sections.count())
    done_count, total, percent = services.completeness(report)
    assert (done_count, total, percent) == (1, 9, 11)
    undone = services.section_mark_undone(section=done, version=done.version, user=people.rector)
    assert not undone.done
    assert [h.text for h in section.history.order_by("history_date")] == ["", "Vi har arbetat.", "Vi har arbetat.", "Vi har arbetat."]
    assert section.history.order_by("-history_date").first().history_user == people.rector


def test_a_written_section_cannot_be_done_while_empty(org, people):
    report = start(org, people)
    written = report.sections.get(data_part="", sort_order=10)
    with pytest.raises(ReportError):
        services.section_mark_done(section=written, version=written.version, user=people.rector)
    data = report.sections.exclude(data_part="").first()
    assert services.section_mark_done(section=data, version=data.version, user=people.rector).done


def test_a_stale_save_is_refused_with_who_saved_and_their_text(org, people):
    report = start(org, people)
    section = report.sections.first()
    services.section_save(section=section, version=1, text="Rektorns text", user=people.rector)
    with pytest.raises(EditConflict) as conflict:
        services.section_save(section=section, version=1, text="Förstelärarens text", user=people.contributor)
    assert conflict.value.current.text == "Rektorns text"
    section.refresh_from_db()
    assert section.text == "Rektorns text" and section.version == 2


def test_concurrent_saves_in_the_browser_keep_both_texts_visible(org, people, login):
    report = start(org, people)
    section = report.sections.first()
    rektor, contributor = login(people.rector), login(people.contributor)
    url = reverse("reports:section_save", args=[section.pk])
    first = rektor.post(url, section_post(section, "Rektorns text", 1), headers={"HX-Request": "true"})
    assert first.status_code == 200 and "<html" not in first.content.decode()
    assert 'hx-swap-oob="true"' in first.content.decode()  # the completeness bar comes along
    second = contributor.post(url, section_post(section, "Förstelärarens text", 1), headers={"HX-Request": "true"})
    body = second.content.decode()
    assert second.status_code == 200
    assert "Förstelärarens text" in body and "Rektorns text" in body  # theirs shown, yours kept in the field
    assert str(people.rector) in body
    assert f'name="section-{section.pk}-version" value="2"' in body  # saving again keeps yours, on purpose
    section.refresh_from_db()
    assert section.text == "Rektorns text"
    third = contributor.post(url, section_post(section, "Båda texterna", 2), headers={"HX-Request": "true"})
    assert third.status_code == 200
    section.refresh_from_db()
    assert section.text == "Båda texterna" and section.version == 3


def test_saving_without_htmx_redirects_and_an_invalid_form_shows_its_errors(org, people, login):
    report = start(org, people)
    section = report.sections.get(sort_order=10)
    client = login(people.rector)
    url = reverse("reports:section_save", args=[section.pk])
    response = client.post(url, section_post(section, "Text", 1))
    assert response.status_code == 302 and response["Location"].endswith(f"#section-{section.pk}")
    response = client.post(url, section_post(section, "", 2, done=True))  # done but empty
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    section.refresh_from_db()
    assert section.text == "Text" and not section.done
    assert client.post(url, {f"section-{section.pk}-text": "x"}).status_code == 200  # no version: an error, no 500
    section.refresh_from_db()
    assert section.text == "Text"


# --- Images --------------------------------------------------------------------------
def test_an_image_with_a_text_alternative_is_added_served_and_removed(org, people, login):
    report = start(org, people)
    section = report.sections.first()
    client = login(people.rector)
    response = client.post(
        reverse("reports:image_add", args=[section.pk]),
        {f"image-{section.pk}-image": upload(png()), f"image-{section.pk}-alt_text": "Elever på skolgården"},
    )
    assert response.status_code == 302
    image = SectionImage.objects.get()
    assert image.alt_text == "Elever på skolgården" and image.image.name.endswith(".png")
    page = client.get(report_url(report)).content.decode()
    assert 'alt="Elever på skolgården"' in page and reverse("reports:image_file", args=[image.pk]) in page
    served = client.get(reverse("reports:image_file", args=[image.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png()
    assert login(people.other_rector).get(reverse("reports:image_file", args=[image.pk])).status_code == 404
    assert login(people.secretary).get(reverse("reports:image_file", args=[image.pk])).status_code == 404
    assert client.post(reverse("reports:image_remove", args=[image.pk])).status_code == 302
    assert not SectionImage.objects.exists() and SectionImage.all_objects.get().deleted_by == people.rector
    assert client.get(reverse("reports:image_file", args=[image.pk])).status_code == 404


def _stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_image_without_a_text_alternative_is_refused_next_to_the_field(org, people, login, settings):
    report = start(org, people)
    section = report.sections.first()
    response = login(people.rector).post(
        reverse("reports:image_add", args=[section.pk]),
        {f"image-{section.pk}-image": upload(png()), f"image-{section.pk}-alt_text": "   "},
    )
    assert response.status_code == 400
    form = next(i["image_form"] for i in response.context["items"] if i["section"].pk == section.pk)
    assert "alt_text" in form.errors and "image" not in form.errors
    assert f'id="id_image-{section.pk}-alt_text_error"' in response.content.decode()
    assert not SectionImage.all_objects.exists() and not _stored_files(settings)
    with pytest.raises(ImageRejected):
        services.image_add(section=section, upload=upload(png()), alt_text="", user=people.rector)
    assert not SectionImage.all_objects.exists() and not _stored_files(settings)


@pytest.mark.parametrize(
    "data, name",
    [
        (b"%PDF-1.4 not an image at all", "bild.png"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "trasig.png"),
        (png(kind="GIF"), "bild.gif"),
        (png()[:60], "avkortad.png"),
    ],
    ids=["pdf-named-png", "broken-png", "gif", "truncated-png"],
)
def test_a_file_that_is_not_a_whole_png_or_jpeg_is_refused(org, people, login, settings, data, name):
    report = start(org, people)
    section = report.sections.first()
    response = login(people.rector).post(
        reverse("reports:image_add", args=[section.pk]),
        {f"image-{section.pk}-image": upload(data, name), f"image-{section.pk}-alt_text": "Ett diagram"},
    )
    assert response.status_code == 400
    form = next(i["image_form"] for i in response.context["items"] if i["section"].pk == section.pk)
    assert "image" in form.errors
    assert not SectionImage.all_objects.exists() and not _stored_files(settings)


def test_jpeg_is_accepted_and_a_too_large_image_is_refused(org, people, settings):
    report = start(org, people)
    section = report.sections.first()
    image = services.image_add(section=section, upload=upload(png(kind="JPEG"), "foto.jpg"), alt_text="Foto", user=people.rector)
    assert image.image.name.endswith(".jpg")
    settings.SKA_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ImageRejected):
        services.image_add(section=section, upload=upload(png((400, 400))), alt_text="Stor", user=people.rector)
    assert SectionImage.objects.count() == 1


# --- The workflow --------------------------------------------------------------------
def test_the_whole_workflow_in_the_browser(org, people, login):
    rektor, chef = login(people.rector), login(people.leadership)
    report = start(org, people)
    url = report_url(report)

    # Not everything done: submitting is refused with a message.
    response = rektor.post(reverse("reports:unit_report_submit", args=[report.pk]), follow=True)
    report.refresh_from_db()
    assert report.status == UnitReport.Status.DRAFT
    assert any(m.level_tag == "error" for m in response.context["messages"])

    for section in report.sections.all():
        rektor.post(reverse("reports:section_save", args=[section.pk]), section_post(section, "Klart.", section.version, done=True))
    assert services.completeness(report).percent == 100
    assert rektor.post(reverse("reports:unit_report_submit", args=[report.pk])).status_code == 302
    report.refresh_from_db()
    assert report.status == UnitReport.Status.SUBMITTED and report.submitted_by == people.rector

    # Submitted: the rektor can no longer write.
    section = report.sections.first()
    rektor.post(reverse("reports:section_save", args=[section.pk]), section_post(section, "Ändrat", section.version, done=True))
    section.refresh_from_db()
    assert section.text == "Klart."

    # Returned: a comment is required.
    response = chef.post(reverse("reports:unit_report_return", args=[report.pk]), {"comment": "  "})
    assert response.status_code == 400 and "comment" in response.context["return_form"].errors
    report.refresh_from_db()
    assert report.status == UnitReport.Status.SUBMITTED
    chef.post(reverse("reports:unit_report_return", args=[report.pk]), {"comment": "Utveckla analysen av läsresultaten."})
    report.refresh_from_db()
    assert report.status == UnitReport.Status.RETURNED and report.decided_by == people.leadership
    page = rektor.get(url).content.decode()
    assert "Utveckla analysen av läsresultaten." in page

    # The rektor changes and submits again; the leadership approves.
    rektor.post(reverse("reports:section_save", args=[section.pk]), section_post(section, "Ny analys.", section.version, done=True))
    rektor.post(reverse("reports:unit_report_submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == UnitReport.Status.SUBMITTED
    assert reverse("reports:unit_report_approve", args=[report.pk]) in chef.get(url).content.decode()
    chef.post(reverse("reports:unit_report_approve", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == UnitReport.Status.APPROVED and report.is_locked
    assert [h.status for h in report.history.order_by("history_date")] == [
        "draft", "submitted", "returned", "submitted", "approved"
    ]

    # Approved: every change is refused, also by POSTs to the views.
    section.refresh_from_db()
    before = (section.text, section.version, section.done)
    rektor.post(reverse("reports:section_save", args=[section.pk]), section_post(section, "Efteråt", section.version))
    rektor.post(reverse("reports:section_save", args=[section.pk]), section_post(section, "Efteråt", section.version),
                headers={"HX-Request": "true"})
    rektor.post(reverse("reports:image_add", args=[section.pk]),
                {f"image-{section.pk}-image": upload(png()), f"image-{section.pk}-alt_text": "Bild"})
    rektor.post(reverse("reports:unit_report_submit", args=[report.pk]))
    chef.post(reverse("reports:unit_report_return", args=[report.pk]), {"comment": "Nej"})
    chef.post(reverse("reports:unit_report_approve", args=[report.pk]))
    section.refresh_from_db()
    report.refresh_from_db()
    assert (section.text, section.version, section.done) == before
    assert not SectionImage.all_objects.exists()
    assert report.status == UnitReport.Status.APPROVED and report.history.count() == 5
    page = rektor.get(url)
    assert page.status_code == 200 and not page.context["can_edit"] and not page.context["can_submit"]
    assert f'action="{reverse("reports:section_save", args=[section.pk])}"' not in page.content.decode()


def test_an_approved_report_refuses_every_service(org, people):
    report = start(org, people)
    finish_all(report, people.rector)
    section = report.sections.first()
    image = services.image_add(section=section, upload=upload(png()), alt_text="Bild", user=people.rector)
    services.unit_report_submit(report=report, user=people.rector)
    services.unit_report_approve(report=report, user=people.leadership)
    section.refresh_from_db()
    refused = [
        lambda: services.section_save(section=section, version=section.version, text="x", user=people.rector),
        lambda: services.section_mark_undone(section=section, version=section.version, user=people.rector),
        lambda: services.section_mark_done(section=section, version=section.version, user=people.rector),
        lambda: services.image_add(section=section, upload=upload(png()), alt_text="Ny", user=people.rector),
        lambda: services.image_remove(image=image, user=people.rector),
        lambda: services.unit_report_submit(report=report, user=people.rector),
        lambda: services.unit_report_return(report=report, comment="Ändra", user=people.leadership),
        lambda: services.unit_report_approve(report=report, user=people.leadership),
    ]
    for attempt in refused:
        with pytest.raises(ReportError):
            attempt()
    assert SectionImage.objects.count() == 1 and UnitReport.objects.get().status == "approved"


def test_only_a_submitted_report_can_be_decided(org, people):
    report = start(org, people)
    with pytest.raises(ReportError):
        services.unit_report_approve(report=report, user=people.leadership)
    with pytest.raises(ReportError):
        services.unit_report_return(report=report, comment="Ändra", user=people.leadership)
    finish_all(report, people.rector)
    services.unit_report_submit(report=report, user=people.rector)
    with pytest.raises(ReportError):
        services.unit_report_submit(report=report, user=people.rector)
    with pytest.raises(ReportError):
        services.unit_report_return(report=report, comment="   ", user=people.leadership)


# --- Who may do what -----------------------------------------------------------------
@pytest.mark.parametrize(
    "role, page, write, submit, decide",
    [
        ("rector", 200, 302, 302, 403),
        ("contributor", 200, 302, 403, 403),
        ("leadership", 200, 403, 403, 302),
        ("sysadmin", 200, 302, 302, 302),
        ("other_rector", 404, 404, 404, 404),
        ("secretary", 404, 404, 404, 404),
        ("member", 404, 404, 404, 404),
        ("provider_contact", 404, 404, 404, 404),
        ("outsider", 404, 404, 404, 404),
    ],
)
def test_who_may_see_write_submit_and_decide(org, people, login, role, page, write, submit, decide):
    report = start(org, people)
    section = report.sections.first()
    client = login(getattr(people, role))
    response = client.get(report_url(report))
    assert response.status_code == page
    if page == 404:
        assert org.unit.name not in response.content.decode()
    assert client.post(reverse("reports:section_save", args=[section.pk]), section_post(section, "Text", 1, done=True)).status_code == write
    finish_all(report, people.rector)
    assert client.post(reverse("reports:unit_report_submit", args=[report.pk])).status_code == submit
    if submit != 302:
        services.unit_report_submit(report=report, user=people.rector)
    assert client.post(reverse("reports:unit_report_approve", args=[report.pk])).status_code == decide
    assert client.post(reverse("reports:unit_report_return", args=[report.pk]), {"comment": "x"}).status_code in (decide, 302)


def test_the_buttons_are_shown_only_to_those_allowed(org, people, login):
    report = start(org, people)
    finish_all(report, people.rector)
    submit_url = reverse("reports:unit_report_submit", args=[report.pk])
    assert submit_url in login(people.rector).get(report_url(report)).content.decode()
    assert submit_url not in login(people.contributor).get(report_url(report)).content.decode()
    services.unit_report_submit(report=report, user=people.rector)
    approve_url = reverse("reports:unit_report_approve", args=[report.pk])
    assert approve_url in login(people.leadership).get(report_url(report)).content.decode()
    assert approve_url not in login(people.rector).get(report_url(report)).content.decode()


# --- The data preview ----------------------------------------------------------------
def test_the_preview_shows_the_chain_but_never_a_small_groups_value(org, people, login, report_chain):
    report = start(org, people)
    body = login(people.rector).get(report_url(report)).content.decode()
    assert report_chain.indicator.title in body and report_chain.admin_goal.title in body
    assert report_chain.local_goal.title in body and report_chain.development_area.title in body
    assert report_chain.activity.title in body
    assert "91,25" not in body and "91.25" not in body and str(SMALL_GROUP_VALUE) not in body
    assert ">..<" in body
    assert "4 st" in body  # the local indicator's latest value (no group size) is shown


def test_a_lower_threshold_shows_the_value(org, people, login, report_chain):
    org.municipality.suppression_threshold = 5
    org.municipality.save()
    report = start(org, people)
    body = login(people.rector).get(report_url(report)).content.decode()
    assert "91,25" in body


# --- Query counts ----------------------------------------------------------------------
def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_report_page_query_count_does_not_grow(org, people, login, report_chain):
    report = start(org, people)
    client = login(people.rector)
    before = _queries(client, report_url(report))
    from ..factories import CheckInFactory, IndicatorFactory, UnitGoalFactory

    for n in range(5):
        goal = UnitGoalFactory(unit=org.unit, parent=report_chain.admin_goal, school_year=YEAR)
        CheckInFactory(indicator=IndicatorFactory(goal=goal))
    for section in list(report.sections.all())[:3]:
        for n in range(2):
            services.image_add(section=section, upload=upload(png()), alt_text=f"Bild {n}", user=people.rector)
    ReportSection.objects.create(report=report, title="Extra", sort_order=200)
    assert _queries(login(people.rector), report_url(report)) == before


def test_the_overview_query_count_is_the_same_for_3_and_30_units(org, people, login, current_year):
    client = login(people.leadership)
    url = reverse("reports:unit_report_overview")
    for unit in (org.unit, org.other_unit):
        services.unit_report_start(unit=unit, school_year=current_year, user=people.sysadmin)
    before = _queries(client, url)
    for n in range(27):
        unit = UnitFactory(administration=org.administration)
        if n % 2:
            services.unit_report_start(unit=unit, school_year=current_year, user=people.sysadmin)
    assert _queries(login(people.leadership), url) == before


def test_the_start_page_query_count_does_not_grow_with_reports(org, people, login, current_year):
    client = login(people.rector)
    before = _queries(client, reverse("start"))
    services.unit_report_start(unit=org.unit, school_year=current_year.previous(), user=people.rector)
    services.unit_report_start(unit=org.unit, school_year=current_year, user=people.rector)
    assert _queries(login(people.rector), reverse("start")) == before
    chef = login(people.leadership)
    before = _queries(chef, reverse("start"))
    report = UnitReport.objects.get(school_year=current_year)
    finish_all(report, people.rector)
    services.unit_report_submit(report=report, user=people.rector)
    assert _queries(login(people.leadership), reverse("start")) == before


# --- The overview and the start page -------------------------------------------------
def test_the_overview_lists_every_unit_filtered_by_status(org, people, login, current_year):
    draft = services.unit_report_start(unit=org.unit, school_year=current_year, user=people.rector)
    submitted = services.unit_report_start(unit=org.other_unit, school_year=current_year, user=people.rector)
    finish_all(submitted, people.rector)
    services.unit_report_submit(report=submitted, user=people.rector)
    client = login(people.leadership)
    url = reverse("reports:unit_report_overview")
    rows = client.get(url).context["rows"]
    assert {unit.name for unit, *_ in rows} == {org.unit.name, org.other_unit.name, org.preschool.name}
    completeness = {unit.pk: done for unit, report, done, _ in rows if report}
    assert completeness[org.other_unit.pk].percent == 100 and completeness[org.unit.pk].percent == 0
    only = lambda status: [unit.name for unit, *_ in client.get(url, {"status": status, "lasar": current_year.start_year}).context["rows"]]
    assert only("submitted") == [org.other_unit.name]
    assert only("draft") == [org.unit.name]
    assert only("not_started") == [org.preschool.name]
    assert draft.get_absolute_url() in client.get(url).content.decode()
    for params in [{"status": "<script>"}, {"lasar": "abc"}, {"sida": "999"}, {"lasar": "1800"}]:
        assert client.get(url, params).status_code == 200
    for role in ["rector", "contributor", "secretary", "member", "outsider"]:
        assert login(getattr(people, role)).get(url).status_code == 403, role
    assert login(people.sysadmin).get(url).status_code == 200


def test_the_overview_paginates(org, people, login):
    for n in range(30):
        UnitFactory(administration=org.administration)
    client = login(people.leadership)
    first = client.get(reverse("reports:unit_report_overview")).context["page"]
    assert first.paginator.count == 33 and len(first.object_list) < 33
    second = client.get(reverse("reports:unit_report_overview"), {"sida": 2}).context["page"]
    assert second.number == 2 and not set(first.object_list) & set(second.object_list)


def test_the_start_page_shows_the_rektor_the_report_and_the_leadership_what_waits(org, people, login, current_year):
    body = login(people.rector).get(reverse("start")).content.decode()
    start_url = reverse("reports:unit_report_start", args=[org.unit.pk, current_year.start_year])
    assert start_url in body
    report = services.unit_report_start(unit=org.unit, school_year=current_year, user=people.rector)
    body = login(people.rector).get(reverse("start")).content.decode()
    assert report.get_absolute_url() in body and start_url not in body
    finish_all(report, people.rector)
    services.unit_report_submit(report=report, user=people.rector)
    body = login(people.leadership).get(reverse("start")).content.decode()
    assert f"{reverse('reports:unit_report_overview')}?lasar={current_year.start_year}&amp;status=submitted" in body
    assert login(people.leadership).get(reverse("start")).context["reports_awaiting"] == [(current_year, 1)]


def test_the_dialogue_preparation_gets_the_latest_submitted_or_approved_report(org, people):
    assert latest_quality_report(org.unit, YEAR) is None
    draft = start(org, people)
    assert latest_quality_report(org.unit, YEAR) is None
    last_year = services.unit_report_start(unit=org.unit, school_year=YEAR.previous(), user=people.rector)
    finish_all(last_year, people.rector)
    services.unit_report_submit(report=last_year, user=people.rector)
    services.unit_report_approve(report=last_year, user=people.leadership)
    assert latest_quality_report(org.unit, YEAR) == last_year
    finish_all(draft, people.rector)
    services.unit_report_submit(report=draft, user=people.rector)
    assert latest_quality_report(org.unit, YEAR) == draft


# --- The demo ----------------------------------------------------------------------
def test_the_demo_seeds_its_reports_twice_without_error(db):
    from reports.demo import seed_demo_reports
    from ska.demo import seed_demo
    from ska.models import Administration

    seed_demo()
    administration = Administration.objects.get()
    counts = (UnitReport.objects.count(), ReportSection.objects.count(), ReportTemplate.objects.count())
    seed_demo_reports(administration, administration.committee)
    assert (UnitReport.objects.count(), ReportSection.objects.count(), ReportTemplate.objects.count()) == counts
    current = SchoolYear.current()
    rektors = UnitReport.objects.filter(unit__name="Österportskolan")
    assert rektors.get(school_year=current.previous()).status == "approved"
    draft = rektors.get(school_year=current)
    done, total, _percent = services.completeness(draft)
    assert draft.status == "draft" and 0 < done < total
    assert UnitReport.objects.get(unit__name="Västervångskolan", school_year=current).status == "submitted"
    assert set(ReportTemplate.objects.values_list("school_form__code", flat=True)) == {"grundskola", "forskola"}


# --- Every page of this part, for every role ------------------------------------------
ROLES = ["rector", "other_rector", "contributor", "leadership", "secretary", "member", "provider_contact", "sysadmin", "outsider"]
KEEPERS = {"leadership": 200, "sysadmin": 200}


def test_every_page_answers_each_role_as_it_may(org, people, login):
    from reports.services import report_templates as template_services

    report = start(org, people)
    section = report.sections.first()
    image = services.image_add(section=section, upload=upload(png()), alt_text="Bild", user=people.rector)
    template = template_services.template_create(
        administration=org.administration, school_form=SchoolForm.objects.get(code="grundskola"), user=None
    )
    readers = {"rector": 200, "contributor": 200, "leadership": 200, "sysadmin": 200}
    pages = {
        reverse("reports:unit_report", args=[report.pk]): (readers, 404),
        reverse("reports:image_file", args=[image.pk]): (readers, 404),
        reverse("reports:unit_report_overview"): (KEEPERS, 403),
        reverse("reports:template_list"): (KEEPERS, 403),
        reverse("reports:template_edit", args=[template.pk]): (KEEPERS, 403),
        reverse("reports:template_section_edit", args=[template.sections.first().pk]): (KEEPERS, 403),
        reverse("reports:report_settings"): (KEEPERS, 403),
    }
    post_only = [
        reverse("reports:unit_report_start", args=[org.unit.pk, SchoolYear.current().start_year]),
        reverse("reports:section_save", args=[section.pk]),
        reverse("reports:image_add", args=[section.pk]),
        reverse("reports:image_remove", args=[image.pk]),
        reverse("reports:unit_report_submit", args=[report.pk]),
        reverse("reports:unit_report_return", args=[report.pk]),
        reverse("reports:unit_report_approve", args=[report.pk]),
        reverse("reports:template_create"),
        reverse("reports:template_section_add", args=[template.pk]),
        reverse("reports:template_section_move", args=[template.sections.first().pk]),
        reverse("reports:template_section_delete", args=[template.sections.first().pk]),
    ]
    for role in ROLES:
        client = login(getattr(people, role))
        for url, (allowed, refused) in pages.items():
            assert client.get(url).status_code == allowed.get(role, refused), f"{role} on {url}"
        for url in post_only:
            assert client.get(url).status_code == 405, f"{role} on {url}"


def test_a_report_not_submitted_by_the_wheels_report_deadline_is_late_in_the_overview(org, people, login, current_year):
    """The report of a school year is due at a report deadline in its spring term or in the autumn
    after it: the September deadline on this year's wheel is last year's reports' deadline."""
    import datetime

    from annualwheel.models import EventKind, Wheel
    from annualwheel.services.events import event_create

    today = timezone.localdate()
    last_year = current_year.previous()
    deadline_day = today - datetime.timedelta(days=1)
    in_autumn = deadline_day < current_year.spring.start
    wheel = Wheel.objects.create(name="SKA-hjulet", school_year=current_year, administration=org.administration)
    event_create(
        wheel=wheel,
        values={"kind": EventKind.REPORT_DEADLINE, "title": "Kvalitetsrapporten lämnas in", "start_date": deadline_day},
        user=people.leadership,
    )
    due_year = last_year if in_autumn else current_year  # whose reports that deadline is for
    draft = services.unit_report_start(unit=org.unit, school_year=due_year, user=people.rector)
    submitted = services.unit_report_start(unit=org.other_unit, school_year=due_year, user=people.rector)
    finish_all(submitted, people.rector)
    services.unit_report_submit(report=submitted, user=people.rector)
    client = login(people.leadership)
    url = reverse("reports:unit_report_overview")
    response = client.get(url, {"lasar": due_year.start_year})
    late = {unit.pk: overdue for unit, _report, _done, overdue in response.context["rows"]}
    assert late[org.unit.pk] is not None and late[org.unit.pk].event.title == "Kvalitetsrapporten lämnas in"
    assert late[org.preschool.pk] is not None  # not even started
    assert late[org.other_unit.pk] is None  # submitted in time
    assert draft.status == "draft" and "Kvalitetsrapporten lämnas in" in response.content.decode()
    other_year = current_year if in_autumn else last_year
    rows = client.get(url, {"lasar": other_year.start_year}).context["rows"]
    assert not any(overdue for *_rest, overdue in rows)  # another year's deadline
