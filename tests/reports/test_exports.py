"""Exports of reports: a document's data as Excel, and a school year's approved and published
reports as one ZIP for the e-archive. Documents are made here directly (done, with a small
stored PDF and a snapshot gathered with suppression), so these tests need no PDF builder."""

import csv
import datetime
import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.models import ReportDocument, UnitReport
from reports.services.data.common import INDICATOR_COLUMNS, goal_data, indicator_rows
from reports.services.exports import document_workbook, table_csv
from ska.chain_status import goal_states
from ska.models import Goal

from ..factories import YEAR

HIDDEN = ("91,25", "91.25")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _snapshot(chain, title="Kvalitetsrapport"):
    """A snapshot as the gatherers make it: suppression applied by reports.services.data.common."""
    goals = [goal_data(state, 10) for state in goal_states(Goal.objects.filter(pk=chain.goal.pk))]
    return {
        "kind": "grundskola", "title": title, "subtitle": "", "school_year": str(YEAR),
        "municipality": {"id": 1, "name": "Kommunen"}, "committee": {"id": 1, "name": "Nämnden"},
        "administration": None, "unit": None, "generated_at": "2026-05-01T10:00:00+02:00",
        "suppression": {"threshold": 10, "used": True}, "sources": {}, "sections": [],
        "goals": goals,
        "tables": [
            {"name": "Indikatorer", "columns": [str(c) for c in INDICATOR_COLUMNS],
             "rows": indicator_rows(goals, chain.unit.name)},
            {"name": "Formler", "columns": ["Text"], "rows": [["=HYPERLINK(\"http://x\")"], ["vanlig text"]]},
        ],
    }


def _document(org, chain, *, kind="grundskola", key=None, version=1, published=False, status="done",
              unit_report=None, finished_at=None, pdf=None):
    key = key or f"{kind}-2025-administration{org.administration.pk}"
    pdf = pdf or f"%PDF-1.7 {key} v{version}\n".encode() * 50
    name = default_storage.save(f"reports/2025/{kind}/{key}-v{version}.pdf", ContentFile(pdf)) if status == "done" else ""
    finished_at = finished_at or timezone.now()
    return ReportDocument.objects.create(
        kind=kind, key=key, version=version, title=f"Rapport {kind} {key[-6:]} v{version}", school_year=YEAR,
        municipality=org.municipality, committee=org.committee, administration=org.administration,
        unit=unit_report.unit if unit_report else None, unit_report=unit_report, status=status, file=name,
        sha256=hashlib.sha256(pdf).hexdigest() if name else "", size=len(pdf), pages=3,
        snapshot=_snapshot(chain, f"Rapport {kind} v{version}") if status == "done" else {},
        finished_at=finished_at if status == "done" else None,
        published_at=timezone.now() if published else None,
    )


def _unit_report(unit, status, decided_at=None):
    return UnitReport.objects.create(unit=unit, school_year=YEAR, status=status, decided_at=decided_at)


# --- Excel --------------------------------------------------------------------------------------
def _workbook(content):
    return load_workbook(io.BytesIO(content))


def test_the_workbook_has_an_about_sheet_and_a_sheet_per_table(org, report_chain):
    document = _document(org, report_chain, published=True)
    workbook = _workbook(document_workbook(document))
    about_name, *tables = workbook.sheetnames
    assert tables == ["Indikatorer", "Formler"]
    about = dict(workbook[about_name].iter_rows(min_row=2, values_only=True))
    assert document.sha256 in about.values() and 10 in about.values() and 1 in about.values()  # checksum, threshold, version
    assert any(isinstance(v, str) and v.startswith("..: ") for v in about.values())  # the footnote
    rows = list(workbook["Indikatorer"].iter_rows(values_only=True))
    assert list(rows[0]) == [str(c) for c in INDICATOR_COLUMNS]
    small = next(r for r in rows if r[6] == datetime.datetime(2026, 3, 20))
    assert small[7] == ".." and small[8] == 9
    shown = next(r for r in rows if r[6] == datetime.datetime(2025, 11, 20))
    assert shown[7] == pytest.approx(78.4) and shown[4] == 72  # numbers are number cells
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert not any(isinstance(c, (int, float)) and abs(c - 91.25) < 0.001 for c in cells)
    assert not any(isinstance(c, str) and any(h in c for h in HIDDEN) for c in cells)


def test_text_that_looks_like_a_formula_stays_text(org, report_chain):
    workbook = load_workbook(io.BytesIO(document_workbook(_document(org, report_chain))))
    cell = workbook["Formler"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK") and cell.quotePrefix


def test_the_excel_download_follows_who_may_see_the_document(org, people, login, report_chain):
    draft = _document(org, report_chain)
    url = reverse("reports:document_excel", args=[draft.pk])
    response = login(people.secretary).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert login(people.leadership).get(url).status_code == 200
    # A committee member sees only published documents; a rektor only their unit's.
    assert login(people.member).get(url).status_code == 404
    assert login(people.rector).get(url).status_code == 404
    assert login(people.outsider).get(url).status_code == 404
    published = _document(org, report_chain, version=2, published=True)
    assert login(people.member).get(reverse("reports:document_excel", args=[published.pk])).status_code == 200


def test_a_document_not_yet_built_has_no_excel(org, people, login, report_chain):
    queued = _document(org, report_chain, status="queued")
    assert login(people.secretary).get(reverse("reports:document_excel", args=[queued.pk])).status_code == 404


# --- CSV --------------------------------------------------------------------------------------
def test_csv_is_for_swedish_excel():
    data = table_csv({"name": "T", "columns": ["Namn", "Värde"], "rows": [["Å;ä", "78.40"], ["-x", ".."], [None, 9]]})
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Namn", "Värde"], ["Å;ä", "78,40"], ["'-x", ".."], ["", "9"]]


# --- The school year's archive ------------------------------------------------------------------
@pytest.fixture
def archive(org, report_chain):
    now = timezone.now()
    approved = _unit_report(org.unit, UnitReport.Status.APPROVED, decided_at=now - datetime.timedelta(days=1))
    draft = _unit_report(org.other_unit, UnitReport.Status.DRAFT)
    return {
        "grundskola_v1": _document(org, report_chain, version=1, published=True),
        "grundskola_v2": _document(org, report_chain, version=2),  # built later, not published
        "overall": _document(org, report_chain, kind="overall"),  # never published
        "unit_before": _document(org, report_chain, kind="unit", key=f"unit-2025-report{approved.pk}", version=1,
                                 unit_report=approved, finished_at=now - datetime.timedelta(days=2)),
        "unit": _document(org, report_chain, kind="unit", key=f"unit-2025-report{approved.pk}", version=2,
                          unit_report=approved),
        "unit_draft": _document(org, report_chain, kind="unit", key=f"unit-2025-report{draft.pk}",
                                unit_report=draft),
        "failed": _document(org, report_chain, kind="forskola", status="failed"),
    }


def _archive_url(org, year=YEAR):
    return reverse("reports:year_archive_download") + f"?forvaltning={org.administration.pk}&lasar={year.start_year}"


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    chunks = list(response.streaming_content)
    return response, chunks, zipfile.ZipFile(io.BytesIO(b"".join(chunks)))


def test_the_archive_holds_the_published_and_approved_reports_with_their_data(org, people, login, archive):
    response, chunks, zipped = _download(login(people.secretary), _archive_url(org))
    assert response["Content-Type"] == "application/zip" and ".zip" in response["Content-Disposition"]
    assert len(chunks) > 3  # sent while written
    names = zipped.namelist()
    root = names[0].split("/")[0]
    assert all(name.startswith(root + "/") for name in names)
    pdfs = [n for n in names if n.endswith(".pdf")]
    assert len(pdfs) == 2
    stored = {d.sha256: d for d in ReportDocument.objects.exclude(sha256="")}
    included = {stored[hashlib.sha256(zipped.read(n)).hexdigest()].pk for n in pdfs}
    assert included == {archive["grundskola_v1"].pk, archive["unit"].pk}
    for name in pdfs:
        document = stored[hashlib.sha256(zipped.read(name)).hexdigest()]
        with default_storage.open(document.file.name, "rb") as f:
            assert zipped.read(name) == f.read()  # the PDF as stored
        folder = name.rsplit("/", 1)[0]
        assert json.loads(zipped.read(f"{folder}/data.json")) == document.snapshot
        csvs = sorted(n for n in names if n.startswith(folder + "/") and n.endswith(".csv"))
        assert len(csvs) == 2 and zipped.read(csvs[0]).startswith(b"\xef\xbb\xbf")

    metadata = json.loads(zipped.read(f"{root}/metadata.json"))
    assert metadata["school_year"] == "2025/26" and metadata["csv"]["delimiter"] == ";"
    assert {r["version"] for r in metadata["reports"]} == {1, 2}
    listed = {f["path"]: f for f in metadata["files"]}
    assert set(listed) == set(names) - {f"{root}/metadata.json", f"{root}/metadata.csv"}
    for path, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(zipped.read(path)).hexdigest()
        assert entry["title"] and entry["school_year"] == "2025/26" and entry["version"] and entry["built_at"]
    assert all(r["pdf_checksum_verified"] for r in metadata["reports"])
    published = next(r for r in metadata["reports"] if r["report_kind"] == "grundskola")
    assert published["published_at"] and published["pdf_sha256_recorded"] == archive["grundskola_v1"].sha256
    rows = list(csv.reader(io.StringIO(zipped.read(f"{root}/metadata.csv").decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "path" and len(rows) == len(listed) + 1


def test_the_small_groups_value_is_in_no_file_of_the_archive(org, people, login, archive):
    _response, _chunks, zipped = _download(login(people.leadership), _archive_url(org))
    for name in zipped.namelist():
        content = zipped.read(name)
        text = content.decode("utf-8-sig", errors="replace")
        assert not any(h in text for h in HIDDEN), name
    assert any(".." in zipped.read(n).decode("utf-8-sig") for n in zipped.namelist() if n.endswith(".csv"))


def test_a_changed_stored_pdf_is_reported_in_the_metadata(org, people, login, archive):
    document = archive["grundskola_v1"]
    with open(default_storage.path(document.file.name), "ab") as f:
        f.write(b"tampered")
    _response, _chunks, zipped = _download(login(people.secretary), _archive_url(org))
    root = zipped.namelist()[0].split("/")[0]
    metadata = json.loads(zipped.read(f"{root}/metadata.json"))
    report = next(r for r in metadata["reports"] if r["report_kind"] == "grundskola")
    assert report["pdf_checksum_verified"] is False


def test_the_archive_page_lists_what_it_holds(org, people, login, archive):
    response = login(people.leadership).get(reverse("reports:year_archive"), {"lasar": YEAR.start_year})
    body = response.content.decode()
    assert response.status_code == 200
    assert [d.pk for d in response.context["documents"]] == [archive["unit"].pk, archive["grundskola_v1"].pk]  # in the order of the kinds
    assert reverse("reports:year_archive_download") in body


@pytest.mark.parametrize("who", ["member", "rector", "contributor", "provider_contact", "outsider"])
def test_only_leadership_and_the_secretary_take_the_archive(org, people, login, archive, who):
    client = login(getattr(people, who))
    assert client.get(reverse("reports:year_archive")).status_code == 403
    assert client.get(_archive_url(org)).status_code == 403


def test_another_administration_is_not_found(org, people, login, archive):
    from ..factories import AdministrationFactory

    other = AdministrationFactory()
    url = reverse("reports:year_archive_download") + f"?forvaltning={other.pk}&lasar=2025"
    assert login(people.secretary).get(url).status_code == 404


def test_an_empty_year_gives_an_archive_with_only_metadata(org, people, login, archive):
    _response, _chunks, zipped = _download(login(people.secretary), _archive_url(org, YEAR.next()))
    assert [n.rsplit("/", 1)[1] for n in zipped.namelist()] == ["metadata.json", "metadata.csv"]


def test_the_archive_page_and_download_run_the_same_queries_for_more_reports(org, people, login, report_chain, archive):
    def queries(url):
        client = login(people.secretary)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
            b"".join(response.streaming_content if response.streaming else [response.content])
        return len(context.captured_queries)

    page = reverse("reports:year_archive") + "?lasar=2025"
    before = queries(page), queries(_archive_url(org))
    for n in range(5):
        _document(org, report_chain, kind="forskola", key=f"forskola-extra-{n}", published=True)
    assert (queries(page), queries(_archive_url(org))) == before


def test_what_the_committee_got_stays_in_the_archive_when_a_later_version_was_not_published(org, report_chain):
    from reports.services.exports import archived_documents

    published = _document(org, report_chain, kind="overall", version=1, published=True)
    later = _document(org, report_chain, kind="overall", version=2)
    chosen = archived_documents(administration=org.administration, school_year=YEAR)
    assert published in chosen and later not in chosen
    newest = _document(org, report_chain, kind="overall", version=3, published=True)
    assert archived_documents(administration=org.administration, school_year=YEAR) == [newest]


def test_the_reports_pages_link_the_excel_data_and_the_archive(org, people, login, report_chain):
    from django.urls import reverse

    document = _document(org, report_chain, kind="overall", version=1, published=True)
    excel = reverse("reports:document_excel", args=[document.pk])
    archive = reverse("reports:year_archive")
    secretary = login(people.secretary)
    assert excel in secretary.get(document.get_absolute_url()).content.decode()
    index = secretary.get(reverse("reports:index"), {"lasar": YEAR.start_year}).content.decode()
    assert excel in index and archive in index
    member_index = login(people.member).get(reverse("reports:index"), {"lasar": YEAR.start_year}).content.decode()
    assert excel in member_index and archive not in member_index  # members read, they do not archive
