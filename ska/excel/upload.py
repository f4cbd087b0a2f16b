"""Reading an uploaded .xlsx safely: checked whole before openpyxl sees it.

An .xlsx is a zip of XML files. Before opening it we check the name and size, that it is a
zip with a workbook in it, and that it does not unpack to far more than it weighs (a zip
bomb). openpyxl must parse the XML with defusedxml (no entities, no external references, no DTD
tricks) and not with lxml: this module refuses to load otherwise, so the app refuses to serve.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_UNPACKED = 50 * 1024 * 1024  # bytes, all members together
MAX_RATIO = 100  # how many times larger than the file the contents may unpack to
MAX_MEMBERS = 200


def check_xml_parser() -> None:
    """openpyxl picks its XML parser when imported: defusedxml if installed, lxml if installed (and
    then not defused). Both are steered by environment variables, so check what it chose."""
    if not openpyxl.DEFUSEDXML or openpyxl.LXML:
        raise ImproperlyConfigured(
            "openpyxl must parse with defusedxml and not with lxml (install defusedxml, uninstall lxml, "
            "and leave OPENPYXL_DEFUSEDXML and OPENPYXL_LXML unset): uploaded workbooks are not safe otherwise."
        )


check_xml_parser()


class UploadRejected(Exception):
    pass


def read_upload(upload) -> bytes:
    """The file's bytes, or UploadRejected with a message in Swedish."""
    name = (upload.name or "").lower()
    if not name.endswith(".xlsx"):
        raise UploadRejected(_("The file must be an Excel workbook (.xlsx)."))
    if upload.size > settings.SKA_MAX_UPLOAD_BYTES:
        raise UploadRejected(_("The file is too large: at most %(size)s.") % {"size": filesizeformat(settings.SKA_MAX_UPLOAD_BYTES)})
    data = upload.read()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadRejected(_("The file is not a valid Excel workbook (.xlsx); it may be damaged."))
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UploadRejected(_("The file has an unexpected structure and was not read."))
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(len(data), 1):
        raise UploadRejected(_("The file unpacks to far more than its size and was not read."))
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise UploadRejected(_("The file is not a valid Excel workbook (.xlsx); it may be damaged."))
    _check_real_sizes(archive, limit=min(MAX_UNPACKED, MAX_RATIO * max(len(data), 1)))
    return data


def _check_real_sizes(archive: zipfile.ZipFile, *, limit: int) -> None:
    """The sizes in a zip's directory can lie: unpack every member, counting, and stop at the
    limit. This also checks each member's checksum."""
    total = 0
    try:
        for member in archive.infolist():
            with archive.open(member) as stream:
                while chunk := stream.read(64 * 1024):
                    total += len(chunk)
                    if total > limit:
                        raise UploadRejected(_("The file unpacks to far more than its size and was not read."))
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        raise UploadRejected(_("The file is not a valid Excel workbook (.xlsx); it may be damaged."))
