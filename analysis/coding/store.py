"""The coding store: one CSV per coder per transcript, an append-only audit log per coder.

Layout (see design §3): ``data/codings/<coder>/<transcript_id>.csv`` with the columns
``CODING_COLUMNS`` (UTF-8, LF, sorted, one row per line, so git merges are clean and coders
never share a file) and ``data/codings/<coder>/log.jsonl`` (one JSON line per add / remove /
edit / undo, with who, when and the row). Offsets are ``str`` indices into the transcript body;
empty ``start,end`` means the whole segment.

Every change takes the coder's lock, reads the file, changes it, writes it atomically (temporary
file, fsync, rename) and appends to the log, so two kernels of one coder never lose an update
and a crash leaves either the old or the new file, never a partial one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from analysis.errors import SitthiError
from analysis.study import Study

CODING_COLUMNS = ["transcript_id", "segment_id", "start", "end", "code_id", "coder_id", "text_sha8",
                  "quote", "coded_at", "memo"]
CODER_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
LOG_NAME = "log.jsonl"


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
    if not CODER_RE.match(coder or ""):
        raise CodingError(f"coder name {coder!r} is not allowed",
                          fix="use lower-case letters and digits, e.g. 'nok' or 'rl-07'")
    return coder


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


def format_codings(codings: list[Coding]) -> str:
    """CSV text: header, then rows sorted by segment, span and code (stable for git)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CODING_COLUMNS)
    for coding in sorted(codings, key=lambda c: c.order):
        writer.writerow(coding.row())
    return buffer.getvalue()


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: temporary file, fsync, rename, fsync of the folder."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    try:
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:  # some systems cannot open folders; the rename itself is still atomic
        return
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


@contextmanager
def coder_lock(folder: Path, *, timeout: float = 30.0) -> Iterator[None]:
    """Hold the coder's lock (``.lock`` in their folder) for the duration of the block."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / ".lock", "a+")
    try:
        try:
            import fcntl
        except ImportError:  # Windows: msvcrt locks the first byte instead
            import msvcrt

            deadline = time.monotonic() + timeout
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise CodingError("the codings are locked by another program", path=folder,
                                          fix="close other notebooks of this coder and try again") from None
                    time.sleep(0.05)
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # closing releases the lock


# ----------------------------------------------------------------------------- the store

class CodingStore:
    """Read and change the codings of a study."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.root = study.codings_dir

    def folder(self, coder: str) -> Path:
        return self.root / check_coder(coder)

    def path(self, coder: str, transcript_id: str) -> Path:
        return self.folder(coder) / f"{transcript_id}.csv"

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
        path = self.path(coder, transcript_id)
        if not path.is_file():
            return [], []
        return parse_rows(path.read_text(encoding="utf-8"), path)

    def read(self, coder: str, transcript_id: str) -> list[Coding]:
        """A coder's codings of one transcript (rows that cannot be read are left out)."""
        return self.load(coder, transcript_id)[0]

    def codings_of(self, coder: str) -> list[Coding]:
        """All of a coder's codings, transcript by transcript."""
        return [c for path in sorted(self.folder(coder).glob("*.csv"))
                for c in self.read(coder, path.stem)]

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

    @staticmethod
    def _append_log(folder: Path, entries: list[dict]) -> None:
        with open(folder / LOG_NAME, "a", encoding="utf-8", newline="\n") as handle:
            handle.write("".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries))
            handle.flush()
            os.fsync(handle.fileno())

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
        """The coder's audit log, oldest first (a half-written last line is ignored)."""
        path = self.folder(coder) / LOG_NAME
        if not path.is_file():
            return []
        entries = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
        return entries

    def undo(self, coder: str) -> dict:
        """Undo the coder's last action that is not undone yet; return the log entry undone."""
        stack: list[dict] = []
        for entry in self.log(coder):  # replay: an undo takes back the latest action still standing
            if entry["action"] != "undo":
                stack.append(entry)
            elif stack:
                stack.pop()
        if not stack:
            raise CodingError(f"nothing to undo for {coder}", path=self.folder(coder) / LOG_NAME,
                              fix="there is no earlier action in this coder's log")
        target = stack[-1]
        row = Coding(**target["row"])

        def change(codings: list[Coding]):
            if target["action"] == "add":
                kept = [c for c in codings if c.key != row.key]
            elif target["action"] == "remove":
                kept = codings if any(c.key == row.key for c in codings) else [*codings, row]
            else:
                old = Coding(**target["old"])
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
