"""The coding store: one CSV per coder per transcript, an append-only audit log per coder.

Layout (see design §3): ``data/codings/<coder>/<transcript_id>.csv`` with the columns
``CODING_COLUMNS`` (UTF-8, LF, sorted, one row per line, so git merges are clean and coders
never share a file) and ``data/codings/<coder>/log.jsonl`` (one JSON line per add / remove /
edit / undo, with who, when and the row). Offsets are ``str`` indices into the transcript body;
empty ``start,end`` means the whole segment.

Every change takes the coder's lock, reads the file, changes it, writes it atomically (temporary
file, fsync, rename) and appends to the log, so two kernels of one coder never lose an update
and a crash leaves either the old or the new file, never a partial one.

The audit log is data, not instructions. Undo first checks every entry: a known action, a row
with exactly the coding fields and valid values, the log's own coder, and a transcript id that is
plain (the corpus's id pattern: no folders, no ``..``) and known (a transcript file of the study
or this coder's codings file for it). A malformed line is an error naming ``log.jsonl:LINE``; only
a last line cut short by a crash is ignored (and cut off before the next append). Symbolic links
(a coder's folder, a codings file, the log) are refused for writing and undo, and every path must
resolve inside the coder's folder.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from analysis.errors import SitthiError
from analysis.files import hold_lock, write_atomic
from analysis.study import Study

CODING_COLUMNS = ["transcript_id", "segment_id", "start", "end", "code_id", "coder_id", "text_sha8",
                  "quote", "coded_at", "memo"]
CODER_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
LOG_NAME = "log.jsonl"
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)  # opening the log never follows a link (not on Windows)


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


# ----------------------------------------------------------------------------- files

def parse_codings(text: str, path: Path) -> tuple[list[Coding], list[CodingError]]:
    """Codings of a CSV file's text; bad rows become errors naming ``file:row`` (others still load)."""
    rows, problems = parse_rows(text, path)
    return [coding for _, coding in rows], problems


def parse_rows(text: str, path: Path) -> tuple[list[tuple[int, Coding]], list[CodingError]]:
    """Like ``parse_codings``, each coding with the file line its row starts on."""
    rows, problems = [], []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], []
    if header != CODING_COLUMNS:
        return [], [CodingError("the header row is not the codings header", path=path, line=1,
                                fix=f"the first line must be: {','.join(CODING_COLUMNS)}")]
    line = reader.line_num + 1
    for fields in reader:
        number, line = line, reader.line_num + 1
        if not fields:
            continue
        try:
            rows.append((number, _coding(fields)))
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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CODING_COLUMNS)
    for coding in sorted(codings, key=lambda c: c.order):
        writer.writerow(coding.row())
    return buffer.getvalue()


def coder_lock(folder: Path, *, timeout: float = 30.0):
    """Hold the coder's lock (``.lock`` in their folder) while their codings change."""
    return hold_lock(folder / ".lock", timeout=timeout, what=f"{folder.name}'s codings folder")


# ----------------------------------------------------------------------------- the audit log

ACTIONS = ("add", "remove", "edit")
LOG_FIX = ("this line is not as Sitthi wrote it: restore log.jsonl from git or a backup, or delete the "
           "line (its action can then not be undone)")


def read_log(path: Path) -> list[tuple[int, object]]:
    """The JSON value of each line of an audit log, with its line number.

    A last line without a newline that is not JSON was cut short by a crash and is ignored; any other
    line that is not JSON is a ``CodingError`` naming ``log.jsonl:LINE``.
    """
    if not path.is_file():
        return []
    lines = path.read_bytes().split(b"\n")
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entries.append((number, json.loads(line.decode("utf-8"))))
        except ValueError:  # also a line that is not UTF-8
            if number == len(lines):
                continue
            raise CodingError("this line of the audit log is not JSON", path=path, line=number,
                              fix=LOG_FIX) from None
    return entries


def check_entry(entry, coder: str) -> None:
    """Raise ``ValueError`` unless ``entry`` is a log entry as Sitthi writes it for ``coder``: a known
    action, this coder, a plain transcript id, and rows of this coder and transcript."""
    if not isinstance(entry, dict):
        raise ValueError("it is not a JSON object")
    action = entry.get("action")
    if action not in (*ACTIONS, "undo"):
        raise ValueError(f"unknown action {action!r}")
    if entry.get("coder") != coder:
        raise ValueError(f"coder {entry.get('coder')!r} is not this log's coder '{coder}'")
    if not isinstance(entry.get("at"), str):
        raise ValueError("it has no time ('at')")
    try:
        transcript_id = check_transcript_id(entry.get("transcript_id"))
    except CodingError as err:
        raise ValueError(err.what) from None
    if action == "undo" and entry.get("undoes") not in ACTIONS:
        raise ValueError(f"it undoes an unknown action {entry.get('undoes')!r}")
    for name in ("row", "old") if action == "edit" else ("row",):
        coding = coding_from_row(entry.get(name))
        if (coding.transcript_id, coding.coder_id) != (transcript_id, coder):
            raise ValueError(f"its {name} is about transcript '{coding.transcript_id}' by "
                             f"'{coding.coder_id}', not '{transcript_id}' by '{coder}'")


def _end_last_line(descriptor: int) -> None:
    """Let a log end with a newline: a complete last line gets one, a line cut short by a crash is cut off."""
    end = os.lseek(descriptor, 0, os.SEEK_END)
    tail = b""
    while end > 0 and b"\n" not in tail:
        start = max(0, end - 4096)
        os.lseek(descriptor, start, os.SEEK_SET)
        tail = os.read(descriptor, end - start) + tail
        end = start
    cut = tail.rfind(b"\n") + 1
    if not tail[cut:]:
        return
    try:
        json.loads(tail[cut:].decode("utf-8"))
    except ValueError:
        os.ftruncate(descriptor, end + cut)
    else:
        os.write(descriptor, b"\n")


def _refuse_links(*paths: Path) -> None:
    """A ``CodingError`` for the first of ``paths`` that is a symbolic link."""
    for path in paths:
        if path.is_symlink():
            raise CodingError("refused: this is a symbolic link, and Sitthi never follows one here",
                              path=path, fix="replace the link with the real file or folder")


# ----------------------------------------------------------------------------- the store

class CodingStore:
    """Read and change the codings of a study."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.root = study.codings_dir

    def folder(self, coder: str) -> Path:
        return self.root / check_coder(coder)

    def path(self, coder: str, transcript_id: str) -> Path:
        """The codings file of a coder and a transcript (a plain id: see ``check_transcript_id``)."""
        return self.folder(coder) / f"{check_transcript_id(transcript_id)}.csv"

    def coders(self) -> list[str]:
        """Coders with a folder of codings, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and CODER_RE.match(p.name))

    def load(self, coder: str, transcript_id: str) -> tuple[list[Coding], list[CodingError]]:
        """A coder's codings of one transcript, and the problems of rows that could not be read."""
        rows, problems = self.load_rows(coder, transcript_id)
        return [coding for _, coding in rows], problems

    def load_rows(self, coder: str, transcript_id: str) -> tuple[list[tuple[int, Coding]], list[CodingError]]:
        """Like ``load``, each coding with its line in the file."""
        return read_rows(self.path(coder, transcript_id))

    def read(self, coder: str, transcript_id: str) -> list[Coding]:
        """A coder's codings of one transcript (rows that cannot be read are left out)."""
        return self.load(coder, transcript_id)[0]

    def codings_of(self, coder: str) -> list[Coding]:
        """All of a coder's codings, transcript by transcript."""
        return [c for path in sorted(self.folder(coder).glob("*.csv")) for _, c in read_rows(path)[0]]

    def coverage(self) -> dict[str, set[str]]:
        """Per coder, the transcripts they have a codings file for (coded, even if nothing applied)."""
        covered: dict[str, set[str]] = {}
        for coder, transcript_id, _ in self.files():
            covered.setdefault(coder, set()).add(transcript_id)
        return covered

    def files(self) -> Iterator[tuple[str, str, Path]]:
        """``(coder, transcript_id, path)`` of every codings file."""
        for coder in self.coders():
            for path in sorted(self.folder(coder).glob("*.csv")):
                yield coder, path.stem, path

    # -- changes ------------------------------------------------------------------------

    def _change(self, coder: str, transcript_id: str, action: str, change) -> list[dict]:
        """Apply ``change(codings) -> (codings, log entries)`` under the coder's lock; no entry, no write."""
        self.safe_path(coder, transcript_id)  # before the lock, which would create files in the folder
        folder = self.folder(coder)
        with coder_lock(folder):
            path = self.path(coder, transcript_id)
            codings, problems = self.load(coder, transcript_id)
            if problems:
                raise CodingError(f"cannot save: {problems[0].what} ({problems[0].where})", path=path,
                                  fix="fix the bad row by hand first, so that no row is lost")
            codings, entries = change(codings)
            if not entries:
                return []
            write_atomic(path, format_codings(codings))
            at = now()
            entries = [{"action": action, "coder": coder, "at": at, "transcript_id": transcript_id, **entry}
                       for entry in entries]
            self._append_log(folder, entries)
            return entries

    def safe_path(self, coder: str, transcript_id: str) -> Path:
        """The codings file to change or undo; refused when the coder's folder, the file or the log is a
        symbolic link, or when the file would not resolve inside the coder's folder."""
        path = self.path(coder, transcript_id)
        _refuse_links(path.parent, path, path.parent / LOG_NAME)
        if path.resolve() != self.root.resolve() / coder / path.name:
            raise CodingError("refused: the codings file is not inside its coder's folder", path=path,
                              fix=f"keep each coder's codings in {self.root}/<coder>/")
        return path

    @staticmethod
    def _append_log(folder: Path, entries: list[dict]) -> None:
        """Append entries, fsynced, never through a link (a line a crash cut short is cut off first)."""
        flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | _NO_FOLLOW | getattr(os, "O_BINARY", 0)
        descriptor = os.open(folder / LOG_NAME, flags, 0o644)
        try:
            _end_last_line(descriptor)
            data = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries).encode("utf-8")
            while data:
                data = data[os.write(descriptor, data):]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def add(self, coding: Coding) -> bool:
        """Save a coding (no change if the coder already has it); return whether it was added."""
        return bool(self.add_many([coding]))

    def add_many(self, codings: Iterable[Coding]) -> list[Coding]:
        """Save codings with one write per coder and transcript (one log line each, so each can be
        undone); return those that were new."""
        groups: dict[tuple[str, str], list[Coding]] = {}
        for coding in codings:
            groups.setdefault((coding.coder_id, coding.transcript_id), []).append(coding)
        added: list[Coding] = []
        for (coder, transcript_id), batch in groups.items():
            def change(existing: list[Coding], batch=batch):
                seen, new = {c.key for c in existing}, []
                for coding in batch:
                    if coding.key not in seen:
                        seen.add(coding.key)
                        new.append(coding)
                return [*existing, *new], [{"row": asdict(c)} for c in new]

            added += [Coding(**e["row"]) for e in self._change(coder, transcript_id, "add", change)]
        return added

    def remove(self, coder: str, transcript_id: str, key: tuple) -> bool:
        """Delete the coder's coding with this key; return whether one was removed."""
        def change(codings: list[Coding]):
            gone = [c for c in codings if c.key == key]
            if not gone:
                return codings, []
            return [c for c in codings if c.key != key], [{"row": asdict(gone[0])}]

        return bool(self._change(coder, transcript_id, "remove", change))

    def edit(self, coder: str, transcript_id: str, key: tuple, **fields) -> bool:
        """Change fields (e.g. ``memo``) of one coding; return whether it changed."""
        def change(codings: list[Coding]):
            for i, coding in enumerate(codings):
                if coding.key == key:
                    new = replace(coding, **fields)
                    if new == coding:
                        return codings, []
                    entry = {"row": asdict(new), "old": asdict(coding)}
                    return [*codings[:i], new, *codings[i + 1:]], [entry]
            return codings, []

        return bool(self._change(coder, transcript_id, "edit", change))

    def log(self, coder: str) -> list[dict]:
        """The coder's audit log, oldest first, every entry checked (see ``check_entry``)."""
        return [entry for _, entry in self._checked_log(coder)]

    def _checked_log(self, coder: str, *, known: bool = False) -> list[tuple[int, dict]]:
        """The log's entries with their lines; with ``known``, each names a known transcript too."""
        path = self.folder(coder) / LOG_NAME
        _refuse_links(path.parent, path)
        entries, found = [], {}
        for number, entry in read_log(path):
            try:
                check_entry(entry, coder)
                transcript_id = entry["transcript_id"]
                if known and transcript_id not in found:
                    found[transcript_id] = self._known(coder, transcript_id)
                if known and not found[transcript_id]:
                    raise ValueError(f"transcript '{transcript_id}' is neither a transcript of the study "
                                     f"nor in {coder}'s codings")
            except ValueError as err:
                raise CodingError(f"bad log entry: {err}", path=path, line=number, fix=LOG_FIX) from None
            entries.append((number, entry))
        return entries

    def _known(self, coder: str, transcript_id: str) -> bool:
        """Whether a transcript file of the study has this id, or the coder has a codings file for it."""
        from analysis.text.corpus import SUFFIXES

        return self.path(coder, transcript_id).is_file() or any(
            (self.study.transcripts_dir / f"{transcript_id}{suffix}").is_file() for suffix in SUFFIXES)

    def undo(self, coder: str) -> dict:
        """Undo the coder's last action that is not undone yet; return the log entry undone.

        Every entry of the log is checked before anything is written (see the module docstring).
        """
        stack: list[dict] = []  # replay: an undo takes back the latest action still standing
        for _, entry in self._checked_log(coder, known=True):
            if entry["action"] != "undo":
                stack.append(entry)
            elif stack:
                stack.pop()
        if not stack:
            raise CodingError(f"nothing to undo for {coder}", path=self.folder(coder) / LOG_NAME,
                              fix="there is no earlier action in this coder's log")
        target = stack[-1]
        row = coding_from_row(target["row"])

        def change(codings: list[Coding]):
            if target["action"] == "add":
                kept = [c for c in codings if c.key != row.key]
            elif target["action"] == "remove":
                kept = codings if any(c.key == row.key for c in codings) else [*codings, row]
            else:
                old = coding_from_row(target["old"])
                kept = [old if c.key == row.key else c for c in codings]
            return kept, [{"undoes": target["action"], "row": target["row"]}]

        self._change(coder, target["transcript_id"], "undo", change)
        return target


def new_coding(transcript, segment, code_id: str, coder: str, *, start: int | None = None,
               end: int | None = None, memo: str = "") -> Coding:
    """A coding of ``segment`` (or of ``[start, end)`` inside it) with its quote and text hash."""
    if start is not None and not (segment.start <= start < end <= segment.end):
        raise CodingError(f"the span {start}-{end} is not inside segment {segment.segment_id}",
                          fix="choose a phrase that is part of this segment")
    quote = transcript.body[start:end] if start is not None else segment.text
    return Coding(transcript.id, segment.segment_id, start, end, code_id, check_coder(coder),
                  transcript.text_sha8, quote, now(), memo)
