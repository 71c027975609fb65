"""Keyword in context: every place a word or phrase occurs, with the words around it.

A query is found where the same run of tokens occurs (ล่าม is not found inside เล่า|มา), or, on
request, as a substring anywhere; the context is cut between words and never splits a character.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import SitthiError
from analysis.spreadsheets import write_user_workbook
from analysis.study import Study, attribute_name
from analysis.text.corpus import read_corpus
from analysis.text.normalise import normalise
from analysis.text.pipeline import StudyText, study_extra_words, study_text
from analysis.text.script import THAI_MARKS, is_thai
from analysis.text.tokenise import token_features, tokenize, tokenizer_for
from analysis.text.wordlist import NOT_FIRST
from analysis.text.words import check_attribute

KWIC_COLUMNS = ["transcript_id", "segment_id", "speaker", "left", "match", "right"]
# Column names a person reads (``lang``): the left and right context, the words found.
KWIC_HEADERS = {
    "th": {"transcript_id": "บทถอดความ", "segment_id": "ส่วน", "speaker": "ผู้พูด",
           "left": "ก่อนหน้า", "match": "คำค้น", "right": "ถัดไป"},
    "en": {"transcript_id": "transcript", "segment_id": "segment", "speaker": "speaker",
           "left": "before", "match": "keyword", "right": "after"},
}
KWIC_SHEET = {"th": "คำในบริบท", "en": "keyword in context"}
ELLIPSIS = "…"


def kwic(study: Study, query: str, *, window: int = 40, by: str | None = None, substring: bool = False,
         lang: str | None = None, text: StudyText | None = None) -> pd.DataFrame:
    """Every occurrence of ``query`` in the study's segments, with about ``window`` characters of context.

    The query is tokenised like the transcripts and found where the same run of tokens occurs, so
    ล่าม is not found inside เล่า|มา; Latin words match in any case. ``substring=True`` finds the
    text anywhere instead (also inside longer words), widened to whole characters (a consonant
    with its vowel signs and tone marks). The context is cut between words where one is within
    ``window`` characters, else between characters, never before a vowel sign or tone mark;
    ``…`` marks a cut. Columns: ``transcript_id``, ``segment_id``, ``speaker``, ``left``, ``match``,
    ``right`` (and the attribute ``by``); with ``lang`` ("th" or "en") the columns get names a
    person reads (``KWIC_HEADERS``) and the attribute's values their labels (``[labels]``).
    """
    query = normalise(query).strip()
    if not query:
        raise SitthiError("the search text is empty", fix="give a word or phrase to search for")
    if lang is not None and lang not in KWIC_HEADERS:
        raise SitthiError(f"unknown language '{lang}'", fix="use th or en")
    text = text or study_text(study)
    segments = text.segments.set_index("segment_id")
    spans = (_substring_spans(segments, query) if substring
             else _token_spans(text.tokens, segments, _query_norms(study, query)))
    boundaries = _token_boundaries(text.tokens, segments, {sid for sid, _, _ in spans})
    rows = [context_row(segment_id, segments.at[segment_id, "text"], a, b, window, boundaries[segment_id])
            for segment_id, a, b in spans]
    found = pd.DataFrame([(segments.at[sid, "transcript_id"], sid, segments.at[sid, "speaker"], *row)
                          for (sid, _, _), row in zip(spans, rows, strict=True)], columns=KWIC_COLUMNS)
    if by:
        attributes = read_corpus(study).attributes()
        check_attribute(attributes, by)
        found = found.merge(attributes[["transcript_id", by]], on="transcript_id", how="left")
    return found if lang is None else _readable(study, found, by, lang)


def _query_norms(study: Study, query: str) -> list[str]:
    """The query's tokens as the study's tokenizer makes them, in their ``norm`` form."""
    tokenizer = tokenizer_for(study.segmenter, tuple(study_extra_words(study)))
    return [token_features(token.text)[0] for token in tokenize(query, tokenizer=tokenizer)]


def _token_spans(tokens: pd.DataFrame, segments: pd.DataFrame,
                 norms: list[str]) -> list[tuple[str, int, int]]:
    """``(segment_id, start, end)`` (offsets in the segment text) of each run of tokens equal to ``norms``."""
    norm = tokens["norm"].to_numpy(dtype=object)
    segment = tokens["segment_id"].to_numpy(dtype=object)
    starts, ends = tokens["start"].to_numpy(), tokens["end"].to_numpy()
    at = np.flatnonzero(norm == norms[0])
    for k, wanted in enumerate(norms[1:], 1):
        at = at[at + k < len(norm)]
        at = at[(norm[at + k] == wanted) & (segment[at + k] == segment[at])]
    last = at + len(norms) - 1
    offset = segments["start"]
    return [(sid, int(starts[i] - offset[sid]), int(ends[j] - offset[sid]))
            for sid, i, j in zip(segment[at], at, last, strict=True)]


def _substring_spans(segments: pd.DataFrame, query: str) -> list[tuple[str, int, int]]:
    """``(segment_id, start, end)`` of the query anywhere in a segment's text, in any case, widened
    to whole characters (never ending before a vowel sign or tone mark)."""
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    spans = []
    for segment_id, body in segments["text"].items():
        for match in pattern.finditer(body):
            a, b = match.start(), match.end()
            while not is_cluster_boundary(body, a):
                a -= 1
            while not is_cluster_boundary(body, b):
                b += 1
            spans.append((segment_id, a, b))
    return spans


def _token_boundaries(tokens: pd.DataFrame, segments: pd.DataFrame,
                      wanted: set[str]) -> dict[str, np.ndarray]:
    """For each ``wanted`` segment, the sorted offsets (in its text) where a token starts or ends."""
    offset = segments["start"]
    found = {sid: np.array([], dtype=np.int64) for sid in wanted}
    rows = tokens[tokens["segment_id"].isin(wanted)]
    for segment_id, spans in rows.groupby("segment_id", sort=False)[["start", "end"]]:
        found[segment_id] = np.unique(spans.to_numpy().ravel() - offset[segment_id])
    return found


def is_cluster_boundary(text: str, position: int) -> bool:
    """Whether ``text`` may be cut at ``position`` without splitting a character as a reader sees it
    (a consonant and its vowel signs and tone marks, an emoji sequence) or leaving a Thai leading
    vowel (เ แ โ ใ ไ) without its consonant."""
    if position <= 0 or position >= len(text):
        return True
    char, before = text[position], text[position - 1]
    return not (char in NOT_FIRST or char in THAI_MARKS or unicodedata.category(char) in ("Mn", "Mc", "Me")
                or "\ufe00" <= char <= "\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff"
                or before == "\u200d" or "\u0e40" <= before <= "\u0e44")


def _between_words(text: str, position: int) -> bool:
    """Whether a token boundary is a good place to cut: not inside a character, nor inside a
    Latin chunk such as did|n't or police|. (Thai words meet without a space)."""
    if position <= 0 or position >= len(text):
        return True
    if not is_cluster_boundary(text, position):
        return False
    before, after = text[position - 1], text[position]
    return before.isspace() or after.isspace() or is_thai(before) or is_thai(after)


def _can_start(text: str, position: int) -> bool:
    """Whether a column may start at ``position``: its first letter (after spaces) begins a word,
    not a vowel sign, tone mark or ๆ."""
    while position < len(text) and text[position].isspace():
        position += 1
    return is_cluster_boundary(text, position)


def context_row(segment_id: str, body: str, a: int, b: int, window: int,
                boundaries: np.ndarray) -> tuple[str, str, str]:
    """``(left, match, right)`` of one hit, the context cut between words where it can be."""
    words = [int(p) for p in boundaries if _between_words(body, int(p))] + [0, len(body)]
    left_cut = min((p for p in words if a - window <= p <= a and _can_start(body, p)), default=None)
    if left_cut is None or (left_cut == a and a > 0 and window > 0):
        left_cut = next((p for p in range(max(0, a - window), a + 1) if _can_start(body, p)), a)
    right_cut = max((p for p in words if b <= p <= b + window), default=None)
    if right_cut is None or (right_cut == b and b < len(body) and window > 0):
        right_cut = next((p for p in range(min(len(body), b + window), b - 1, -1)
                          if is_cluster_boundary(body, p)), b)
    left, right = _squeeze(body[left_cut:a]), _squeeze(body[b:right_cut])
    if body[:left_cut].strip():
        left = ELLIPSIS + left
    if body[right_cut:].strip():
        right += ELLIPSIS
    return left, _squeeze(body[a:b]), right


def _squeeze(text: str) -> str:
    """``text`` on one line: each run of whitespace as one space, none at either end."""
    return " ".join(text.split())


def _readable(study: Study, found: pd.DataFrame, by: str | None, lang: str) -> pd.DataFrame:
    """``found`` with column names in ``lang`` and the attribute's values as their labels."""
    if by:
        labels = study.value_labels(by)
        found[by] = [labels.get(str(v), {}).get(lang, v) for v in found[by]]
    return found.rename(columns={**KWIC_HEADERS[lang], **({by: attribute_name(by, lang)} if by else {})})


def write_kwic(path: str | Path, found: pd.DataFrame, *, lang: str = "en") -> Path:
    """Write a keyword-in-context table to an XLSX workbook, atomically, every text cell a string."""
    return write_user_workbook(path, {KWIC_SHEET[lang]: found})


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: vowel signs and tone marks above or below take none."""
    return sum(1 for c in text if not (c in THAI_MARKS or unicodedata.combining(c)))


def format_kwic(found: pd.DataFrame) -> list[str]:
    """Lines of a keyword-in-context table for a terminal: the left context right-aligned, so the
    words found line up in one column; the other columns (ids, attribute) before the context."""
    left, match, right = found.columns[3:6]
    ids = [c for c in found.columns if c not in (left, match, right)]
    labels = ["  ".join(str(v) for v in row) for row in found[ids].itertuples(index=False)]
    label_width = max(map(display_width, labels), default=0)
    left_width = max(map(display_width, found[left]), default=0)
    rows = zip(labels, found[left], found[match], found[right], strict=True)
    return [f"{_pad(label, label_width)}  {' ' * (left_width - display_width(before))}{before}  "
            f"[{word}]  {after}".rstrip() for label, before, word, after in rows]


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
