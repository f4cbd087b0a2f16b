"""Quality reports in a real browser, from the rektor's text to the committee's PDF: the rektor
writes the unit's report and submits it, the skolchef approves it, and the committee secretary
starts the grundskola report, follows its progress bar to the end and downloads the PDF, whose
text holds the unit's goals and indicator values from the database. axe-core checks every page.

With a broker configured the PDF is built by the real Celery worker process while the page
polls; without one the build runs in-process as the request ends, and the page opens finished.
"""

import io

import pytest
from django.utils import translation
from playwright.sync_api import expect
from pypdf import PdfReader

from reports.models import ReportDocument, ReportKind, UnitReport
from reports.templatetags.report_format import report_number
from ska.chain_status import unit_chain
from ska.models import Unit
from ska.schoolyear import SchoolYear
from ska.suppression import is_suppressed, threshold_of

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def _write_every_open_section(page, report: UnitReport):
    for section in report.sections.filter(done=False).order_by("sort_order", "pk"):
        article = page.locator(f"#section-{section.pk}")
        text = article.locator("textarea")
        if not text.input_value().strip():
            text.fill(f"Vi har arbetat med {section.title.lower()} under läsåret.")
        article.locator("input[type=checkbox]").check()
        saved = f"/avsnitt/{section.pk}/"
        with page.expect_response(lambda r: r.url.endswith(saved) and r.request.method == "POST"):
            article.locator(f"form[action$='{saved}'] button[type=submit]").click()
        # The section is swapped in place over htmx and shows as done.
        expect(page.locator(f"#section-{section.pk} input[type=checkbox]")).to_be_checked()
        section.refresh_from_db()
        assert section.done, section.title


def test_from_the_rektors_report_to_the_committees_pdf(page, live_server, demo, celery_worker):
    unit = Unit.objects.get(name="Österportskolan")
    year = SchoolYear.current()
    report = UnitReport.objects.get(unit=unit, school_year=year)
    assert report.status == UnitReport.Status.DRAFT and report.sections.filter(done=False).exists()

    # The rektor finishes the report's sections and submits it.
    login(page, live_server, "rektor")
    page.goto(live_server.url + report.get_absolute_url())
    assert_accessible(page)
    _write_every_open_section(page, report)
    assert_accessible(page)
    page.locator(f"form[action$='/enhetsrapporter/{report.pk}/lamna-in/'] button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    report.refresh_from_db()
    assert report.status == UnitReport.Status.SUBMITTED

    # The skolchef approves it; from then on it is locked.
    page.context.clear_cookies()
    login(page, live_server, "skolchef")
    page.goto(live_server.url + report.get_absolute_url())
    assert_accessible(page)
    page.locator(f"form[action$='/enhetsrapporter/{report.pk}/godkann/'] button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    report.refresh_from_db()
    assert report.status == UnitReport.Status.APPROVED and report.is_locked
    assert_accessible(page)

    # The committee secretary starts the grundskola report and follows it to the end.
    page.context.clear_cookies()
    login(page, live_server, "sekreterare")
    page.goto(live_server.url + "/rapporter/")
    assert_accessible(page)
    build = page.locator("form.build-form").filter(has=page.locator("input[name=kind][value=grundskola]"))
    build.locator("button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    document = ReportDocument.objects.get(kind=ReportKind.GRUNDSKOLA, school_year=year)
    assert page.url.endswith(document.get_absolute_url())

    seen = set()
    download_link = page.locator("#document-download")
    with page.expect_download(timeout=120_000) as download_info:
        while not download_link.is_visible():
            progress = page.locator("#document-progress")
            if progress.count():
                seen.add(progress.get_attribute("value"))
            page.wait_for_timeout(200)
        if not celery_worker.real:
            download_link.click()  # built in-process: the page opened finished, nothing to wait for
    assert_accessible(page)
    document.refresh_from_db()
    assert document.status == ReportDocument.Status.DONE, document.error
    assert document.progress_done == document.progress_total
    if celery_worker.real:
        assert seen, "the page showed no progress bar while the worker built the PDF"

    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    with document.file.open("rb") as stored:
        assert stored.read() == pdf
    # Words as the PDF holds them, whitespace (also the no-break space before units) as single spaces.
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())

    # The unit's goals and the values of their indicators, as the database has them.
    chain = unit_chain(unit, year)
    threshold = threshold_of(unit.administration.municipality)
    goals = [state for state in chain.goals if state.goal.level == "unit"]
    assert goals
    with translation.override("sv"):
        for state in goals:
            assert " ".join(state.goal.title.split()) in text, state.goal.title
            for indicator_state in state.indicators:
                shown = [c for c in indicator_state.check_ins if not is_suppressed(c.group_size, threshold)]
                if shown:
                    value = report_number(shown[-1].value, indicator_state.indicator.unit_of_measure)
                    assert " ".join(value.split()) in text, value
