"""Keyword suggestions: which codes may apply to which segments, and the words that matched.

Suggestions come from the codebook's Thai and English keywords. They are kept apart from codings
and never saved as a person's coding unless that person accepts one. English keywords match whole
words in any case; Thai keywords match as text (Thai has no spaces between words), which also
finds a keyword inside a longer word.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from analysis.codebook.model import Codebook

SUGGESTION_COLUMNS = ["transcript_id", "segment_id", "code_id", "matched"]


@lru_cache(maxsize=4)
def _patterns(items: tuple) -> list[tuple[str, re.Pattern]]:
    compiled = []
    for code_id, thai, english in items:
        parts = [re.escape(k) for k in thai] + [rf"(?<!\w){re.escape(k)}(?!\w)" for k in english]
        if parts:
            compiled.append((code_id, re.compile("|".join(parts), re.IGNORECASE)))
    return compiled


def keyword_patterns(codebook: Codebook) -> list[tuple[str, re.Pattern]]:
    """One regular expression per live code with keywords."""
    items = tuple((c.id, tuple(c.keywords.get("th", ())), tuple(c.keywords.get("en", ())))
                  for c in codebook.active() if c.keywords)
    return _patterns(items)


def suggest_for_text(codebook: Codebook, text: str) -> dict[str, list[str]]:
    """``code_id -> matched words`` for one piece of text."""
    found = {}
    for code_id, pattern in keyword_patterns(codebook):
        matches = sorted({m.group(0).lower() for m in pattern.finditer(text)})
        if matches:
            found[code_id] = matches
    return found


def suggest(codebook: Codebook, segments: pd.DataFrame) -> pd.DataFrame:
    """Suggestions for every segment of a segment table (``analysis.text.pipeline`` columns)."""
    rows = []
    for transcript_id, segment_id, text in segments[["transcript_id", "segment_id", "text"]].itertuples(
            index=False):
        for code_id, matched in suggest_for_text(codebook, text).items():
            rows.append((transcript_id, segment_id, code_id, ", ".join(matched)))
    return pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)


def evaluate(suggestions: pd.DataFrame, codings: pd.DataFrame, *, transcripts: set[str]) -> pd.DataFrame:
    """Precision and recall of suggestions against one coder, per code, at segment level.

    Only ``transcripts`` (those the coder coded) count. Columns: ``code_id``, ``suggested``,
    ``coded``, ``both``, ``precision``, ``recall`` (empty where undefined), sorted by code.
    """
    suggested = suggestions[suggestions["transcript_id"].isin(transcripts)]
    predicted = set(zip(suggested["segment_id"], suggested["code_id"], strict=True))
    gold = set(zip(codings["segment_id"], codings["code_id"], strict=True))
    codes = sorted({c for _, c in predicted | gold})
    rows = []
    for code in codes:
        p = {s for s, c in predicted if c == code}
        g = {s for s, c in gold if c == code}
        hit = len(p & g)
        rows.append({"code_id": code, "suggested": len(p), "coded": len(g), "both": hit,
                     "precision": round(hit / len(p), 3) if p else None,
                     "recall": round(hit / len(g), 3) if g else None})
    return pd.DataFrame(rows, columns=["code_id", "suggested", "coded", "both", "precision", "recall"])
