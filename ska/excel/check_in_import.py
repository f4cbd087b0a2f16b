"""Importing check-ins from the template (or an exported workbook).

The whole file is read and every row checked first; if any row is bad, nothing is written
and each bad row is reported with its row, column and reason. Rows with a check-in ID update
that check-in (only if something differs); rows without one create new check-ins. Every
change goes through the same history as edits in the browser.

An export carries each check-in's version in a last column. A row that would change a check-in
saved since that version (or deleted, or kept by Kolada) is a bad row like any other
(``stale_rows``): an old file never undoes a newer change. The template has no version column,
and needs none: its rows only add check-ins.

An exported workbook shows a check-in from a too small group with ".." for its value and
comment (ska.suppression); on a row with a check-in ID, ".." keeps what is stored.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..models import CheckIn
from ..services.records import EditConflict, record_update
from ..suppression import SUPPRESSED
from .export import check_in_headers, check_in_version_header
from .stale_rows import changed_since_export, latest_changes, refusal
from .upload import UploadRejected

MAX_ROWS = 10_000
COLUMNS = {"id": "A", "indicator": "B", "date": "F", "value": "G", "group_size": "H", "comment": "I", "version": "J"}
VALUES = ("date", "value", "group_size", "comment")


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    return Decimal(str(value).strip().replace(" ", "").replace("\u00a0", "").replace(",", "."))


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value).strip())


def _version(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError
    number = _decimal(value)
    if number != number.to_integral_value() or number < 1:
        raise ValueError
    return int(number)


def _in_every_language(function):
    """What ``function`` returns in each of the product's languages: a workbook exported in
    English can be imported by someone working in Swedish."""
    results = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            results.append(function())
    return results


def _parse(sheet, indicators: dict[int, object], result: ImportResult) -> list[dict]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    expected = check_in_headers()
    accepted = _in_every_language(check_in_headers)
    if header is None or [str(h or "").strip() for h in header[: len(expected)]] not in accepted:
        result.errors.append(RowError(1, "A", _("The first row must hold the template's headings: %(headings)s.") % {"headings": ", ".join(expected)}))
        return []
    with_versions = len(header) > len(expected) and str(header[len(expected)] or "").strip() in _in_every_language(
        check_in_version_header
    )
    parsed = []
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            result.errors.append(RowError(number, "A", _("The file has more than %(n)s rows.") % {"n": MAX_ROWS}))
            break
        row = list(row) + [None] * (10 - len(row))
        check_in_id, indicator_id, date, value, group_size, comment = row[0], row[1], row[5], row[6], row[7], row[8]
        if all(v in (None, "") for v in (check_in_id, date, value, group_size, comment)):
            continue  # an indicator's empty template row, or a blank line

        def error(column, message):
            result.errors.append(RowError(number, COLUMNS[column], message))

        record = {"row": number}
        try:
            indicator = indicators[int(indicator_id)]
            record["indicator"] = indicator
        except (TypeError, ValueError, KeyError):
            error("indicator", _("No indicator with this ID that you may record check-ins on."))
        try:
            record["date"] = _date(date)
        except (TypeError, ValueError):
            error("date", _("Enter a date, such as 2026-03-15."))
        record["kept"] = [
            name for name, cell in (("value", value), ("comment", comment))
            if check_in_id not in (None, "") and str(cell).strip() == SUPPRESSED
        ]
        try:
            if "value" not in record["kept"]:
                record["value"] = _decimal(value)
                if not record["value"].is_finite() or abs(record["value"]) >= Decimal("1e10"):
                    raise InvalidOperation
                record["value"] = record["value"].quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            error("value", _("Enter a number, such as 72 or 72,5."))
        if group_size in (None, ""):
            record["group_size"] = None
        else:
            try:
                record["group_size"] = int(_decimal(group_size))
                if record["group_size"] < 0 or _decimal(group_size) != record["group_size"]:
                    raise ValueError
            except (InvalidOperation, ValueError):
                error("group_size", _("Enter the group size as a whole number, 0 or more."))
        record["comment"] = "" if comment is None else str(comment)
        if check_in_id not in (None, ""):
            try:
                record["existing_id"] = int(check_in_id)
            except (TypeError, ValueError):
                error("id", _("No check-in with this ID on this indicator. Leave the column empty for a new check-in."))
            try:
                record["version"] = _version(row[9]) if with_versions else None
            except (InvalidOperation, ValueError):
                record["version_unreadable"] = True  # said in its column; the row is refused already
                error("version", _("Leave the version as it was exported: a whole number."))
        parsed.append(record)
    _match_existing(parsed, result)
    result.errors.sort(key=lambda e: e.row)
    return parsed


def _match_existing(parsed: list[dict], result: ImportResult) -> None:
    """The check-ins the file names, in one query (deleted ones too, to say who deleted them),
    each on the indicator its row names, and whether the row may change it."""
    existing = CheckIn.all_objects.select_related("indicator__kolada", "deleted_by").in_bulk(
        [r["existing_id"] for r in parsed if "existing_id" in r]
    )
    named = []
    for record in parsed:
        if "existing_id" not in record:
            continue
        check_in = existing.get(record["existing_id"])
        if check_in is None or ("indicator" in record and check_in.indicator_id != record["indicator"].pk):
            result.errors.append(RowError(record["row"], COLUMNS["id"], _(
                "No check-in with this ID on this indicator. Leave the column empty for a new check-in."
            )))
            continue
        record["existing"] = check_in
        for name in record["kept"]:  # shown as ".." in the export: keep what is stored
            record[name] = getattr(check_in, name)
        record["changes"] = {k: record[k] for k in VALUES if k in record and getattr(check_in, k) != record[k]}
        named.append(record)
    stale = [r["existing"] for r in named if r["changes"] and r.get("version") is not None and r["version"] < r["existing"].version]
    latest = latest_changes(stale) if stale else {}
    for record in named:
        if not record.get("version_unreadable") and (why := refusal(record, latest)) is not None:
            result.errors.append(RowError(record["row"], COLUMNS["id"], why))


class _ChangedWhileImporting(Exception):
    def __init__(self, error: RowError):
        self.error = error


def check_ins_import(*, data: bytes, indicators, user) -> ImportResult:
    """Import check-ins onto ``indicators`` (the ones the person may change)."""
    result = ImportResult()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            names = [n for n in _in_every_language(lambda: _("Check-ins")) if n in workbook.sheetnames]
            sheet = workbook[names[0]] if names else workbook.worksheets[0]
            parsed = _parse(sheet, {i.pk: i for i in indicators}, result)
        finally:
            workbook.close()
    except (InvalidFileException, KeyError, ValueError, OSError, IndexError, DefusedXmlException, ParseError) as error:
        # Malformed XML, entity tricks (refused by defusedxml) or a broken structure.
        raise UploadRejected(_("The file is not a valid Excel workbook (.xlsx); it may be damaged.")) from error
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _write(parsed, user, result)
    except _ChangedWhileImporting as changed:
        return ImportResult(errors=[changed.error])
    return result


def _write(parsed: list[dict], user, result: ImportResult) -> None:
    for record in parsed:
        existing = record.get("existing")
        if existing is None:
            check_in = CheckIn(indicator=record["indicator"], origin=CheckIn.Origin.IMPORT, **{k: record[k] for k in VALUES})
            check_in.full_clean()
            check_in._history_user = user
            check_in.save()
            result.created += 1
        elif record["changes"]:
            try:
                # The exported version: a save between reading the file and now is refused too.
                record_update(record=existing, version=record["version"], values=record["changes"], user=user)
            except EditConflict as conflict:
                raise _ChangedWhileImporting(RowError(record["row"], COLUMNS["id"], changed_since_export(
                    existing, conflict.changed_by, conflict.changed_at
                )))
            result.updated += 1
        else:
            result.unchanged += 1
