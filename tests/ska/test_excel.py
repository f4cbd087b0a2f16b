"""Excel: export with real cells and no formulas, import of check-ins that checks the whole
file first, and uploads that are refused before they are read."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ska.models import CheckIn
from ska.schoolyear import SchoolYear

from ..factories import ActivityFactory, AdministrationGoalFactory, CheckInFactory, IndicatorFactory, UnitGoalFactory


@pytest.fixture
def year():
    return SchoolYear.current()


@pytest.fixture
def chain(org, year):
    admin_goal = AdministrationGoalFactory(administration=org.administration, school_year=year, start_term=year.autumn,
                                           end_term=year.spring)
    goal = UnitGoalFactory(unit=org.unit, parent=admin_goal, school_year=year, start_term=year.autumn,
                           end_term=year.spring, title="=HYPERLINK(\"http://evil\")")
    indicator = IndicatorFactory(goal=goal, title="Trygghet", baseline_value=Decimal("60.5"))
    other = IndicatorFactory(goal=goal, title="@SUM(A1)")
    CheckInFactory(indicator=indicator, date=year.start, value=Decimal("62"), comment="+46 70 123")
    CheckInFactory(indicator=indicator, date=year.start + datetime.timedelta(days=30), value=Decimal("64.25"), comment="-minus")
    ActivityFactory(goal=goal, title="Rastvärdar").indicators.add(indicator)
    return {"goal": goal, "indicator": indicator, "other": other}


def _export(client, org, year):
    response = client.get(reverse("unit_export", args=[org.unit.pk]), {"lasar": year.start_year})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def _upload(content, name="avstamningar.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _import(client, org, year, content, name="avstamningar.xlsx"):
    return client.post(reverse("check_in_import", args=[org.unit.pk]) + f"?lasar={year.start_year}", {"file": _upload(content, name)})


def test_export_has_a_sheet_per_level_with_real_cells_and_no_formulas(org, people, login, chain, year):
    workbook = load_workbook(io.BytesIO(_export(login(people.rector), org, year)))
    assert workbook.sheetnames == ["Mål", "Indikatorer", "Avstämningar", "Aktiviteter", "Uppföljningar", "Analyser"]
    goals = workbook["Mål"]
    assert goals["D1"].value == "Mål" and goals.column_dimensions["D"].width >= 40
    title = goals["D2"]
    assert title.value == '=HYPERLINK("http://evil")' and title.data_type == "s" and title.quotePrefix
    check_ins = list(workbook["Avstämningar"].iter_rows(min_row=2, values_only=True))
    assert [(row[5], row[6], row[8]) for row in check_ins] == [
        (datetime.datetime.combine(year.start, datetime.time()), 62, "+46 70 123"),
        (datetime.datetime.combine(year.start + datetime.timedelta(days=30), datetime.time()), 64.25, "-minus"),
    ]
    comment = workbook["Avstämningar"]["I2"]
    assert comment.data_type == "s" and comment.quotePrefix
    indicators = workbook["Indikatorer"]
    assert {indicators.cell(row=r, column=4).value for r in (2, 3)} == {"Trygghet", "@SUM(A1)"}
    assert workbook["Indikatorer"]["J2"].data_type == "n"


def test_an_exported_workbook_reimported_changes_nothing(org, people, login, chain, year):
    client = login(people.rector)
    content = _export(client, org, year)
    before = [(c.pk, c.date, c.value, c.group_size, c.comment, c.version) for c in CheckIn.objects.order_by("pk")]
    history = CheckIn.history.count()
    response = _import(client, org, year, content)
    assert response.status_code == 302
    assert [(c.pk, c.date, c.value, c.group_size, c.comment, c.version) for c in CheckIn.objects.order_by("pk")] == before
    assert CheckIn.history.count() == history
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Importerat: 0 nya avstämningar, 0 ändrade, 2 oförändrade."]


def test_the_template_filled_in_imports_new_check_ins_with_history(org, people, login, chain, year):
    client = login(people.rector)
    template = client.get(reverse("check_in_template", args=[org.unit.pk]), {"lasar": year.start_year})
    workbook = load_workbook(io.BytesIO(template.content))
    sheet = workbook["Avstämningar"]
    rows = {sheet.cell(row=r, column=5).value: r for r in range(2, sheet.max_row + 1)}
    row = rows["Trygghet"]
    sheet.cell(row=row, column=6, value=year.start + datetime.timedelta(days=60))
    sheet.cell(row=row, column=7, value="70,5")
    sheet.cell(row=row, column=8, value=52)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _import(client, org, year, buffer.getvalue()).status_code == 302
    created = CheckIn.objects.get(indicator=chain["indicator"], value=Decimal("70.5"))
    assert created.origin == CheckIn.Origin.IMPORT and created.group_size == 52
    assert created.history.get().history_user == people.rector


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row(org, people, login, chain, year, org_other_indicator):
    client = login(people.rector)
    workbook = load_workbook(io.BytesIO(_export(client, org, year)))
    sheet = workbook["Avstämningar"]
    sheet.append([None, chain["indicator"].pk, "", "", "", "2026-13-40", "ett", -2, ""])      # row 4
    sheet.append([None, org_other_indicator.pk, "", "", "", "2026-03-01", 5, None, ""])      # row 5
    sheet.append([None, chain["other"].pk, "", "", "", "2026-03-01", 75, None, "bra"])        # row 6: fine
    sheet.append([999999, chain["indicator"].pk, "", "", "", "2026-03-01", 75, None, ""])     # row 7
    sheet["G2"] = 99  # a change to an existing check-in, in a file that fails: must not land
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _import(client, org, year, buffer.getvalue())
    assert response.status_code == 200
    errors = [(e.row, e.column) for e in response.context["result"].errors]
    assert errors == [(4, "F"), (4, "G"), (4, "H"), (5, "B"), (7, "A")]
    body = response.content.decode()
    assert "Inget importerades" in body and "Ange ett tal, till exempel 72 eller 72,5." in body
    assert CheckIn.objects.count() == 2 and not CheckIn.objects.filter(value=99).exists()


@pytest.fixture
def org_other_indicator(org, year):
    goal = UnitGoalFactory(unit=org.other_unit, school_year=year, start_term=year.autumn, end_term=year.spring,
                           parent__administration=org.administration, parent__school_year=year)
    return IndicatorFactory(goal=goal)


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("avstamningar.csv", b"a,b", "Filen måste vara en Excel-arbetsbok (.xlsx)."),
        ("avstamningar.xlsx", b"inte en zip", "Filen är inte en giltig Excel-arbetsbok (.xlsx)"),
        ("avstamningar.xlsx", _zip({"xl/workbook.xml": b"<x/>", "xl/bomb.xml": b"\0" * 60_000_000}),
         "Filen packas upp till mycket mer än sin storlek"),
        ("avstamningar.xlsx", _zip({"readme.txt": b"hej"}), "Filen är inte en giltig Excel-arbetsbok (.xlsx)"),
    ],
)
def test_bad_uploads_are_refused_before_they_are_read(org, people, login, chain, year, name, content, message):
    response = _import(login(people.rector), org, year, content, name)
    body = response.content.decode()
    assert response.status_code == 200 and message in body and 'id="id_file_error"' in body
    assert CheckIn.objects.count() == 2


def test_xml_entity_tricks_are_refused(org, people, login, chain, year):
    workbook = Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(buffer)
    members = {n: source.read(n) for n in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    response = _import(login(people.rector), org, year, _zip(members))
    assert response.status_code == 200 and "Filen är inte en giltig Excel-arbetsbok" in response.content.decode()


def test_too_large_files_are_refused(org, people, login, chain, year, settings):
    settings.SKA_MAX_UPLOAD_BYTES = 1024
    response = _import(login(people.rector), org, year, b"x" * 2048)
    body = response.content.decode()
    assert "Filen är för stor: högst 1,0\xa0kB." in body
    assert CheckIn.objects.count() == 2


def test_another_rektor_can_neither_export_nor_import(org, people, login, chain, year):
    client = login(people.other_rector)
    assert client.get(reverse("unit_export", args=[org.unit.pk])).status_code == 404
    assert client.get(reverse("check_in_template", args=[org.unit.pk])).status_code == 404
    assert _import(client, org, year, b"x").status_code == 404
    assert login(people.rector).get(reverse("administration_export")).status_code == 403
    assert login(people.leadership).get(reverse("administration_export")).status_code == 200
