"""Every page of the quality reports, as the demo's people see them, passes axe-core: the
overview of the units' reports, a returned and an approved report, the templates, the report
settings, the archive page and the reports page as a committee member and as a rektor."""

import pytest
from django.urls import reverse

from reports.models import ReportTemplate, UnitReport
from ska.schoolyear import SchoolYear

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def _visit(page, live_server, url):
    response = page.goto(live_server.url + url)
    assert response.status == 200, url
    assert_accessible(page)


def test_the_report_pages_are_accessible(page, live_server, demo):
    year = SchoolYear.current()
    approved = UnitReport.objects.get(unit__name="Österportskolan", school_year=year.previous())
    submitted = UnitReport.objects.get(unit__name="Västervångskolan", school_year=year)
    template = ReportTemplate.objects.order_by("pk").first()

    login(page, live_server, "skolchef")
    for url in (
        reverse("reports:unit_report_overview"),
        reverse("reports:unit_report", args=[submitted.pk]),
        reverse("reports:template_list"),
        reverse("reports:template_edit", args=[template.pk]),
        reverse("reports:report_settings"),
        reverse("reports:year_archive") + f"?lasar={year.start_year}",
        reverse("reports:index"),
    ):
        _visit(page, live_server, url)
    # Returning the report with comments: the form's error and the returned report.
    page.goto(live_server.url + reverse("reports:unit_report", args=[submitted.pk]))
    page.locator("details:has(form[action$='/atersand/']) summary").click()
    page.locator("form[action$='/atersand/'] button[type=submit]").click()
    assert_accessible(page)  # the missing comment is said next to the field
    page.locator("form[action$='/atersand/'] textarea").fill("Förtydliga analysen av tryggheten, tack.")
    page.locator("form[action$='/atersand/'] button[type=submit]").click()
    submitted.refresh_from_db()
    assert submitted.status == UnitReport.Status.RETURNED
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, live_server, "rektor2")
    _visit(page, live_server, reverse("reports:unit_report", args=[submitted.pk]))  # with the comments
    page.context.clear_cookies()
    login(page, live_server, "rektor")
    _visit(page, live_server, reverse("reports:unit_report", args=[approved.pk]))  # locked
    _visit(page, live_server, reverse("reports:index"))
    page.context.clear_cookies()
    login(page, live_server, "ledamot")
    _visit(page, live_server, reverse("reports:index"))
