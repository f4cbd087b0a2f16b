"""Uploaded workbooks cannot reach files on the server, exhaust its memory or fill its disk:
real attack files (XML external entities, billion laughs, a zip bomb, an oversized file) are
refused with a message beside the field, and nothing of them is imported or shown."""

import io
import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse

from ska.excel import upload
from ska.models import CheckIn
from ska.schoolyear import SchoolYear

from ..factories import CheckInFactory, IndicatorFactory, UnitGoalFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def year():
    return SchoolYear.current()


@pytest.fixture
def indicator(org, year):
    goal = UnitGoalFactory(unit=org.unit, school_year=year, start_term=year.autumn, end_term=year.spring)
    indicator = IndicatorFactory(goal=goal, title="Trygghet")
    CheckInFactory(indicator=indicator, date=year.start, comment="före")
    return indicator


def _template(client, org, year) -> dict[str, bytes]:
    """The members of the app's own check-in template, as a starting point for the attacks."""
    response = client.get(reverse("check_in_template", args=[org.unit.pk]), {"lasar": year.start_year})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_doctype(xml: bytes, doctype: bytes, entity: bytes) -> bytes:
    """The XML with a DOCTYPE and the first text replaced by a reference to the entity."""
    declaration = re.match(rb"<\?xml[^>]*\?>", xml)
    head, rest = (xml[: declaration.end()], xml[declaration.end():]) if declaration else (b"", xml)
    root = re.match(rb"\s*<([A-Za-z:]+)", rest).group(1)
    rest, replaced = re.subn(rb"(<t[^>]*>)[^<]*(</t>)", rb"\1" + entity + rb"\2", rest, count=1)
    assert replaced, "the sheet has no text to replace"
    return head + b"<!DOCTYPE " + root + b" [" + doctype + b"]>" + rest


def _import(client, org, year, content: bytes):
    url = reverse("check_in_import", args=[org.unit.pk]) + f"?lasar={year.start_year}"
    return client.post(url, {"file": SimpleUploadedFile("avstamningar.xlsx", content, content_type=XLSX)})


def _refused(response, message: str) -> str:
    body = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert 'id="id_file_error"' in body and message in body, body[-3000:]
    return body


def _sheet_name(members) -> str:
    return next(name for name in members if name.startswith("xl/worksheets/sheet"))


# --- The XML parser -------------------------------------------------------------------------
def test_openpyxl_parses_with_defusedxml_and_not_lxml():
    assert openpyxl.DEFUSEDXML and not openpyxl.LXML
    upload.check_xml_parser()  # and the check agrees


@pytest.mark.parametrize("flag, value", [("DEFUSEDXML", False), ("LXML", True)])
def test_the_app_refuses_to_run_with_an_unsafe_xml_parser(monkeypatch, flag, value):
    monkeypatch.setattr(openpyxl, flag, value)
    with pytest.raises(ImproperlyConfigured, match="defusedxml"):
        upload.check_xml_parser()


def test_importing_the_upload_module_fails_loudly_without_defusedxml():
    result = subprocess.run(
        [sys.executable, "-c", "import ska.excel.upload"],
        env={"OPENPYXL_DEFUSEDXML": "False", "DJANGO_SETTINGS_MODULE": "ska.settings", "PATH": ""},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr and "defusedxml" in result.stderr


# --- Attack files ---------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["sheet", "xl/workbook.xml"])
def test_an_external_entity_never_reads_a_local_file(org, people, login, year, indicator, tmp_path, target):
    secret = tmp_path / "hemlig.txt"
    secret.write_text("HEMLIGT-INNEHALL-4711")
    client = login(people.rector)
    members = _template(client, org, year)
    name = _sheet_name(members) if target == "sheet" else target
    if target == "sheet":
        members[name] = _with_doctype(members[name], b'<!ENTITY xxe SYSTEM "' + secret.as_uri().encode() + b'">', b"&xxe;")
    else:
        doctype = b'<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "' + secret.as_uri().encode() + b'">]>'
        xml = members[name].replace(b'name="', b'name="&xxe;', 1)
        declaration = re.match(rb"<\?xml[^>]*\?>", xml)
        at = declaration.end() if declaration else 0
        members[name] = xml[:at] + doctype + xml[at:]
    assert b"<!ENTITY xxe SYSTEM" in members[name]
    before = list(CheckIn.objects.values_list("pk", "value", "comment", "version"))

    body = _refused(_import(client, org, year, _zip(members)), "Filen är inte en giltig Excel-arbetsbok")
    assert "HEMLIGT-INNEHALL-4711" not in body
    assert list(CheckIn.objects.values_list("pk", "value", "comment", "version")) == before
    assert not CheckIn.objects.filter(comment__contains="HEMLIGT").exists()


def test_billion_laughs_is_refused_without_expanding(org, people, login, year, indicator):
    client = login(people.rector)
    members = _template(client, org, year)
    levels = [b'<!ENTITY lol0 "lol">'] + [
        b"<!ENTITY lol%d \"%s\">" % (i, b"".join(b"&lol%d;" % (i - 1) for _ in range(10))) for i in range(1, 10)
    ]
    name = _sheet_name(members)
    members[name] = _with_doctype(members[name], b"".join(levels), b"&lol9;")
    content = _zip(members)
    assert len(content) < 20_000  # a small file that would expand to a thousand million "lol"s
    _refused(_import(client, org, year, content), "Filen är inte en giltig Excel-arbetsbok")
    assert CheckIn.objects.count() == 1


def test_a_zip_bomb_is_refused_before_it_is_unpacked(org, people, login, year, indicator):
    client = login(people.rector)
    members = _template(client, org, year)
    members["xl/media/bomb.bin"] = b"\0" * (200 * 1024 * 1024)  # 200 MB of zeros, about 200 kB packed
    content = _zip(members)
    assert len(content) < 1024 * 1024
    _refused(_import(client, org, year, content), "Filen packas upp till mycket mer än sin storlek")
    assert CheckIn.objects.count() == 1


def test_a_zip_that_lies_about_its_sizes_is_refused(org, people, login, year, indicator):
    """The sizes in the zip's directory say 'small'; unpacking it proves otherwise."""
    client = login(people.rector)
    members = _template(client, org, year)
    members["xl/media/bomb.bin"] = b"\0" * (20 * 1024 * 1024)
    content = bytearray(_zip(members))
    archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    info = archive.getinfo("xl/media/bomb.bin")
    real = (20 * 1024 * 1024).to_bytes(4, "little")
    fake = (1000).to_bytes(4, "little")
    # Both the local header and the central directory give the uncompressed size.
    assert content.count(real) == 2
    content = bytearray(bytes(content).replace(real, fake))
    assert zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(info.filename).file_size == 1000
    _refused(_import(client, org, year, bytes(content)), "Filen är inte en giltig Excel-arbetsbok")
    assert CheckIn.objects.count() == 1


# --- Size --------------------------------------------------------------------------------------
class RecordingHandler(FileUploadHandler):
    """Stands where Django keeps the file: records how much of it was passed on."""

    kept: list[int] = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        RecordingHandler.kept.append(0)

    def receive_data_chunk(self, raw_data, start):
        RecordingHandler.kept[-1] += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def test_an_oversized_upload_is_not_kept_and_is_refused_beside_the_field(org, people, login, year, indicator, settings):
    settings.SKA_MAX_UPLOAD_BYTES = 64 * 1024
    settings.FILE_UPLOAD_HANDLERS = [
        "ska.upload_limit.SizeLimitUploadHandler",
        "tests.ska.test_upload_hardening.RecordingHandler",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    RecordingHandler.kept = []
    client = login(people.rector)
    response = _import(client, org, year, b"PK" + b"x" * (2 * 1024 * 1024))
    _refused(response, "Filen är för stor: högst 64,0\xa0kB.")
    # Nothing beyond the limit was passed on to the handlers that keep files.
    assert len(RecordingHandler.kept) == 1 and RecordingHandler.kept[0] <= 64 * 1024
    assert CheckIn.objects.count() == 1

    # A file within the limit is passed on whole (and here refused for what it is).
    RecordingHandler.kept = []
    response = _import(client, org, year, b"x" * (60 * 1024))
    _refused(response, "Filen är inte en giltig Excel-arbetsbok")
    assert RecordingHandler.kept == [60 * 1024]
