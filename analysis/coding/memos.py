"""Memos: a coder's notes on a transcript, a turn (segment), a span or a coding, wherever nothing is coded.

Layout: ``data/codings/<coder>/memos/<transcript_id>.csv`` with ``MEMO_COLUMNS`` (UTF-8, LF, sorted).
One file per coder and transcript, like codings, in a folder of its own: a single ``memos.csv`` next to
the codings files would be taken for the codings of a transcript called ``memos``, and a change rewrites
only one transcript's memos. Memos hold participants' words: they live under ``data/codings/`` like the
codings, and the leak guard scans that folder with its subfolders.

A memo is anchored like a coding: ``quote`` is the text it is about (the segment's text, ``body[start:end]``
of a span, the coding's quote; empty for a transcript memo) and ``text_sha8`` the transcript's hash when
written, so ``sitthi check`` finds a memo whose place no longer holds its quote. Each target has at most
one memo per coder (``Memo.key``): saving replaces it, saving an empty text deletes it. Every change takes
the coder's lock, is written atomically and logged in the coder's ``log.jsonl`` (``"kind": "memo"``), so
``sitthi codings undo`` takes it back like a coding change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from analysis.coding.rows import (
    CodingError,
    check_coder,
    check_transcript_id,
    format_csv_rows,
    now,
    parse_csv_rows,
)
from analysis.coding.store import CodingStore

MEMO_COLUMNS = ["transcript_id", "target", "segment_id", "start", "end", "code_id", "coder_id", "text_sha8",
                "quote", "written_at", "memo"]
TARGETS = ("transcript", "segment", "span", "coding")
MEMO_FOLDER = "memos"
STALE_FIX = "save the memo again on the passage it is about (or on the transcript), then delete this row"


@dataclass(frozen=True)
class Memo:
    """One coder's memo on a transcript, a segment, a span ``[start, end)`` or a coding (``code_id``)."""

    transcript_id: str
    target: str
    segment_id: str
    start: int | None
    end: int | None
    code_id: str
    coder_id: str
    text_sha8: str
    quote: str
    written_at: str
    memo: str

    @property
    def key(self) -> tuple:
        """What a memo is about: at most one memo per key and coder."""
        return (self.target, self.segment_id, self.start, self.end, self.code_id)

    @property
    def order(self) -> tuple:
        return (TARGETS.index(self.target), self.segment_id, -1 if self.start is None else self.start,
                -1 if self.end is None else self.end, self.code_id)

    def row(self) -> list[str]:
        return ["" if value is None else str(value) for value in asdict(self).values()]


# ----------------------------------------------------------------------------- making memos

def transcript_memo(transcript, coder: str, text: str) -> Memo:
    """A memo on a whole transcript."""
    return _memo(transcript, "transcript", "", None, None, "", coder, "", text)


def segment_memo(transcript, segment, coder: str, text: str) -> Memo:
    """A memo on a turn (segment), whether or not it is coded."""
    return _memo(transcript, "segment", segment.segment_id, None, None, "", coder, segment.text, text)


def span_memo(transcript, segment, start: int, end: int, coder: str, text: str) -> Memo:
    """A memo on ``body[start:end]``, inside ``segment``."""
    if not segment.start <= start < end <= segment.end:
        raise CodingError(f"the span {start}-{end} is not inside segment {segment.segment_id}",
                          fix="choose a phrase that is part of this segment")
    quote = transcript.body[start:end]
    return _memo(transcript, "span", segment.segment_id, start, end, "", coder, quote, text)


def coding_memo(transcript, coding, text: str) -> Memo:
    """A memo on one coding (``coding.key``)."""
    return _memo(transcript, "coding", coding.segment_id, coding.start, coding.end, coding.code_id,
                 coding.coder_id, coding.quote, text)


def _memo(transcript, target, segment_id, start, end, code_id, coder, quote, text) -> Memo:
    return Memo(transcript.id, target, segment_id, start, end, code_id, check_coder(coder),
                transcript.text_sha8, quote, now(), text)


# ----------------------------------------------------------------------------- rows

def _parse(fields: list[str]) -> Memo:
    """A memo of a row's fields (``ValueError`` naming what is wrong)."""
    if len(fields) != len(MEMO_COLUMNS):
        raise ValueError(f"{len(fields)} fields instead of {len(MEMO_COLUMNS)}")
    values = dict(zip(MEMO_COLUMNS, fields, strict=True))
    target, start, end = values["target"], values["start"], values["end"]
    if target not in TARGETS:
        raise ValueError(f"target {target!r} is not one of {', '.join(TARGETS)}")
    if (start == "") != (end == ""):
        raise ValueError("start and end must both be given or both be empty")
    span = (int(start), int(end)) if start else (None, None)
    if span[0] is not None and not 0 <= span[0] < span[1]:
        raise ValueError(f"start {span[0]} and end {span[1]} do not make a span")
    needs = {"transcript": (False, False, False), "segment": (True, False, False),
             "span": (True, True, False), "coding": (True, None, True)}[target]  # segment, span, code
    for name, wanted, given in (("segment_id", needs[0], bool(values["segment_id"])),
                                ("start", needs[1], span[0] is not None),
                                ("code_id", needs[2], bool(values["code_id"]))):
        if wanted is not None and wanted != given:
            raise ValueError(f"a {target} memo {'needs' if wanted else 'has no'} {name}")
    for name in ("transcript_id", "coder_id"):
        if not values[name]:
            raise ValueError(f"{name} is empty")
    return Memo(**{**values, "start": span[0], "end": span[1]})


def memo_from_row(row) -> Memo:
    """The memo of a log entry's ``row``: exactly the memo fields, with valid values (else ValueError)."""
    if not isinstance(row, dict) or sorted(row) != sorted(MEMO_COLUMNS):
        raise ValueError(f"its row must have exactly the fields {', '.join(MEMO_COLUMNS)}")
    for name in MEMO_COLUMNS:
        value = row[name]
        integer = value is None or (isinstance(value, int) and not isinstance(value, bool))
        if not (integer if name in ("start", "end") else isinstance(value, str)):
            raise ValueError(f"'{name}' in its row is {value!r}")
    return _parse(["" if row[name] is None else str(row[name]) for name in MEMO_COLUMNS])


def read_memo_rows(path: Path) -> tuple[list[tuple[int, Memo]], list[CodingError]]:
    """The memos of a file with their lines (none when there is no file), and its bad rows."""
    if not path.is_file():
        return [], []
    return parse_csv_rows(path.read_text(encoding="utf-8"), path, MEMO_COLUMNS, _parse, "memos")


def format_memos(memos: list[Memo]) -> str:
    """CSV text: header, then rows sorted by target, segment, span and code (stable for git)."""
    return format_csv_rows(MEMO_COLUMNS, memos)


# ----------------------------------------------------------------------------- the store

class MemoStore:
    """Read and change the memos of a study, under the same locks and log as its codings."""

    def __init__(self, store: CodingStore) -> None:
        self.store = store

    def path(self, coder: str, transcript_id: str) -> Path:
        return self.store.folder(coder) / MEMO_FOLDER / f"{check_transcript_id(transcript_id)}.csv"

    def read(self, coder: str, transcript_id: str) -> list[Memo]:
        """A coder's memos on one transcript (rows that cannot be read are left out)."""
        return [memo for _, memo in read_memo_rows(self.path(coder, transcript_id))[0]]

    def get(self, coder: str, transcript_id: str, key: tuple) -> Memo | None:
        return next((memo for memo in self.read(coder, transcript_id) if memo.key == key), None)

    def files(self):
        """``(coder, transcript_id, path)`` of every memos file."""
        for coder in self.store.coders():
            for path in sorted((self.store.folder(coder) / MEMO_FOLDER).glob("*.csv")):
                yield coder, path.stem, path

    def save(self, memo: Memo) -> str | None:
        """Save ``memo`` over the coder's memo on the same target (an empty text deletes it); return the
        action logged (``add``, ``edit``, ``remove``) or None when nothing changed."""
        def change(memos: list[Memo]):
            old = next((m for m in memos if m.key == memo.key), None)
            kept = [m for m in memos if m.key != memo.key]
            if old is None:
                return (memos, []) if not memo.memo else ([*kept, memo], [("add", {"row": asdict(memo)})])
            if not memo.memo:
                return kept, [("remove", {"row": asdict(old)})]
            if old.memo == memo.memo and old.quote == memo.quote:
                return memos, []
            return [*kept, memo], [("edit", {"row": asdict(memo), "old": asdict(old)})]

        entries = self._change(memo.coder_id, memo.transcript_id, change)
        return entries[0]["action"] if entries else None

    def undo_entry(self, target: dict) -> None:
        """Take back one logged memo change (``store.undo`` calls this for ``"kind": "memo"``)."""
        row = memo_from_row(target["row"])

        def change(memos: list[Memo]):
            kept = [m for m in memos if m.key != row.key]
            if target["action"] == "remove":
                kept.append(row)
            elif target["action"] == "edit":
                kept.append(memo_from_row(target["old"]))
            return kept, [("undo", {"undoes": target["action"], "row": target["row"]})]

        self._change(row.coder_id, row.transcript_id, change)

    def redo_entry(self, target: dict) -> None:
        """Do again one undone memo change (``store.redo`` calls this for ``"kind": "memo"``)."""
        row = memo_from_row(target["row"])

        def change(memos: list[Memo]):
            kept = [m for m in memos if m.key != row.key]
            if target["action"] != "remove":
                kept.append(row)
            return kept, [("redo", {"redoes": target["action"], "row": target["row"]})]

        self._change(row.coder_id, row.transcript_id, change)

    def _change(self, coder: str, transcript_id: str, change) -> list[dict]:
        path = self.path(coder, transcript_id)

        def apply(memos):
            memos, entries = change(memos)
            return memos, [{"action": action, "kind": "memo", **entry} for action, entry in entries]

        return self.store.locked_change(coder, transcript_id, path, read_memo_rows, format_memos, apply)


def check_memos(store: CodingStore, transcripts: dict, segments: dict) -> list[CodingError]:
    """Every memo that cannot be read or whose place no longer holds its quote, one problem each."""
    problems: list[CodingError] = []
    for coder, transcript_id, path in MemoStore(store).files():
        rows, problems_here = read_memo_rows(path)
        problems += problems_here
        keys = {c.key for c in store.read(coder, transcript_id)}
        for number, memo in rows:
            what = memo_problem(memo, coder, transcript_id, transcripts.get(memo.transcript_id),
                                 segments.get(memo.transcript_id, []), keys)
            if what:
                problems.append(CodingError(what, path=path, line=number, fix=STALE_FIX))
    return problems


def memo_problem(memo: Memo, coder: str, transcript_id: str, transcript, segments: list, keys: set) -> str:
    """What is wrong with a memo's place (empty when it holds)."""
    if (memo.coder_id, memo.transcript_id) != (coder, transcript_id):
        return (f"the memo is by '{memo.coder_id}' on '{memo.transcript_id}', not by this folder's coder "
                f"'{coder}' on this file's transcript '{transcript_id}'")
    if transcript is None:
        return f"unknown transcript '{memo.transcript_id}'"
    if memo.target == "transcript":
        return ""
    segment = next((s for s in segments if s.segment_id == memo.segment_id), None)
    if segment is None:
        return f"unknown segment '{memo.segment_id}'"
    if memo.target == "coding" and (memo.segment_id, memo.start, memo.end, memo.code_id) not in keys:
        return f"no coding {memo.code_id} on {memo.segment_id} by {coder} for this memo"
    if memo.start is None:
        here = segment.text
    elif segment.start <= memo.start < memo.end <= segment.end:
        here = transcript.body[memo.start:memo.end]
    else:
        return f"the offsets {memo.start}-{memo.end} are not inside segment {memo.segment_id}"
    if here != memo.quote:
        return f"the text at {memo.segment_id} is no longer the memo's quote «{memo.quote[:40]}»"
    return ""

