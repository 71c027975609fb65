"""Retrieval: every passage coded with a code (and its sub-codes), across transcripts, by coder.

Before a consensus meeting the coders read, code by code, what each of them coded: the passage (a
phrase, or the whole turn), some words around it cut between words as keyword in context cuts them
(``analysis.text.kwic``), the memos attached to it and where it is in the transcript file
("P1 · turn 12 · line 48"). A memo is attached to a passage when it is on the same segment and its
place overlaps the passage: the coding's own memo (on the coding row or in the memo store), the
turn's memo, the memos on phrases inside it. Memos whose place no longer holds their quote
(``sitthi check`` lists them) are left out. The quote bank attaches memos the same way
(``memos_on``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.codebook.model import Codebook
from analysis.coding.anchoring import PLACED
from analysis.coding.loaded import LoadedStudy, loaded
from analysis.coding.memos import Memo, MemoStore, memo_problem
from analysis.errors import SitthiError
from analysis.spreadsheets import write_user_workbook
from analysis.study import Study
from analysis.text.kwic import KWIC_HEADERS, context_row, display_width
from analysis.text.segments import Segment

PASSAGE_COLUMNS = ["transcript_id", "segment_id", "coder_id", "code_id", "label", "before", "passage",
                   "after", "memos", "where"]
PASSAGE_HEADERS = {  # column names a person reads (``lang``)
    "th": {"transcript_id": KWIC_HEADERS["th"]["transcript_id"],
           "segment_id": KWIC_HEADERS["th"]["segment_id"],
           "coder_id": "ผู้ลงรหัส", "code_id": "รหัส", "label": "ชื่อรหัส", "before": KWIC_HEADERS["th"]["left"],
           "passage": "ข้อความที่ลงรหัส", "after": KWIC_HEADERS["th"]["right"], "memos": "บันทึก",
           "where": "ตำแหน่ง"},
    "en": {"transcript_id": "transcript", "segment_id": "segment", "coder_id": "coder", "code_id": "code",
           "label": "label", "before": "before", "passage": "passage", "after": "after", "memos": "memos",
           "where": "where"},
}
PASSAGES_SHEET = {"th": "ข้อความที่ลงรหัส", "en": "coded passages"}
WORDS = {  # the words of the "where" column and of memo labels, per language
    "turn": {"th": "ช่วงพูดที่", "en": "turn"}, "line": {"th": "บรรทัด", "en": "line"},
    "review": {"th": "ต้องตรวจตำแหน่งใหม่ (sitthi check)", "en": "needs review (see sitthi check)"},
    "coding": {"th": "รหัสนี้", "en": "coding"}, "segment": {"th": "ช่วงพูด", "en": "turn"},
    "span": {"th": "วลี", "en": "phrase"},
}
REVIEW = "needs review"


def coded_passages(source: Study | LoadedStudy, code_id: str, *, coders: str | Iterable[str] | None = None,
                   include_subcodes: bool = True, lang: str | None = None, window: int = 60) -> pd.DataFrame:
    """Every passage coded with ``code_id`` (and the codes under it unless ``include_subcodes`` is
    False) by ``coders`` (a list or "nok,mai"; default: everyone), in transcript and segment order.

    Columns ``PASSAGE_COLUMNS``: the passage is the coding's quote (a whole-turn coding: the turn's
    text); ``before`` and ``after`` hold about ``window`` characters of the transcript around it, cut
    between words (``…`` where cut); ``memos`` the coder's memos attached to it, one per line;
    ``where`` the transcript, turn and file line. A coding that needs review after a transcript edit
    is listed with its old quote and no context. With ``lang`` ("th" or "en") the columns get names a
    person reads and the labels and places are in that language.
    """
    if lang is not None and lang not in PASSAGE_HEADERS:
        raise SitthiError(f"unknown language '{lang}'", fix="use th or en")
    data = loaded(source)
    codes = wanted_codes(data.codebook, code_id, include_subcodes)
    chosen = _coders(data, coders)
    table = data.codings
    rows = table[table["code_id"].isin(codes) & table["coder_id"].isin(chosen)
                 & table["status"].isin([*PLACED, REVIEW])]
    rows = rows.assign(order=rows["start"].fillna(-1)).sort_values(
        ["transcript_id", "segment_id", "order", "coder_id", "code_id"])
    memos = study_memos(data, set(rows["transcript_id"]), chosen)
    bounds = word_bounds(data.text.tokens, set(rows["transcript_id"]))
    found = [_passage(data, row, memos, bounds, window, lang or "en") for row in rows.itertuples(index=False)]
    frame = pd.DataFrame(found, columns=PASSAGE_COLUMNS)
    return frame if lang is None else frame.rename(columns=PASSAGE_HEADERS[lang])


def wanted_codes(codebook: Codebook, code_id: str, include_subcodes: bool = True) -> list[str]:
    """``code_id`` (any case) and, with ``include_subcodes``, every code below it; an unknown code is a
    ``SitthiError`` naming the codebook and the nearest ids."""
    wanted = code_id.strip()
    wanted = wanted if wanted in codebook else wanted.upper()
    if wanted not in codebook:
        near = difflib.get_close_matches(wanted, list(codebook.codes), n=3)
        hint = f"did you mean {', '.join(near)}? " if near else ""
        raise SitthiError(f"unknown code '{code_id}'", path=codebook.path,
                          fix=f"{hint}list the codes with `sitthi codebook show`")
    return [wanted, *(c.id for c in codebook.descendants(wanted))] if include_subcodes else [wanted]


def _coders(data: LoadedStudy, coders: str | Iterable[str] | None) -> list[str]:
    """The coders asked for (every coder when None); one without codings is a ``SitthiError``."""
    known = data.store.coders()
    if coders is None:
        return known
    names = [c.strip() for c in (coders.split(",") if isinstance(coders, str) else coders) if c.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SitthiError(f"no codings by '{unknown[0]}'", path=data.study.codings_dir,
                          fix=f"use one of: {', '.join(known) or '(no coder yet)'}")
    return names


# ----------------------------------------------------------------------------- one passage

def _passage(data: LoadedStudy, row, memos: dict[str, list[Memo]], bounds: dict[str, np.ndarray],
             window: int, lang: str) -> list:
    """One row of ``coded_passages``."""
    transcript = data.corpus.get(row.transcript_id)
    label = data.codebook[row.code_id].label.get(lang, row.code_id)
    head = [row.transcript_id, row.segment_id, row.coder_id, row.code_id, label]
    if row.status == REVIEW:
        return [*head, "", row.quote, "", "", f"{row.transcript_id} · {WORDS['review'][lang]}"]
    segment = _segment(data, row.transcript_id, row.segment_id)
    start, end = _span(row.start, row.end, segment)
    before, _, after = context(transcript, start, end, window, bounds.get(transcript.id, NO_BOUNDS))
    attached = memos_on(memos.get(row.transcript_id, []), row.segment_id, _given(row.start),
                        _given(row.end), row.code_id, [row.coder_id])
    return [*head, before, transcript.body[start:end], after,
            "\n".join(memo_text(m, lang) for m in attached), where(transcript, start, lang)]


def _given(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _span(start, end, segment: Segment) -> tuple[int, int]:
    """Body offsets of a passage: its own, or its segment's for a whole-segment coding."""
    return (segment.start, segment.end) if pd.isna(start) else (int(start), int(end))


def _segment(data: LoadedStudy, transcript_id: str, segment_id: str) -> Segment:
    return next(s for s in data.segments[transcript_id] if s.segment_id == segment_id)


NO_BOUNDS = np.array([], dtype=np.int64)


def context(transcript, start: int, end: int, window: int, bounds: np.ndarray) -> tuple[str, str, str]:
    """``(before, passage, after)`` of ``body[start:end]`` on one line each, the context cut between the
    transcript's words (``bounds``: sorted body offsets where its tokens start or end) within ``window``
    characters as ``analysis.text.kwic`` cuts it; it may reach into the turns before and after, with
    their speaker labels."""
    near = bounds[np.searchsorted(bounds, start - window):np.searchsorted(bounds, end + window, "right")]
    return context_row(transcript.id, transcript.body, start, end, window, near)


def word_bounds(tokens: pd.DataFrame, transcripts: set[str]) -> dict[str, np.ndarray]:
    """Per transcript of ``transcripts``, the sorted body offsets where a token starts or ends."""
    rows = tokens[tokens["transcript_id"].isin(transcripts)]
    return {tid: np.unique(spans.to_numpy().ravel())
            for tid, spans in rows.groupby("transcript_id", sort=False)[["start", "end"]]}


def where(transcript, offset: int, lang: str = "en") -> str:
    """"P1 · turn 12 · line 48": the transcript, the turn holding ``offset`` and its line in the file."""
    turns = transcript.turns
    n = next((t.n for t in reversed(turns) if t.start <= offset), 1)
    return (f"{transcript.id} · {WORDS['turn'][lang]} {n} · "
            f"{WORDS['line'][lang]} {transcript.line_of(offset)}")


# ----------------------------------------------------------------------------- memos

def study_memos(data: LoadedStudy, transcripts: Iterable[str],
                coders: Iterable[str]) -> dict[str, list[Memo]]:
    """Per transcript, the memos of ``coders`` that still hold (see ``memo_problem``), with the memos
    written on coding rows as coding memos (one of each text per coding)."""
    store, chosen = MemoStore(data.store), list(coders)
    rows = data.codings
    found: dict[str, list[Memo]] = {}
    for tid in sorted(transcripts):
        transcript = data.corpus.get(tid)
        stored = [m for coder in chosen for m in store.read(coder, tid)
                  if not memo_problem(m, coder, tid, transcript, data.segments.get(tid, []), {m.key[1:]})]
        noted = rows[(rows["transcript_id"] == tid) & rows["coder_id"].isin(chosen) & (rows["memo"] != "")
                     & rows["status"].isin(PLACED)]
        on_rows = [Memo(tid, "coding", r.segment_id, _given(r.start), _given(r.end), r.code_id, r.coder_id,
                        r.text_sha8, r.quote, r.coded_at, r.memo) for r in noted.itertuples(index=False)]
        seen = {(m.coder_id, m.key, m.memo) for m in stored}
        found[tid] = stored + [m for m in on_rows if (m.coder_id, m.key, m.memo) not in seen]
    return found


def memos_on(memos: list[Memo], segment_id: str, start: int | None, end: int | None, code_id: str,
             coders: Iterable[str]) -> list[Memo]:
    """The memos of ``coders`` attached to a passage of ``segment_id`` (``[start, end)``, or the whole
    segment when None) coded ``code_id``: on the same segment, their place overlapping the passage, and
    a coding memo only for that code; by coder, then turn, coding and phrase memos."""
    chosen = list(coders)
    attached = [m for m in memos if m.coder_id in chosen and m.segment_id == segment_id
                and _overlap(m.start, m.end, start, end) and (m.target != "coding" or m.code_id == code_id)]
    kinds = ("segment", "coding", "span")
    return sorted(attached, key=lambda m: (chosen.index(m.coder_id), kinds.index(m.target), m.order))


def _overlap(a_start: int | None, a_end: int | None, b_start: int | None, b_end: int | None) -> bool:
    """Whether two spans of one segment overlap (None: the whole segment)."""
    return a_start is None or b_start is None or (a_start < b_end and b_start < a_end)


def memo_text(memo: Memo, lang: str | None = "en", *, coder: bool = False) -> str:
    """"turn: …", "coding: …", "phrase «…»: …" (``lang`` None: both languages, "ช่วงพูด / turn");
    with ``coder``, the coder's name first ("nok · turn: …")."""
    words = WORDS[memo.target]
    name = words[lang] if lang else f"{words['th']} / {words['en']}"
    if memo.target == "span":
        quote = " ".join(memo.quote.split())
        name += f" «{quote[:40]}{'…' if len(quote) > 40 else ''}»"
    return f"{memo.coder_id + ' · ' if coder else ''}{name}: {memo.memo}"


# ----------------------------------------------------------------------------- output

def write_passages(path: str | Path, passages: pd.DataFrame, *, lang: str = "en") -> Path:
    """Write ``coded_passages``' table to an XLSX workbook, atomically, every text cell a string."""
    return write_user_workbook(path, {PASSAGES_SHEET.get(lang, PASSAGES_SHEET["en"]): passages})


def format_passages(passages: pd.DataFrame) -> list[str]:
    """Lines for a terminal: per passage, where it is, coder and code, then the passage in its context
    (the passage in brackets) and each memo indented."""
    lines = []
    for row in passages.itertuples(index=False):
        _, _, coder, code, label, before, passage, after, memos, place = row
        head = f"{place}  {coder}  {code} {label}"
        lines += [head, "─" * min(display_width(head), 100),
                  f"  {before} [{' '.join(passage.split())}] {after}".rstrip()]
        lines += [f"    ✎ {line}" for line in memos.splitlines() if line.strip()]
        lines.append("")
    return lines
