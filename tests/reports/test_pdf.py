"""The unit report as a PDF: tagged PDF/UA with language, title, outline and a table of
contents; page numbers; the chain's values in the text and never a suppressed one; user text
escaped; WeasyPrint fetching nothing but the app's static files and reports' stored images."""

import io
import json
import os
import re
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from reports.services import pdf
from reports.services.data import gather
from reports.services.pdf import ReportFetcher, ResourceRefused, render_html, write_pdf
from reports.templatetags.report_format import typographic

from .conftest import SMALL_GROUP_VALUE
from .unit_report_helpers import make_unit_report

SMALL = [str(SMALL_GROUP_VALUE), str(SMALL_GROUP_VALUE).replace(".", ",")]  # "91.25", "91,25"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def build(report, **kwargs) -> SimpleNamespace:
    data = gather("unit", school_year=report.school_year, unit_report=report)
    html = render_html(data)
    content, pages = write_pdf(html)
    reader = PdfReader(io.BytesIO(content))
    texts = [page.extract_text() for page in reader.pages]
    if os.environ.get("REPORT_PDF_OUT"):  # to look at it: REPORT_PDF_OUT=/tmp/unit.pdf pytest ...
        with open(os.environ["REPORT_PDF_OUT"], "wb") as file:
            file.write(content)
    return SimpleNamespace(data=data, html=html, content=content, pages=pages, reader=reader, texts=texts,
                           text="\n".join(texts))


@pytest.fixture
def built(report_chain, media):
    return build(make_unit_report(report_chain))


def flat(text: str) -> str:
    """Extracted text with line breaks, hyphenation and non-breaking spaces evened out."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("-\n", ""))


def test_the_pdf_is_tagged_with_language_title_metadata_and_outline(built):
    catalog = built.reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert catalog["/Lang"] == "sv"
    metadata = built.reader.metadata
    assert metadata.title == built.data["title"]
    assert built.data["municipality"]["name"] in metadata.author
    assert metadata.get("/Subject")  # the description
    assert built.reader.pdf_header.endswith("1.7")
    outline_titles = [item.title for item in flatten(built.reader.outline)]
    assert built.data["title"] in outline_titles
    for section in built.data["sections"]:
        assert typographic(section["title"]) in outline_titles
    assert built.pages == len(built.reader.pages) > 3


def test_the_table_of_contents_gives_each_section_its_page(built):
    toc = flat(built.texts[1])
    for section in built.data["sections"]:
        title = typographic(section["title"])  # as printed: "unit’s"
        match = re.search(re.escape(title) + r"[ .]*(\d+)", toc)
        assert match, title
        page = int(match.group(1))
        assert title in flat(built.texts[page - 1])
    child = built.data["sections"][2]["children"][0]  # the administration-wide goal under its section
    assert child["title"] in toc


def test_every_page_says_which_page_it_is_of_how_many(built):
    for number, text in enumerate(built.texts, start=1):
        assert f"Sida {number} av {built.pages}" in flat(text)
    assert built.data["title"] in flat(built.texts[2])  # the running header


def test_the_text_has_the_units_goals_and_shown_values(built, report_chain):
    text = flat(built.text)
    for goal in (report_chain.admin_goal, report_chain.goal, report_chain.local_goal):
        assert goal.title in text
    assert report_chain.other_admin_goal.title in text  # listed as not worked on
    assert "78,4 %" in text and "72 %" in text and "85 %" in text and "4 st" in text
    assert report_chain.activity.title in text
    assert report_chain.development_area.title in text
    assert "Stämmer med observationer." in text  # the validity review


def test_a_value_from_a_group_of_9_never_appears(built):
    snapshot = json.dumps(built.data)
    for written in SMALL:
        assert written not in snapshot
        assert written not in built.html
        assert written not in built.text
    assert built.data["suppression"] == {"threshold": 10, "used": True}
    # In its place: ".." and the footnote.
    assert ".." in built.text
    assert "10" in flat(built.texts[1])  # the footnote about groups smaller than 10, after the contents


def test_charts_are_vector_figures_with_text_alternatives(built, report_chain):
    figures = [node for node in struct_nodes(built.reader) if node.get("/S") == "/Figure"]
    alts = [str(node.get("/Alt", "")) for node in figures]
    chart = next(alt for alt in alts if report_chain.indicator.title in alt)
    assert "10" in chart  # says that values from groups smaller than 10 are left out
    assert all(written not in chart for written in SMALL)
    assert "Elever på skolgården under rasten" in alts  # the rektor's image
    assert all(alts), "every figure has a text alternative"


def test_written_text_with_html_is_escaped(report_chain, media):
    report = make_unit_report(report_chain, with_image=False)
    section = report.sections.order_by("sort_order").first()
    section.text = 'Vi skrev <script>alert("x")</script> och <img src="file:///etc/passwd"> här.'
    section.title = "Rubrik <b>fet</b>"
    section.save()
    result = build(report)
    assert "<script>" not in result.html and "&lt;script&gt;" in result.html
    assert '<img src="file:' not in result.html
    text = flat(result.text)
    assert "<script>alert(”x”)</script>" in text
    assert "Rubrik <b>fet</b>" in text


def test_the_stylesheet_and_images_come_through_the_fetcher(report_chain, media, monkeypatch):
    fetched = []
    original = ReportFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(ReportFetcher, "fetch", spy)
    result = build(make_unit_report(report_chain))
    assert pdf.static_url("reports/print.css") in fetched
    assert any(url.startswith(pdf.MEDIA_URL + "reports/images/") for url in fetched)
    assert all(url.startswith(pdf.BASE_URL) for url in fetched)
    assert any(page.images for page in result.reader.pages)
    width, height = result.reader.pages[0].mediabox.width, result.reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (595, 842)  # A4


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/x.png",
        "https://example.org/static/reports/print.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        pdf.MEDIA_URL + "reports/other/x.png",
        pdf.MEDIA_URL + "reports/images/../../etc/passwd",
        pdf.MEDIA_URL + "reports/images/%2e%2e/%2e%2e/secret.txt",
        pdf.MEDIA_URL + "/etc/passwd",
        pdf.STATIC_URL + "../ska/settings.py",
        pdf.STATIC_URL + "reports/print.css?x=1",
    ],
)
def test_the_fetcher_refuses_everything_else(url, media):
    with pytest.raises(ResourceRefused):
        ReportFetcher().fetch(url)


def test_the_fetcher_serves_static_files_and_stored_report_images(media):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    response = ReportFetcher().fetch(pdf.static_url("reports/print.css"))
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
    name = default_storage.save("reports/logos/logo.png", ContentFile(b"\x89PNG..."))
    response = ReportFetcher().fetch(pdf.media_url(name))
    assert response.read() == b"\x89PNG..."
    assert response.content_type == "image/png"


def test_the_cover_shows_the_municipalitys_logo_with_its_text_alternative(report_chain, media):
    from django.core.files.base import ContentFile

    from reports.models import ReportSettings

    from .unit_report_helpers import png_bytes

    report_settings = ReportSettings(municipality=report_chain.unit.administration.municipality, logo_alt="Testkommunens vapen")
    report_settings.logo.save("vapen.png", ContentFile(png_bytes((80, 80), (160, 20, 20))), save=True)
    result = build(make_unit_report(report_chain, with_image=False))
    assert result.data["logo"] == {"name": report_settings.logo.name, "alt": "Testkommunens vapen"}
    assert result.reader.pages[0].images
    alts = [str(node.get("/Alt", "")) for node in struct_nodes(result.reader) if node.get("/S") == "/Figure"]
    assert "Testkommunens vapen" in alts
    assert result.data["municipality"]["name"] in flat(result.texts[0])


def flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from flatten(item)
        else:
            yield item


def struct_nodes(reader):
    """Every element of the PDF's structure tree."""
    seen, stack, nodes = set(), [reader.trailer["/Root"]["/StructTreeRoot"]], []
    while stack:
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            nodes.append(node)
            kids = node.get("/K")
            if kids is not None:
                kids = kids.get_object() if hasattr(kids, "get_object") else kids
                stack.extend(kids if isinstance(kids, list) else [kids])
        elif isinstance(node, list):
            stack.extend(node)
    return nodes
