"""Codings that arrive with raw transcripts (``sitthi import qdpx`` without ``--anonymised``).

They wait in ``data/raw/codings/<coder>/<id>.csv``, untracked like the raw texts they quote, and
``sitthi anonymise --apply`` carries them into ``data/codings/`` as it writes each transcript: spans
move past every replacement, quotes are taken from the anonymised text and memos are pseudonymised
with the same key (``--propose`` reads them too: ``waiting_memos``). A coder's codings of a transcript
are carried once: while that coder has no codings file for it yet (a later apply never duplicates or
overwrites what coders did since).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from analysis.coding.rows import Coding, CodingError, new_coding
from analysis.coding.store import CodingStore
from analysis.study import Study
from analysis.text.corpus import Transcript
from analysis.text.segments import Segment, segment_body

Change = tuple[int, int, int, int]  # a replacement: old start, old end, new start, new end


def raw_store(study: Study) -> CodingStore:
    """The store of codings waiting with the raw transcripts."""
    return CodingStore(replace(study, paths={**study.paths, "codings": f"{study.paths['raw']}/codings"}))


def waiting_memos(study: Study) -> list[tuple[Path, int, str]]:
    """``(file, line, memo)`` of every memo waiting in ``data/raw/codings/`` (rows that do not parse are
    skipped here: ``carry_codings`` refuses their file)."""
    waiting, memos = raw_store(study), []
    for coder, transcript_id, path in waiting.files():
        rows, _ = waiting.load_rows(coder, transcript_id)
        memos += [(path, line, coding.memo) for line, coding in rows if coding.memo.strip()]
    return memos


def move_offset(offset: int, changes: list[Change], *, end: bool) -> int:
    """Where ``offset`` of the old text lies in the new one; inside a replaced original it moves to
    the replacement's start (``end=False``) or end (``end=True``)."""
    shift = 0
    for old_start, old_end, new_start, new_end in changes:
        if offset <= old_start:
            break
        if offset < old_end:
            return new_end if end else new_start
        shift = new_end - old_end
    return offset + shift


def _segment_at(segments: list[Segment], offset: int) -> Segment | None:
    return next((s for s in segments if s.start <= offset < s.end), None)


def moved_coding(coding: Coding, old: dict[str, Segment], new: list[Segment], transcript: Transcript,
                 changes: list[Change], memo: str) -> Coding | None:
    """``coding`` of the raw text as a coding of the anonymised ``transcript`` (None if it is lost)."""
    whole = coding.start is None
    if whole and coding.segment_id not in old:
        return None
    if whole:
        start, end = old[coding.segment_id].start, old[coding.segment_id].end
    else:
        start, end = coding.start, coding.end
    start, end = move_offset(start, changes, end=False), move_offset(end, changes, end=True)
    segment = _segment_at(new, start)
    if segment is None:
        return None
    end = min(end, segment.end)
    span = whole and (start, end) == (segment.start, segment.end)
    moved = new_coding(transcript, segment, coding.code_id, coding.coder_id,
                       start=None if span else start, end=None if span else end, memo=memo)
    return replace(moved, coded_at=coding.coded_at)


@dataclass
class Carried:
    """What ``carry_codings`` did for one transcript."""

    count: int = 0  # codings now in data/codings/
    lost: int = 0  # codings whose words were entirely replaced away
    kept: list[Path] = field(default_factory=list)  # raw files not carried: the coder has codings already
    refused: list[tuple[Path, int, str]] = field(default_factory=list)  # file, line, what a memo still holds
    broken: list[CodingError] = field(default_factory=list)  # raw files with a bad row: not carried


def carry_codings(study: Study, raw_body: str, transcript: Transcript, changes: list[Change],
                  pseudonymise: Callable[[str], str], leaks: Callable[[str], list[str]]) -> Carried:
    """Carry the raw codings of ``transcript``, anonymised just now with ``changes``.

    Memos go through ``pseudonymise``; a coder's file whose memo still ``leaks`` is not carried.
    """
    waiting, store = raw_store(study), CodingStore(study)
    old = {s.segment_id: s for s in segment_body(transcript.id, raw_body, study.segment_unit)}
    new = segment_body(transcript.id, transcript.body, study.segment_unit)
    result = Carried()
    for coder in waiting.coders():
        path = waiting.path(coder, transcript.id)
        if not path.is_file():
            continue
        if store.path(coder, transcript.id).exists():
            result.kept.append(path)
            continue
        rows, problems = waiting.load_rows(coder, transcript.id)
        if problems:  # carrying the good rows only would lose the bad one without a word
            first = problems[0]
            result.broken.append(CodingError(f"not carried: {first.what}", path=path, line=first.line,
                                             fix="mend the row by hand, then apply again"))
            continue
        memos = [pseudonymise(c.memo) for _, c in rows]
        leaking = [(line, found[0]) for (line, _), memo in zip(rows, memos, strict=True)
                   if (found := leaks(memo))]
        if leaking:
            result.refused.append((path, *leaking[0]))
            continue
        moved = [moved_coding(c, old, new, transcript, changes, memo)
                 for (_, c), memo in zip(rows, memos, strict=True)]
        result.lost += sum(m is None for m in moved)
        result.count += len(store.add_many(m for m in moved if m is not None))
    return result
