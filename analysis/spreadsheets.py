"""Tables for spreadsheets: CSV text and XLSX workbooks in which no cell can become a formula.

A transcript, a code label or an attribute value may begin with ``=`` (or ``+ - @``): a spreadsheet
that opens the file would run it as a formula (``=HYPERLINK(…)`` sends data away). In CSV, a text cell
(and a header) that begins with ``= + - @``, a tab or a carriage return (or their full-width forms) gets
a leading ``'`` as OWASP recommends ("CSV injection"); numbers, and text that is only a number such as
``-2``, stay as they are. In XLSX every text cell is stored as a string, never as a formula, so the
text is kept exactly. Not for files Sitthi reads back (codings, the reviewer's key): they round-trip.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.files import atomic_target, write_atomic

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
SHEET_NAME_MAX = 31


def neutralise(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column names and index labels are neutralised for CSV."""
    safe = frame.copy()
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_bool_dtype(safe[column])):
            safe[column] = safe[column].map(neutralise)
    safe.columns = _safe_labels(safe.columns)
    safe.index = _safe_labels(safe.index)
    return safe


def _safe_labels(labels: pd.Index) -> pd.Index:
    if isinstance(labels, pd.MultiIndex):
        return pd.MultiIndex.from_tuples([tuple(neutralise(part) for part in label) for label in labels],
                                         names=labels.names)
    if pd.api.types.is_numeric_dtype(labels):
        return labels
    return pd.Index([neutralise(label) for label in labels], name=labels.name)


def csv_text(frame: pd.DataFrame, *, index: bool = False) -> str:
    """``frame`` as CSV text that is safe to open in a spreadsheet.

    Rows end in ``\\r\\n`` as RFC 4180 has it: then a cell holding a bare carriage return is quoted
    too (with ``\\n`` endings it would not be, and a reader would split the row there).
    """
    return safe_frame(frame).to_csv(index=index, lineterminator="\r\n")


def write_csv(path: str | Path, frame: pd.DataFrame, *, index: bool = False) -> Path:
    """Write ``frame`` to ``path`` atomically as safe CSV (``csv_text``); return ``path``."""
    return write_atomic(path, csv_text(frame, index=index))


def write_user_workbook(path: str | Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """``write_workbook`` to a path a person gave: refused in one line unless it ends in .xlsx and its
    folder exists."""
    from analysis.errors import SitthiError

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise SitthiError("the table is written as an Excel workbook", path=path,
                          fix="give a file name ending in .xlsx")
    if not path.parent.is_dir():
        raise SitthiError("no such folder", path=path.parent, fix="create the folder or choose another")
    return write_workbook(path, sheets)


def write_workbook(path: str | Path, sheets: dict[str, pd.DataFrame], *, index: bool = False) -> Path:
    """Write each frame as a sheet of the XLSX workbook ``path`` atomically; return ``path``.

    Sheet names are cut to Excel's 31 characters. Every cell that openpyxl would store as a formula
    (text beginning with ``=``) is stored as the string it is; numbers stay numbers.
    """
    path = Path(path)
    with atomic_target(path) as temporary, pd.ExcelWriter(temporary, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:SHEET_NAME_MAX], index=index)
        for sheet in writer.book.worksheets:
            _strings_only(sheet)
    return path


def _strings_only(sheet) -> None:
    """Store every formula cell of an openpyxl worksheet as a string."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
