"""A coding as a row: the ``Coding`` record, its CSV columns, reading and writing rows, ids.

A codings file is ``CODING_COLUMNS`` (UTF-8, LF, sorted, one row per line, so git merges are clean).
Offsets are ``str`` indices into the transcript body; empty ``start,end`` means the whole segment.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analysis.errors import SitthiError

CODING_COLUMNS = ["transcript_id", "segment_id", "start", "end", "code_id", "coder_id", "text_sha8",
                  "quote", "coded_at", "memo"]
CODER_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class CodingError(SitthiError):
    """A codings file or a coding action is wrong."""


@dataclass(frozen=True)
class Coding:
    """One code applied by one coder to one segment (or to ``[start, end)`` inside it)."""

    transcript_id: str
    segment_id: str
    start: int | None
    end: int | None
    code_id: str
    coder_id: str
    text_sha8: str
    quote: str
    coded_at: str
    memo: str = ""

    @property
    def key(self) -> tuple:
        """What makes a coding unique for its coder: segment, span and code."""
        return (self.segment_id, self.start, self.end, self.code_id)

    @property
    def order(self) -> tuple:
        """File order: by segment, whole-segment codings before phrases, then span and code."""
        return (self.segment_id, -1 if self.start is None else self.start,
                -1 if self.end is None else self.end, self.code_id)

    def row(self) -> list[str]:
        return ["" if v is None else str(v) for v in (
            self.transcript_id, self.segment_id, self.start, self.end, self.code_id, self.coder_id,
            self.text_sha8, self.quote, self.coded_at, self.memo)]


def now() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def check_coder(coder: str) -> str:
    """A coder id: lower-case letters, digits, '-' or '_' (it names a folder)."""
    if not isinstance(coder, str) or not CODER_RE.fullmatch(coder):
        raise CodingError(f"coder name {coder!r} is not allowed",
                          fix="use lower-case letters and digits, e.g. 'nok' or 'rl-07'")
    return coder


def check_transcript_id(transcript_id: str) -> str:
    """A transcript id as the corpus allows it; it names a file, so it never holds a folder or ``..``."""
    from analysis.text.corpus import ID_RE  # the corpus's pattern: letters, digits, '.', '-', '_'

    if not isinstance(transcript_id, str) or not ID_RE.fullmatch(transcript_id) or ".." in transcript_id:
        raise CodingError(f"transcript id {transcript_id!r} is not a plain id",
                          fix="use a transcript's id, e.g. 'CM-07' (letters, digits, '.', '-', '_')")
    return transcript_id


def parse_codings(text: str, path: Path) -> tuple[list[Coding], list[CodingError]]:
    """Codings of a CSV file's text; bad rows become errors naming ``file:row`` (others still load)."""
    rows, problems = parse_rows(text, path)
    return [coding for _, coding in rows], problems


def parse_rows(text: str, path: Path) -> tuple[list[tuple[int, Coding]], list[CodingError]]:
    """Like ``parse_codings``, each coding with the file line its row starts on."""
    return parse_csv_rows(text, path, CODING_COLUMNS, _coding, "codings")


def parse_csv_rows(text: str, path: Path, columns: list[str], parse,
                   what: str) -> tuple[list, list[CodingError]]:
    """``(line, parse(fields))`` of each row of a CSV text with the header ``columns``; a bad row is an
    error naming ``file:line`` (the other rows still load). ``what`` names the header in messages."""
    rows, problems = [], []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], []
    if header != columns:
        return [], [CodingError(f"the header row is not the {what} header", path=path, line=1,
                                fix=f"the first line must be: {','.join(columns)}")]
    line = reader.line_num + 1
    for fields in reader:
        number, line = line, reader.line_num + 1
        if not fields:
            continue
        try:
            rows.append((number, parse(fields)))
        except ValueError as err:
            problems.append(CodingError(f"bad row: {err}", path=path, line=number,
                                        fix="fix or delete this row; the other rows are still used"))
    return rows, problems


def _coding(fields: list[str]) -> Coding:
    if len(fields) != len(CODING_COLUMNS):
        raise ValueError(f"{len(fields)} fields instead of {len(CODING_COLUMNS)}")
    values = dict(zip(CODING_COLUMNS, fields, strict=True))
    start, end = values["start"], values["end"]
    if (start == "") != (end == ""):
        raise ValueError("start and end must both be given or both be empty")
    span = (int(start), int(end)) if start else (None, None)
    if span[0] is not None and not 0 <= span[0] < span[1]:
        raise ValueError(f"start {span[0]} and end {span[1]} do not make a span")
    for name in ("transcript_id", "segment_id", "code_id", "coder_id"):
        if not values[name]:
            raise ValueError(f"{name} is empty")
    return Coding(values["transcript_id"], values["segment_id"], span[0], span[1], values["code_id"],
                  values["coder_id"], values["text_sha8"], values["quote"], values["coded_at"],
                  values["memo"])


def coding_from_row(row) -> Coding:
    """The coding of a log entry's ``row``: exactly the coding fields, with valid values (else ValueError)."""
    if not isinstance(row, dict) or sorted(row) != sorted(CODING_COLUMNS):
        raise ValueError(f"its row must have exactly the fields {', '.join(CODING_COLUMNS)}")
    for name in CODING_COLUMNS:
        value = row[name]
        if name in ("start", "end"):
            right = value is None or (isinstance(value, int) and not isinstance(value, bool))
        else:
            right = isinstance(value, str)
        if not right:
            raise ValueError(f"'{name}' in its row is {value!r}")
    return _coding(["" if row[name] is None else str(row[name]) for name in CODING_COLUMNS])


def read_rows(path: Path) -> tuple[list[tuple[int, Coding]], list[CodingError]]:
    """The rows of a codings file with their lines (none when there is no file), and its bad rows."""
    if not path.is_file():
        return [], []
    return parse_rows(path.read_text(encoding="utf-8"), path)


def format_codings(codings: list[Coding]) -> str:
    """CSV text: header, then rows sorted by segment, span and code (stable for git)."""
    return format_csv_rows(CODING_COLUMNS, codings)


def format_csv_rows(columns: list[str], items) -> str:
    """CSV text of ``items`` (each with ``.order`` and ``.row()``): header, then rows in order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for item in sorted(items, key=lambda i: i.order):
        writer.writerow(item.row())
    return buffer.getvalue()


def new_coding(transcript, segment, code_id: str, coder: str, *, start: int | None = None,
               end: int | None = None, memo: str = "") -> Coding:
    """A coding of ``segment`` (or of ``[start, end)`` inside it) with its quote and text hash."""
    if start is not None and not (segment.start <= start < end <= segment.end):
        raise CodingError(f"the span {start}-{end} is not inside segment {segment.segment_id}",
                          fix="choose a phrase that is part of this segment")
    quote = transcript.body[start:end] if start is not None else segment.text
    return Coding(transcript.id, segment.segment_id, start, end, code_id, check_coder(coder),
                  transcript.text_sha8, quote, now(), memo)
