"""Markup in any text stays text in every kind of report PDF, and no text makes WeasyPrint
fetch anything: no remote URL, no local file, no path outside the app's static files and the
report's own stored images.

Every report kind is built with ``manage.py build_report`` (the web's build job renders the
same way) from the demo municipality with every text field poisoned (see ``poison``) and the
written texts full of references to files and servers. The HTML handed to WeasyPrint and every
URL WeasyPrint asks the fetcher for are recorded on the way.
"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pypdf import PdfReader

from reports.management.commands import build_report
from reports.services import pdf
from reports.services.pdf import ReportFetcher

from ..reports.unit_report_helpers import png_bytes
from .payloads import FETCH_BAIT, RAW_MARKERS
from .poison import NOT_ON_PAGES, poison_everything, poisoned_fields

pytestmark = pytest.mark.django_db

KINDS = ("unit", "overall", "forskola", "grundskola", "analysis", "plan")
BAIT = "\n".join(FETCH_BAIT)
# What the bait would look like had it been passed to WeasyPrint as markup.
LIVE_BAIT = ('<img src="file:', "<link rel=stylesheet", "<style>body", 'style="background:url(', '<img src="../')
# Texts the page test leaves to this one: they are printed only in the unit report.
UNIT_PDF_ONLY = [f for f in poisoned_fields() if "test_injection_pdf" in NOT_ON_PAGES.get(f.label, "")]


def _arguments():
    from dialogs.models import Dialogue, Round
    from reports.models import UnitReport
    from ska.schoolyear import SchoolYear

    report = UnitReport.objects.select_related("unit").order_by("pk").first()
    round_ = Round.objects.filter(
        dialogues__notes_state__in=[Dialogue.NotesState.SHARED, Dialogue.NotesState.LOCKED]
    ).distinct().order_by("pk").first()
    last_year = str(SchoolYear.current().previous())
    return report, {
        "unit": ["--unit", str(report.unit_id), "--year", str(report.school_year)],
        "overall": ["--year", last_year],
        "forskola": ["--year", last_year],
        "grundskola": [],
        "analysis": ["--round", str(round_.pk)],
        "plan": [],
    }


def _bait_the_written_texts(report) -> None:
    """The texts people write at length get references to files and servers as well."""
    from dialogs.models import RoundAnalysis, TopicNote
    from reports.models import ReportSection, SectionImage
    from ska.models import Analysis, Goal

    for model, name in ((ReportSection, "text"), (TopicNote, "notes"), (RoundAnalysis, "analysis"),
                        (Analysis, "results"), (Goal, "description")):
        for pk, value in model._base_manager.values_list("pk", name):
            model._base_manager.filter(pk=pk).update(**{name: f"{value}\n{BAIT}"})
    section = report.sections.order_by("sort_order").first()
    image = SectionImage(section=section, alt_text=BAIT[:500], caption=FETCH_BAIT[0])
    image.image.save("bild.png", ContentFile(png_bytes()), save=True)


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """Each kind's HTML, PDF text and the URLs its rendering fetched."""
    folder = tmp_path_factory.mktemp("pdf")
    results = {}
    fetch = ReportFetcher.fetch
    with override_settings(MEDIA_ROOT=str(folder / "media")), django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        poison_everything()
        report, arguments = _arguments()
        _bait_the_written_texts(report)
        for kind in KINDS:
            html, fetched = [], []

            def render(data, _render=build_report.render_html, html=html):
                html.append(_render(data))
                return html[-1]

            def spy(self, url, headers=None, fetched=fetched):
                fetched.append(url)
                return fetch(self, url, headers)

            out = folder / f"{kind}.pdf"
            with mock.patch.object(build_report, "render_html", render), mock.patch.object(ReportFetcher, "fetch", spy):
                call_command("build_report", "--kind", kind, *arguments[kind], "--out", str(out), stdout=io.StringIO())
            reader = PdfReader(out)
            text = "\n".join(page.extract_text() for page in reader.pages)
            results[kind] = SimpleNamespace(html=html[0], fetched=fetched, text=text, flat=_flat(text), reader=reader)
        transaction.set_rollback(True)
    return results


def _flat(text: str) -> str:
    """Extracted text with line breaks, hyphenation and non-breaking spaces evened out."""
    text = text.replace("\u00a0", " ").replace("\u2010\n", "")  # a hyphen where a word was broken
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", KINDS)
def test_markup_is_printed_as_text(built, kind):
    result = built[kind]
    for marker in RAW_MARKERS:
        assert marker not in result.html, marker
    for live in LIVE_BAIT:
        assert live not in result.html, live
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.html
    # In the PDF the markup is there to read, letter for letter (spaces aside: the extraction
    # breaks lines where it likes).
    assert "<script>alert(1)</script><imgsrc=xonerror=alert(1)>" in result.flat


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_but_the_apps_static_files_and_the_reports_images_is_fetched(built, kind):
    result = built[kind]
    assert pdf.static_url("reports/print.css") in result.fetched
    for url in result.fetched:
        assert url.startswith((pdf.STATIC_URL, pdf.MEDIA_URL + "reports/")), url
        for bait in ("127.0.0.1", "file:", "settings.py", "/etc/", "evil"):
            assert bait not in url, url


def test_the_unit_reports_own_image_is_fetched_and_the_bait_is_text(built):
    result = built["unit"]
    assert any(url.startswith(pdf.MEDIA_URL + "reports/images/") for url in result.fetched)
    for bait in ("url(file:///etc/hostname)", "http://127.0.0.1:1/x", "../../settings.py", "<imgsrc=", "file:///etc/passwd"):
        assert bait in result.flat, bait


@pytest.mark.parametrize("field", UNIT_PDF_ONLY, ids=lambda f: f.label)
def test_texts_shown_only_in_the_unit_report_come_out_as_text(built, field):
    assert f"⟦{field.tag_prefix}" in built["unit"].text or f"⟦{field.tag_prefix}" in built["unit"].flat, field.label
