"""One openpyxl write-only writer for every export: real number and date cells, Swedish
headers, readable column widths, and text that can never become a formula."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .safe_cells import looks_like_formula


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: Iterable[list]
    widths: list[int] | None = None


def _cell(sheet, value, *, bold=False):
    if isinstance(value, Decimal):
        value = float(value)  # a real number cell; two decimals are all the chain stores
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Always a string cell, and marked so that Excel keeps it text when someone edits it.
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_workbook(sheets: list[Sheet]) -> bytes:
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(title=spec.title[:31])
        widths = spec.widths or [max(12, min(60, len(h) + 4)) for h in spec.headers]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([_cell(sheet, header, bold=True) for header in spec.headers])
        for row in spec.rows:
            sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
