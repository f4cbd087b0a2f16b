"""Importing an exported workbook again never undoes a change saved after the export: the export
carries each check-in's version, and a row for a check-in changed (or deleted) since is refused
and listed with who changed it and when, while nothing in the file is saved."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ska.excel import check_in_import
from ska.models import CheckIn, KoladaSource
from ska.services.records import record_delete, record_update

from .test_excel import _export, _import, chain, year  # noqa: F401  (fixtures)


@pytest.fixture
def erik(people):
    people.contributor.first_name, people.contributor.last_name = "Erik", "Lund"
    people.contributor.save()
    return people.contributor


def _check_ins(chain):
    return list(CheckIn.all_objects.filter(indicator=chain["indicator"]).order_by("date"))


def _state():
    return [(c.pk, c.date, c.value, c.group_size, c.comment, c.version, c.deleted_at) for c in CheckIn.all_objects.order_by("pk")]


def _rows(workbook) -> dict[int, int]:
    """Each check-in's row in the exported sheet."""
    sheet = workbook["Avstämningar"]
    return {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _errors(response):
    assert response.status_code == 200
    return [(e.row, e.column, e.message) for e in response.context["result"].errors]


def test_the_export_carries_each_check_ins_version(org, people, login, chain, year):
    first, second = _check_ins(chain)
    record_update(record=second, version=second.version, values={"comment": "rättad"}, user=people.rector)
    sheet = load_workbook(io.BytesIO(_export(login(people.rector), org, year)))["Avstämningar"]
    assert sheet["J1"].value == "Version (ändra inte)"
    assert {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=10).value for r in (2, 3)} == {first.pk: 1, second.pk: 2}


def test_an_old_export_imported_after_a_change_in_the_app_is_refused_and_saves_nothing(org, people, login, erik, chain, year):
    client = login(people.rector)
    workbook = load_workbook(io.BytesIO(_export(client, org, year)))
    first, second = _check_ins(chain)
    record_update(record=first, version=first.version, values={"value": Decimal("63")}, user=erik)
    rows = _rows(workbook)
    workbook["Avstämningar"].cell(row=rows[second.pk], column=7, value=65)  # a change of its own, to an unchanged one
    workbook["Avstämningar"].append([None, chain["other"].pk, "", "", "", year.start, 12, None, ""])  # and a new one
    before, history = _state(), CheckIn.history.count()

    errors = _errors(_import(client, org, year, _save(workbook)))
    assert [(row, column) for row, column, _message in errors] == [(rows[first.pk], "A")]
    message = errors[0][2]
    assert message.startswith(f"Erik Lund ändrade avstämning {first.pk} (Trygghet, ")
    assert timezone.localtime(first.history.latest("history_date").history_date).strftime("%H:%M") in message
    assert _state() == before and CheckIn.history.count() == history  # the 63 stays; nothing else landed either


def test_the_refused_rows_are_listed_on_the_page_in_swedish(org, people, login, erik, chain, year):
    client = login(people.rector)
    content = _export(client, org, year)
    first, _second = _check_ins(chain)
    record_update(record=first, version=first.version, values={"comment": "ny kommentar"}, user=erik)
    body = _import(client, org, year, content).content.decode()
    assert "Inget importerades: 1 fel i filen" in body
    assert f"Erik Lund ändrade avstämning {first.pk}" in body and "efter att filen exporterades" in body


def test_rows_for_unchanged_check_ins_still_update(org, people, login, chain, year):
    client = login(people.rector)
    workbook = load_workbook(io.BytesIO(_export(client, org, year)))
    first, second = _check_ins(chain)
    workbook["Avstämningar"].cell(row=_rows(workbook)[second.pk], column=7, value="66,5")
    response = _import(client, org, year, _save(workbook))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.value == Decimal("66.5") and second.version == 2
    assert second.history.latest("history_date").history_user == people.rector
    assert CheckIn.objects.get(pk=first.pk).version == first.version


def test_a_check_in_deleted_since_the_export_is_refused_with_who_deleted_it(org, people, login, erik, chain, year):
    client = login(people.rector)
    content = _export(client, org, year)
    first, _second = _check_ins(chain)
    record_delete(record=first, user=erik)
    before = _state()
    errors = _errors(_import(client, org, year, content))
    assert len(errors) == 1 and errors[0][2].startswith(f"Erik Lund tog bort avstämning {first.pk} (Trygghet, ")
    assert _state() == before


def test_a_workbook_without_versions_adds_check_ins_but_changes_none(org, people, login, chain, year):
    """An export from before versions were written: its rows cannot tell what has changed since."""
    client = login(people.rector)
    workbook = load_workbook(io.BytesIO(_export(client, org, year)))
    sheet = workbook["Avstämningar"]
    sheet.delete_cols(10)
    sheet.append([None, chain["other"].pk, "", "", "", year.start, 12, None, ""])
    assert _import(client, org, year, _save(workbook)).status_code == 302  # unchanged rows and a new one
    assert CheckIn.objects.filter(indicator=chain["other"], value=12).exists()

    first, _second = _check_ins(chain)
    sheet.cell(row=_rows(workbook)[first.pk], column=7, value=99)
    errors = _errors(_import(client, org, year, _save(workbook)))
    assert [e[:2] for e in errors] == [(_rows(workbook)[first.pk], "A")]
    assert "inte vilken version" in errors[0][2]
    first.refresh_from_db()
    assert first.value == Decimal("62") and CheckIn.objects.filter(indicator=chain["other"], value=12).count() == 1


def test_a_version_that_is_not_a_number_is_refused_in_its_column(org, people, login, chain, year):
    client = login(people.rector)
    workbook = load_workbook(io.BytesIO(_export(client, org, year)))
    first, _second = _check_ins(chain)
    workbook["Avstämningar"].cell(row=_rows(workbook)[first.pk], column=10, value="senaste")
    workbook["Avstämningar"].cell(row=_rows(workbook)[first.pk], column=7, value=99)
    errors = _errors(_import(client, org, year, _save(workbook)))
    assert [e[:2] for e in errors] == [(_rows(workbook)[first.pk], "J")]
    assert CheckIn.objects.get(pk=first.pk).value == Decimal("62")


def test_a_check_in_kept_by_kolada_cannot_be_changed_by_a_row(org, people, login, chain, year):
    indicator = chain["indicator"]
    KoladaSource.objects.create(indicator=indicator, kpi_id="N15505", kpi_title="Meritvärde", level="ou",
                                municipality_id="1299", ou_id="V15E129900001", ou_title="Österportskolan")
    first, _second = _check_ins(chain)
    CheckIn.objects.filter(pk=first.pk).update(origin=CheckIn.Origin.KOLADA, fetched_at=timezone.now())
    client = login(people.rector)
    workbook = load_workbook(io.BytesIO(_export(client, org, year)))
    assert _import(client, org, year, _save(workbook)).status_code == 302  # exported as it is: nothing to change

    workbook["Avstämningar"].cell(row=_rows(workbook)[first.pk], column=7, value=70)
    errors = _errors(_import(client, org, year, _save(workbook)))
    assert len(errors) == 1 and "hämtas från Kolada" in errors[0][2]
    assert CheckIn.objects.get(pk=first.pk).value == Decimal("62")


def test_a_change_saved_while_the_file_is_read_is_refused_too(org, people, erik, chain, year, monkeypatch):
    """Someone saves between the check of the file and the writing of it: nothing is written."""
    first, second = _check_ins(chain)
    from ska.excel.export import chain_workbook
    from ska.models import Goal

    workbook = load_workbook(io.BytesIO(chain_workbook(Goal.objects.filter(pk=chain["goal"].pk))))
    rows = _rows(workbook)
    workbook["Avstämningar"].cell(row=rows[first.pk], column=7, value=70)
    workbook["Avstämningar"].cell(row=rows[second.pk], column=7, value=71)
    checked = check_in_import._match_existing

    def then_someone_saves(parsed, result):
        checked(parsed, result)
        record_update(record=second, version=second.version, values={"comment": "samtidigt"}, user=erik)

    monkeypatch.setattr(check_in_import, "_match_existing", then_someone_saves)
    result = check_in_import.check_ins_import(data=_save(workbook), indicators=[chain["indicator"]], user=people.rector)
    assert [(e.row, e.column) for e in result.errors] == [(rows[second.pk], "A")] and "Erik Lund" in result.errors[0].message
    assert result.updated == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.value == Decimal("62") and first.version == 1  # written before the conflict, and rolled back
    assert second.value == Decimal("64.25") and second.comment == "samtidigt"


def test_someone_without_a_name_is_someone_else(org, people, login, chain, year):
    client = login(people.rector)
    content = _export(client, org, year)
    first, _second = _check_ins(chain)
    record_update(record=first, version=first.version, values={"value": Decimal("1")}, user=None)
    errors = _errors(_import(client, org, year, content))
    assert errors[0][2].startswith(f"Någon annan ändrade avstämning {first.pk}")
