"""Checking codings against the transcripts and the codebook, and re-anchoring after edits.

A row belongs to the file it is in: a ``coder_id`` other than the folder's coder, or a
``transcript_id`` other than the file's name, makes it ``invalid`` (it counts for nobody).

A coding whose ``text_sha8`` no longer matches its transcript (the transcript was edited after
coding) is re-anchored strictly:

- a whole-segment coding (``start`` empty) only onto a segment whose text equals its quote; of
  several, the one nearest its old segment number;
- a phrase onto the exact match of its quote, inside one segment, nearest its old ``start``.

No match, or two matches equally near, leaves the coding ``needs review``. Nothing is ever
dropped: every coding appears in the table with its status, and every problem is reported as
``file:row: what — what to do``. The report, ``sitthi check`` and the coding panel all use this
one result.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd

from analysis.codebook.model import Codebook
from analysis.coding.rows import Coding, CodingError, read_rows
from analysis.coding.store import CodingStore
from analysis.text.corpus import Corpus
from analysis.text.segments import Segment

STATUSES = ("ok", "reanchored", "needs review", "invalid")
PLACED = ("ok", "reanchored")  # statuses whose segment and offsets hold for today's text
RESOLVED_COLUMNS = ["transcript_id", "segment_id", "start", "end", "code_id", "coder_id", "text_sha8",
                    "quote", "coded_at", "memo", "status", "problem", "file", "row"]
REVIEW_FIX = "find the passage again in {tid} and code it anew, then remove this row"


def resolve_codings(store: CodingStore, corpus: Corpus, codebook: Codebook,
                    segments: dict[str, list[Segment]]) -> tuple[pd.DataFrame, list[CodingError]]:
    """Every coding with its status (see ``STATUSES``) and offsets valid for today's text.

    ``segments`` maps transcript id to its segments. Returns the table (``RESOLVED_COLUMNS``;
    ``start``/``end`` empty for whole-segment codings) and the problems to show to the user.
    """
    transcripts = {t.id: t for t in corpus}
    rows, problems = [], []
    for coder, _, path in store.files():
        resolved, found = resolve_file(path, coder, transcripts, codebook, segments)
        rows += [record for _, record in resolved]
        problems += found
    table = pd.DataFrame(rows, columns=RESOLVED_COLUMNS).astype({"start": "Int64", "end": "Int64"})
    return table, problems


def resolve_file(path: Path, coder: str, transcripts: dict, codebook: Codebook,
                 segments: dict[str, list[Segment]]) -> tuple[list[tuple[Coding, dict]], list[CodingError]]:
    """The codings of one file of ``coder``, each as stored and as resolved (a ``RESOLVED_COLUMNS``
    record), with the problems of the file's rows.
    """
    rows, problems = read_rows(path)
    resolved = []
    for number, coding in rows:
        record = {**asdict(coding), "status": "ok", "problem": "", "file": str(path), "row": number}
        problem = _belongs(record, coder, path) or _resolve(
            record, transcripts.get(coding.transcript_id), codebook, segments.get(coding.transcript_id, []))
        if problem:
            record["problem"] = problem[0]
            problems.append(CodingError(problem[0], path=path, line=number, fix=problem[1]))
        resolved.append((coding, record))
    return resolved, problems


def _belongs(record: dict, coder: str, path: Path) -> tuple | None:
    """A row in another coder's folder or another transcript's file counts for nobody."""
    if record["coder_id"] != coder:
        record["status"] = "invalid"
        return (f"coder_id '{record['coder_id']}' is not this folder's coder '{coder}'",
                f"move the row to {path.parent.parent / record['coder_id'] / path.name} "
                f"or set coder_id to '{coder}'")
    if record["transcript_id"] != path.stem:
        record["status"] = "invalid"
        return (f"transcript_id '{record['transcript_id']}' is not this file's transcript '{path.stem}'",
                f"move the row to {path.with_name(record['transcript_id'] + '.csv')} or fix transcript_id")
    return None


def _resolve(record: dict, transcript, codebook: Codebook, segments: list[Segment]) -> tuple | None:
    """Check one coding in place (status, offsets); return ``(problem, fix)`` or ``None``."""
    code = record["code_id"]
    if transcript is None:
        record["status"] = "invalid"
        return (f"transcript '{record['transcript_id']}' is not in the study",
                "restore the transcript or move this codings file away")
    if code not in codebook:
        record["status"] = "invalid"
        return f"unknown code '{code}'", "use a code of the codebook (see `sitthi codebook show`)"
    if codebook[code].deprecated_by:
        record["status"] = "invalid"
        return (f"code '{code}' is retired", f"replace it with '{codebook.replacement(code)}'")
    if record["text_sha8"] != transcript.text_sha8:
        return _reanchor(record, transcript, segments)
    segment = next((s for s in segments if s.segment_id == record["segment_id"]), None)
    if segment is None:
        record["status"] = "invalid"
        return f"segment '{record['segment_id']}' does not exist", "check the segment id"
    start, end = record["start"], record["end"]
    if start is None:
        if record["quote"] != segment.text:
            record["status"] = "invalid"
            return "the quote is not the segment's text", "copy the segment's text into 'quote'"
        return None
    if not (segment.start <= start < end <= segment.end):
        record["status"] = "invalid"
        return (f"offsets {start}-{end} are outside segment {segment.segment_id}",
                "fix start and end, or leave both empty for the whole segment")
    if transcript.body[start:end] != record["quote"]:
        record["status"] = "invalid"
        return "the quote is not the text at its offsets", "fix start/end or the quote"
    return None


def _reanchor(record: dict, transcript, segments: list[Segment]) -> tuple | None:
    """The transcript changed: move the coding to its unique nearest match, or flag it for review."""
    if record["start"] is None:
        places = [(s, None, None) for s in segments if s.text == record["quote"]]
        distance = _segment_distance(record["segment_id"])
    else:
        places = [(s, at, at + len(record["quote"])) for at, s in _phrase_matches(record["quote"], segments)]
        distance = _offset_distance(record["start"])
    if not places:
        what = "no segment has exactly its text" if record["start"] is None else "its quote no longer occurs"
        return _needs_review(record, what)
    nearest = sorted(places, key=distance)
    if len(nearest) > 1 and distance(nearest[0]) == distance(nearest[1]):
        return _needs_review(record, f"{len(places)} places match it, two equally near its old place")
    segment, start, end = nearest[0]
    record.update(status="reanchored", segment_id=segment.segment_id, start=start, end=end,
                  text_sha8=transcript.text_sha8)
    return None


def _phrase_matches(quote: str, segments: list[Segment]) -> list[tuple[int, Segment]]:
    """Every exact match of ``quote`` (overlapping ones too) that lies inside one segment."""
    found = []
    for segment in segments:
        at = segment.text.find(quote) if quote else -1
        while at >= 0:
            found.append((segment.start + at, segment))
            at = segment.text.find(quote, at + 1)
    return found


def _segment_distance(segment_id: str):
    """Distance of a candidate segment from the old segment number (all equal if it has none)."""
    number = segment_id.rpartition(":")[2]
    old = int(number) if number.isdigit() else None
    return lambda place: 0 if old is None else abs(int(place[0].segment_id.rpartition(":")[2]) - old)


def _offset_distance(start: int):
    """Distance of a candidate phrase from the old start offset."""
    return lambda place: abs(place[1] - start)


def _needs_review(record: dict, what: str) -> tuple:
    record["status"] = "needs review"
    return (f"transcript changed after coding and {what}: needs review",
            REVIEW_FIX.format(tid=record["transcript_id"]))
