"""Reading an attribute sheet (``.xlsx`` or ``.csv``) as text cells with the row numbers Excel shows.

CSV may be UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), separated by commas,
semicolons or tabs; the ``'`` that ``analysis.spreadsheets`` puts before formula-looking text is taken
off again. In a workbook, the sheet named ``attributes`` is read (else the first); numbers, dates and
booleans become the text a front matter would hold, and a cell holding a real formula is marked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import SitthiError
from analysis.spreadsheets import neutralise
from analysis.text.normalise import normalise

SHEET_NAME = "attributes"
SUFFIXES = (".xlsx", ".csv")
CSV_HELP = "in Excel: File > Save As > 'CSV UTF-8 (Comma delimited)', or save it as .xlsx"


class Formula(str):
    """The text of a cell that holds a spreadsheet formula (not a value)."""


class SheetProblem(SitthiError):
    """A problem in one row of a sheet, shown as ``sheet, row N: what — what to do``."""

    @property
    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}, row {self.line}" if self.line else str(self.path)


@dataclass(frozen=True)
class Sheet:
    """A sheet's header (row 1) and its non-empty rows as ``(row number, cells)``; cells are text."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]


def check_suffix(path: Path) -> None:
    """Refuse a sheet file that is neither ``.xlsx`` nor ``.csv``."""
    if path.suffix.lower() not in SUFFIXES:
        raise SitthiError(f"'{path.suffix or path.name}' is not a sheet Sitthi reads or writes", path=path,
                          fix="use a file name ending in .xlsx or .csv")


def read_sheet(path: str | Path) -> Sheet:
    """Read an attribute sheet; cells are normalised text without outer spaces (raises ``SitthiError``)."""
    path = Path(path)
    check_suffix(path)
    if not path.is_file():
        raise SitthiError("no such file", path=path, fix="give the path of the sheet to import")
    records = _xlsx_records(path) if path.suffix.lower() == ".xlsx" else _csv_records(path)
    rows = [(number, [_clean(cell) for cell in cells]) for number, cells in records]
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows or rows[0][0] != 1:
        raise SitthiError("row 1 is not a header", path=path,
                          fix="put the column names in row 1: id, then the attributes (export a sheet with "
                              "`sitthi attributes export` to start from)")
    return Sheet(path=path, header=rows[0][1], rows=rows[1:])


def _clean(cell: str) -> str:
    cleaned = normalise(cell).strip()
    return Formula(cleaned) if isinstance(cell, Formula) else cleaned


def _csv_records(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SitthiError("the CSV file is not UTF-8 text", path=path, fix=CSV_HELP) from err
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as err:
        raise SitthiError(f"not a readable CSV file ({err})", path=path, fix=CSV_HELP) from None
    return [(number, [_unescape(cell) for cell in cells]) for number, cells in enumerate(records, 1)]


def _unescape(cell: str) -> str:
    """A cell without the ``'`` Sitthi's CSV puts before formula-looking text."""
    return cell[1:] if cell.startswith("'") and neutralise(cell[1:]) == cell else cell


def _xlsx_records(path: Path) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, data_only=False)
    except Exception as err:  # any failure to parse is a problem of the file, not of Sitthi
        raise SitthiError(f"not a readable Excel workbook ({type(err).__name__})", path=path,
                          fix="open it in Excel or LibreOffice and save it again as .xlsx") from None
    sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
    return [(row[0].row, [_xlsx_text(cell) for cell in row]) for row in sheet.iter_rows() if row]


def _xlsx_text(cell) -> str:
    """A workbook cell as the text a front matter would hold."""
    value = cell.value
    if cell.data_type == "f":
        return Formula(str(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
