"""Checking codings against the transcripts and the codebook, and re-anchoring after edits.

A coding whose ``text_sha8`` no longer matches its transcript (the transcript was edited after
coding) is re-anchored by its quote when the quote occurs exactly once in the new text; otherwise
it is marked ``needs review``. Nothing is ever dropped: every coding appears in the table with its
status, and every problem is reported as ``file:row: what — what to do``.
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from analysis.codebook.model import Codebook
from analysis.coding.store import CodingError, CodingStore
from analysis.text.corpus import Corpus
from analysis.text.segments import Segment

STATUSES = ("ok", "reanchored", "needs review", "invalid")
RESOLVED_COLUMNS = ["transcript_id", "segment_id", "start", "end", "code_id", "coder_id", "text_sha8",
                    "quote", "coded_at", "memo", "status", "problem", "file", "row"]


def resolve_codings(store: CodingStore, corpus: Corpus, codebook: Codebook,
                    segments: dict[str, list[Segment]]) -> tuple[pd.DataFrame, list[CodingError]]:
    """Every coding with its status (see ``STATUSES``) and offsets valid for today's text.

    ``segments`` maps transcript id to its segments. Returns the table (``RESOLVED_COLUMNS``;
    ``start``/``end`` empty for whole-segment codings) and the problems to show to the user.
    """
    transcripts = {t.id: t for t in corpus}
    rows, problems = [], []
    for coder, transcript_id, path in store.files():
        codings, bad_rows = store.load_rows(coder, transcript_id)
        problems += bad_rows
        for number, coding in codings:
            record = {**asdict(coding), "status": "ok", "problem": "", "file": str(path), "row": number}
            problem = _resolve(record, transcripts.get(coding.transcript_id), codebook,
                               segments.get(coding.transcript_id, []))
            if problem:
                record["problem"] = problem[0]
                problems.append(CodingError(problem[0], path=path, line=number, fix=problem[1]))
            rows.append(record)
    table = pd.DataFrame(rows, columns=RESOLVED_COLUMNS).astype({"start": "Int64", "end": "Int64"})
    return table, problems


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
    by_id = {s.segment_id: s for s in segments}
    if record["text_sha8"] == transcript.text_sha8:
        segment = by_id.get(record["segment_id"])
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
    return _reanchor(record, transcript, segments)


def _reanchor(record: dict, transcript, segments: list[Segment]) -> tuple | None:
    """The transcript changed: find the quote again, or flag the coding for review."""
    quote, body = record["quote"], transcript.body
    found, at = [], body.find(quote) if quote else -1
    while at >= 0 and len(found) < 2:
        found.append(at)
        at = body.find(quote, at + 1)
    if len(found) == 1:
        start, end = found[0], found[0] + len(quote)
        home = next((s for s in segments if s.start <= start and end <= s.end), None)
        if home is not None:
            whole = record["start"] is None and (start, end) == (home.start, home.end)
            record.update(status="reanchored", segment_id=home.segment_id,
                          start=None if whole else start, end=None if whole else end,
                          text_sha8=transcript.text_sha8)
            return None
    record["status"] = "needs review"
    how = "twice or more" if len(found) > 1 else "no longer"
    return (f"transcript changed after coding and the quote occurs {how} in it: needs review",
            f"find the passage again in {record['transcript_id']} and code it anew, then remove this row")
