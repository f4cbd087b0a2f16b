"""No text of anyone's becomes a formula in the app's Excel and CSV files.

Every text field of the goal chain and the reports holds one of the formula payloads, then
every workbook and CSV file the app writes is read back: no cell is a formula, and every text
that a spreadsheet could run (OWASP: = + - @ tab CR first) is neutralised — the .xlsx cell is
a string marked "quote prefix", the CSV field starts with an apostrophe. Negative numbers stay
numbers.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import ReportDocument, ReportKind
from reports.services.data import gather
from reports.services.exports import document_workbook, metadata_csv, table_csv
from ska.excel.safe_cells import FORMULA_STARTS, csv_text, looks_like_formula
from tests.factories import YEAR
from tests.reports.conftest import report_chain  # noqa: F401 (a fixture)

from .payloads import FORMULAS
from .poison import poisoned_fields


def fill_with_formulas() -> int:
    """Every text field of every row gets a formula payload (and its row's id, to stay unique)."""
    rows = 0
    for number, field in enumerate(f for f in poisoned_fields() if not isinstance(f.field, models.JSONField)):
        model = field.model
        for pk in model._base_manager.values_list("pk", flat=True):
            formula = FORMULAS[(number + pk) % len(FORMULAS)]
            value = f"{formula} {pk}"
            if field.field.max_length and len(value) > field.field.max_length:
                value = f"+1 {pk}"
            model._base_manager.filter(pk=pk).update(**{field.name: value})
            rows += 1
    return rows


def assert_no_formula(content: bytes) -> int:
    """Every cell of the workbook; returns how many held formula-like text (neutralised)."""
    workbook = load_workbook(io.BytesIO(content))
    neutralised = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                    neutralised += 1
    return neutralised


def assert_csv_safe(content: bytes) -> int:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    quoted = 0
    for row in rows:
        for value in row:
            if value[:1] in ("-",) and value[1:].replace(",", "").isdigit():
                continue  # a negative number, written as a number
            assert not looks_like_formula(value), value
            quoted += value.startswith("'") and looks_like_formula(value[1:])
    return quoted


@pytest.fixture
def formulas(report_chain, people):
    assert fill_with_formulas() > 20
    return report_chain


def test_the_chain_exports_and_the_check_in_template_keep_formulas_text(formulas, people, login, org):
    downloads = [
        (people.leadership, reverse("administration_export") + f"?lasar={YEAR.start_year}"),
        (people.rector, reverse("unit_export", args=[org.unit.pk]) + f"?lasar={YEAR.start_year}"),
        (people.rector, reverse("check_in_template", args=[org.unit.pk]) + f"?lasar={YEAR.start_year}"),
    ]
    for person, url in downloads:
        response = login(person).get(url)
        assert response.status_code == 200, url
        assert assert_no_formula(response.content) > 0, url  # the payloads are in it, neutralised
    # The texts are kept as written, only marked.
    workbook = load_workbook(io.BytesIO(login(people.rector).get(downloads[1][1]).content))
    values = {cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row}
    assert any(isinstance(v, str) and v.startswith('=HYPERLINK("http://evil.example","x")') for v in values)


def test_a_reports_workbook_and_csv_files_keep_formulas_text(formulas, org):
    for kind in (ReportKind.OVERALL, ReportKind.GRUNDSKOLA):
        snapshot = gather(kind, school_year=YEAR, administration=org.administration)
        document = ReportDocument(
            kind=kind, key="x", version=1, title='=HYPERLINK("http://evil.example","x")', school_year=YEAR,
            municipality=org.municipality, committee=org.committee, administration=org.administration,
            status=ReportDocument.Status.DONE, snapshot=snapshot,
        )
        assert assert_no_formula(document_workbook(document)) > 0, kind
        assert sum(assert_csv_safe(table_csv(table)) for table in snapshot["tables"]) > 0, kind
    files = [{"path": "x.csv", "title": formula, "built_by": "@SUM(A1)", "size": -3} for formula in FORMULAS]
    assert assert_csv_safe(metadata_csv(files)) == len(FORMULAS) + len(FORMULAS)


@pytest.mark.parametrize("text", [*FORMULAS, "\uff1d1+1", "\uff20SUM(A1)"])
def test_every_owasp_formula_start_is_neutralised(text):
    assert looks_like_formula(text)
    assert csv_text(text) == "'" + text
    from ska.excel.writer import Sheet, write_workbook

    cell = load_workbook(io.BytesIO(write_workbook([Sheet("x", ["h"], [[text]])]))).active["A2"]
    # (XML reads a carriage return back as a line feed.)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text.replace("\r", "\n"), "s", True)


def test_ordinary_text_and_numbers_are_left_alone():
    assert not any(looks_like_formula(t) for t in ("Trygghet", "1+1", " =1", "'=1", ""))
    assert set(FORMULA_STARTS) >= {"=", "+", "-", "@", "\t", "\r"}
    from ska.excel.writer import Sheet, write_workbook

    sheet = load_workbook(io.BytesIO(write_workbook([Sheet("x", ["h"], [[-5], ["Trygghet"]])]))).active
    assert (sheet["A2"].value, sheet["A2"].data_type) == (-5, "n")
    assert sheet["A3"].quotePrefix is False
