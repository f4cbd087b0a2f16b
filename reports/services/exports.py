"""A report's underlying data as Excel, and a school year's reports as one archive download.

Both are made from what was archived with each build — the stored PDF and its data snapshot
(``document.snapshot``) — never from the database as it is now, so they agree with the PDF the
committee got. Small-number suppression was applied when the snapshot was gathered: its tables
already hold ".." where a value may not be shown.

The archive, for the municipality's e-archive (``year_archive``), is a ZIP written while it is
sent: one folder per report with the PDF as stored, its data as CSV (one file per table) and as
JSON (the snapshot), and ``metadata.json`` / ``metadata.csv`` listing every file with its
SHA-256 checksum. CSV files are written as Swedish Excel opens them with a double click: UTF-8
with a byte order mark, ";" between fields and a decimal comma ("78,4"). A text cell that a
spreadsheet would take for a formula (``ska.excel.safe_cells``) is prefixed with an apostrophe; the
JSON file keeps every value exactly as gathered.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterator

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ska.excel.safe_cells import csv_text
from ska.excel.writer import Sheet, write_workbook
from ska.suppression import SUPPRESSED, footnote

from ..models import ReportDocument, ReportKind, UnitReport

NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
CHUNK = 1 << 16
ARCHIVE_FORMAT = "ska-report-archive/1"
CSV_FORMAT = {"encoding": "utf-8-sig", "delimiter": ";", "decimal_separator": ",", "suppressed_value": SUPPRESSED}
KIND_ORDER = {kind: index for index, kind in enumerate(ReportKind.values)}


# --- Excel ---------------------------------------------------------------------------------
def document_workbook(document: ReportDocument) -> bytes:
    """The report's data as .xlsx: a sheet about the document, then one sheet per table of
    its snapshot. Numbers and dates are real cells; ".." stays text."""
    snapshot = document.snapshot or {}
    with translation.override(settings.LANGUAGE_CODE):  # the documents' language
        sheets = [Sheet(_("About"), [_("Field"), _("Value")], _about_rows(document), [34, 90])]
        names = {sheets[0].title}
        for table in snapshot.get("tables", []):
            name = _sheet_name(table.get("name") or _("Data"), names)
            rows = ([_typed(value) for value in row] for row in table.get("rows", []))
            sheets.append(Sheet(name, [str(c) for c in table.get("columns", [])], rows))
        return write_workbook(sheets)


def _about_rows(document: ReportDocument) -> list[list]:
    snapshot = document.snapshot or {}
    suppression = snapshot.get("suppression") or {}
    threshold = suppression.get("threshold")
    rows = [
        [_("Title"), snapshot.get("title") or document.title],
        [_("Kind of report"), str(document.get_kind_display())],
        [_("School year"), str(document.school_year)],
        [_("Version"), document.version],
        [_("Built at"), _when(document.finished_at)],
        [_("Built by"), _person(document.requested_by)],
        [_("Published at"), _when(document.published_at)],
        [_("Published by"), _person(document.published_by)],
        [_("Pages of the PDF"), document.pages],
        [_("SHA-256 checksum of the PDF"), document.sha256],
        [_("Data gathered at"), snapshot.get("generated_at", "")],
        [_("Smallest group shown"), threshold],
    ]
    if threshold:
        rows.append([_("Note"), f"{SUPPRESSED}: {footnote(threshold)}"])
    return rows


def _sheet_name(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of []:*?/\\) and not yet used."""
    base = SHEET_NAME_FORBIDDEN.sub(" ", name).strip()[:31] or "Data"
    candidate, n = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def _typed(value):
    """A snapshot cell as a spreadsheet cell: decimal strings become numbers, ISO dates dates."""
    if isinstance(value, str):
        if NUMBER.fullmatch(value):
            return Decimal(value)
        if DATE.fullmatch(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                return value
        return value
    if value is None or isinstance(value, (int, float, Decimal, bool)):
        return value
    return json.dumps(value, ensure_ascii=False)


# --- The school year's archive --------------------------------------------------------------
def archived_documents(*, administration, school_year, visible=None) -> list[ReportDocument]:
    """The documents that go to the e-archive: of each report, the latest published version
    (what the committee got); of a unit's report never published, the latest version built
    after its quality report was approved.
    ``visible``: a queryset limiting what may be included (the person's ``visible_documents``).
    Their snapshots are left out here (loaded a few at a time while the archive is written)."""
    documents = visible if visible is not None else ReportDocument.objects.all()
    approved_unit = Q(
        kind=ReportKind.UNIT,
        unit_report__status=UnitReport.Status.APPROVED,
        unit_report__deleted_at__isnull=True,
        finished_at__gte=F("unit_report__decided_at"),
    )
    candidates = (
        documents.filter(administration=administration, school_year=school_year, status=ReportDocument.Status.DONE)
        .exclude(file="")
        .filter(Q(published_at__isnull=False) | approved_unit)
        .select_related("requested_by", "published_by", "unit")
        .defer("snapshot")
        .order_by("key", "-version")
    )
    # What the committee got comes first: a published version wins over a later unpublished one.
    latest: dict[str, ReportDocument] = {}
    for document in candidates:
        chosen = latest.get(document.key)
        if chosen is None or (document.is_published and not chosen.is_published):
            latest[document.key] = document
    return sorted(latest.values(), key=lambda d: (KIND_ORDER.get(d.kind, 99), d.title, d.key))


@dataclass
class _Sink:
    """Where the ZIP writer writes: bytes collected until the response takes them."""

    chunks: list[bytes] = field(default_factory=list)

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def archive_name(administration, school_year) -> str:
    return f"kvalitetsrapporter-{slugify(administration.name)}-{school_year.start_year}-{str(school_year.start_year + 1)[-2:]}"


def year_archive(*, documents: list[ReportDocument], administration, school_year, user=None) -> Iterator[bytes]:
    """The ZIP archive of ``documents`` (see ``archived_documents``), as chunks of bytes to send
    while it is written: a PDF is read from storage a piece at a time, and only one report's
    data is held at once."""
    root = archive_name(administration, school_year)
    sink = _Sink()
    files: list[dict] = []
    reports: list[dict] = []
    with translation.override(settings.LANGUAGE_CODE), zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, document in enumerate(_with_snapshots(documents), start=1):
            folder = f"{root}/{number:02d}-{slugify(document.title)[:80] or document.kind}-v{document.version}"
            about = _report_metadata(document)
            reports.append(about)
            pdf = yield from _write_pdf(archive, sink, f"{folder}/{slugify(document.title)[:80] or 'rapport'}.pdf", document)
            entries = [pdf] if pdf else []
            about["pdf_checksum_verified"] = bool(pdf) and pdf["sha256"] == document.sha256
            if not pdf:
                about["problem"] = _("The stored PDF could not be read.")
            snapshot = document.snapshot or {}
            entries.append(_write_bytes(archive, f"{folder}/data.json", _json_bytes(snapshot), "json", "application/json"))
            yield sink.drain()
            taken: set[str] = set()
            for table_number, table in enumerate(snapshot.get("tables", []), start=1):
                name = _file_stem(table.get("name") or "data", taken)
                entry = _write_bytes(archive, f"{folder}/{table_number:02d}-{name}.csv", table_csv(table), "csv", "text/csv")
                entry["table"] = table.get("name", "")
                entries.append(entry)
                yield sink.drain()
            for entry in entries:
                files.append({**entry, **{k: about[k] for k in FILE_REPORT_FIELDS}})
        metadata = _archive_metadata(administration, school_year, user, reports, files)
        _write_bytes(archive, f"{root}/metadata.json", _json_bytes(metadata), "json", "application/json")
        _write_bytes(archive, f"{root}/metadata.csv", metadata_csv(files), "csv", "text/csv")
    yield sink.drain()


def _with_snapshots(documents: list[ReportDocument], batch: int = 20) -> Iterator[ReportDocument]:
    """The documents, each with its snapshot loaded: a query per ``batch`` documents."""
    for start in range(0, len(documents), batch):
        part = documents[start : start + batch]
        snapshots = dict(ReportDocument.objects.filter(pk__in=[d.pk for d in part]).values_list("pk", "snapshot"))
        for document in part:
            document.snapshot = snapshots.get(document.pk) or {}
            yield document
            document.snapshot = {}  # let it go before the next one is written


def _write_pdf(archive: zipfile.ZipFile, sink: _Sink, path: str, document: ReportDocument):
    """Copy the stored PDF into the archive piece by piece; its entry, or None if unreadable."""
    try:
        stored = default_storage.open(document.file.name, "rb")
    except OSError:
        return None
    digest, size = hashlib.sha256(), 0
    with stored, archive.open(path, "w", force_zip64=True) as entry:
        for chunk in iter(lambda: stored.read(CHUNK), b""):
            entry.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            yield sink.drain()
    return {"path": path, "file_kind": "pdf", "media_type": "application/pdf", "sha256": digest.hexdigest(), "size": size}


def _write_bytes(archive: zipfile.ZipFile, path: str, data: bytes, kind: str, media_type: str) -> dict:
    archive.writestr(path, data)
    return {"path": path, "file_kind": kind, "media_type": media_type, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str).encode("utf-8")


def _file_stem(name: str, taken: set[str]) -> str:
    stem = slugify(name)[:60] or "data"
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}", n + 1
    taken.add(candidate)
    return candidate


# --- CSV -------------------------------------------------------------------------------------
def table_csv(table: dict) -> bytes:
    """One snapshot table as CSV for Swedish Excel (see the module's docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_FORMAT["delimiter"], lineterminator="\r\n")
    writer.writerow([csv_text(str(c)) for c in table.get("columns", [])])
    for row in table.get("rows", []):
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode(CSV_FORMAT["encoding"])


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float, Decimal)):
        return str(value).replace(".", ",")
    if isinstance(value, str) and NUMBER.fullmatch(value):
        return value.replace(".", ",")
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return csv_text(value)


# --- Metadata ---------------------------------------------------------------------------------
FILE_REPORT_FIELDS = (
    "report_kind", "title", "school_year", "version", "built_at", "built_by", "published_at", "published_by",
)
METADATA_CSV_COLUMNS = ("path", "file_kind", "table", *FILE_REPORT_FIELDS, "sha256", "size", "media_type")


def _report_metadata(document: ReportDocument) -> dict:
    snapshot = document.snapshot or {}
    return {
        "report_kind": document.kind,
        "report_kind_label": str(document.get_kind_display()),
        "key": document.key,
        "title": document.title,
        "school_year": str(document.school_year),
        "version": document.version,
        "unit": document.unit.name if document.unit_id else None,
        "built_at": _when(document.finished_at),
        "built_by": _person(document.requested_by),
        "published_at": _when(document.published_at),
        "published_by": _person(document.published_by),
        "pages": document.pages,
        "pdf_sha256_recorded": document.sha256,
        "data_gathered_at": snapshot.get("generated_at"),
        "sources": snapshot.get("sources"),
        "suppression": snapshot.get("suppression"),
    }


def _archive_metadata(administration, school_year, user, reports: list[dict], files: list[dict]) -> dict:
    thresholds = sorted({r["suppression"]["threshold"] for r in reports if (r.get("suppression") or {}).get("threshold")})
    return {
        "format": ARCHIVE_FORMAT,
        "municipality": administration.municipality.name,
        "committee": administration.committee.name,
        "administration": administration.name,
        "school_year": str(school_year),
        "created_at": _when(timezone.now()),
        "created_by": _person(user),
        "csv": CSV_FORMAT,
        "suppression_notes": {str(t): f"{SUPPRESSED}: {footnote(t)}" for t in thresholds},
        "reports": reports,
        "files": files,
    }


def metadata_csv(files: list[dict]) -> bytes:
    return table_csv({"columns": list(METADATA_CSV_COLUMNS), "rows": [[f.get(c) for c in METADATA_CSV_COLUMNS] for f in files]})


def _when(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
