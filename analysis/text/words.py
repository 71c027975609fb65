"""Words of a study: frequencies by any attribute, keyness between two groups, keyword in context.

The unit of counting is the token (see ``analysis.text.tokenise``). "Words" are Thai and Latin tokens
that are not stopwords; punctuation, digits, symbols and pseudonyms such as ``[NAME-01]`` are
left out. Latin words are counted in lower case.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from analysis.errors import SitthiError
from analysis.study import Study
from analysis.text.corpus import Corpus, read_corpus
from analysis.text.normalise import normalise
from analysis.text.pipeline import StudyText, study_text

WORD_SCRIPTS = ("thai", "latin")


def words_table(study: Study, *, progress: bool = False, text: StudyText | None = None,
                corpus: Corpus | None = None) -> pd.DataFrame:
    """Word tokens with the attributes of their transcript (one row per token).

    ``text`` and ``corpus`` are the study's tables and transcripts when the caller has them already.
    """
    tokens = (text or study_text(study, progress=progress)).tokens
    words = tokens[tokens["script"].isin(WORD_SCRIPTS) & ~tokens["is_stop"]]
    return words[["transcript_id", "segment_id", "norm"]].merge(
        (corpus or read_corpus(study)).attributes(), on="transcript_id", how="left")


def _check_attribute(table: pd.DataFrame, by: str | None) -> None:
    if by is not None and by not in table.columns:
        choices = ", ".join(c for c in table.columns if c not in ("segment_id", "norm"))
        raise SitthiError(f"unknown attribute '{by}'", fix=f"use one of: {choices}")


def word_frequencies(words: pd.DataFrame, *, by: str | None = None, top: int = 20) -> pd.DataFrame:
    """The ``top`` most frequent words (overall, or per value of attribute ``by``).

    Columns: ``group`` (the attribute value, or "all"), ``word``, ``count``, ``per_1000`` (per
    thousand words of that group), ``transcripts`` (how many transcripts use the word),
    ``group_words`` (words counted in the group).
    """
    _check_attribute(words, by)
    groups = words[by].fillna("(none)").astype(str) if by else pd.Series("all", index=words.index)
    table = words.assign(group=groups.values)
    counts = (table.groupby(["group", "norm"])
              .agg(count=("norm", "size"), transcripts=("transcript_id", "nunique"))
              .reset_index().rename(columns={"norm": "word"}))
    totals = table.groupby("group").size()
    counts["group_words"] = counts["group"].map(totals)
    counts["per_1000"] = (1000 * counts["count"] / counts["group_words"]).round(2)
    counts = counts.sort_values(["group", "count", "word"], ascending=[True, False, True])
    return counts.groupby("group").head(top).reset_index(drop=True)[
        ["group", "word", "count", "per_1000", "transcripts", "group_words"]]


def log_likelihood(a: int, b: int, size_a: int, size_b: int) -> float:
    """Dunning's log-likelihood (G²) of a word seen ``a`` times in ``size_a`` words and ``b``
    times in ``size_b`` words (Rayson & Garside's two-corpus form)."""
    expected_a = size_a * (a + b) / (size_a + size_b)
    expected_b = size_b * (a + b) / (size_a + size_b)
    return 2 * sum(o * math.log(o / e) for o, e in ((a, expected_a), (b, expected_b)) if o > 0)


def keyness(words: pd.DataFrame, *, by: str, first: str, second: str, top: int = 20,
            min_count: int = 3) -> pd.DataFrame:
    """Words most characteristic of ``first`` versus ``second`` (two values of attribute ``by``).

    Columns: ``word``, ``count_first``, ``count_second``, ``per_1000_first``, ``per_1000_second``,
    ``log_likelihood``, ``more_in`` (which group uses it more). Sorted by G², largest first; words
    seen fewer than ``min_count`` times in both groups together are left out.
    """
    _check_attribute(words, by)
    values = words[by].astype(str)
    missing = [v for v in (first, second) if v not in set(values)]
    if missing:
        raise SitthiError(f"no transcripts with {by} = '{missing[0]}'",
                          fix=f"use one of: {', '.join(sorted(set(values)))}")
    a = words[values == first]["norm"].value_counts()
    b = words[values == second]["norm"].value_counts()
    table = pd.DataFrame({"count_first": a, "count_second": b}).fillna(0).astype(int)
    table = table[table.sum(axis=1) >= min_count]
    size_a, size_b = int(a.sum()), int(b.sum())
    table["per_1000_first"] = (1000 * table["count_first"] / size_a).round(2)
    table["per_1000_second"] = (1000 * table["count_second"] / size_b).round(2)
    table["log_likelihood"] = [round(log_likelihood(x, y, size_a, size_b), 2)
                               for x, y in zip(table["count_first"], table["count_second"], strict=True)]
    table["more_in"] = [first if x / size_a >= y / size_b else second
                        for x, y in zip(table["count_first"], table["count_second"], strict=True)]
    table = table.rename_axis("word").reset_index()
    table = table.sort_values(["log_likelihood", "word"], ascending=[False, True])
    return table.head(top).reset_index(drop=True)


def kwic(study: Study, query: str, *, window: int = 40, by: str | None = None) -> pd.DataFrame:
    """Every occurrence of ``query`` in the study's segments, with ``window`` characters of context.

    The query is matched on the text, not on tokens, so a Thai word is found even inside a longer
    token; Latin letters match in any case. Columns: ``transcript_id``, ``segment_id``, ``left``,
    ``match``, ``right`` (and the attribute ``by`` when given). Offsets follow the segment text.
    """
    query = normalise(query).strip()
    if not query:
        raise SitthiError("the search text is empty", fix="give a word or phrase to search for")
    segments = study_text(study).segments
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    rows = []
    for transcript_id, segment_id, text in segments[["transcript_id", "segment_id", "text"]].itertuples(
            index=False):
        for match in pattern.finditer(text):
            rows.append((transcript_id, segment_id, text[max(0, match.start() - window):match.start()],
                         match.group(), text[match.end():match.end() + window]))
    found = pd.DataFrame(rows, columns=["transcript_id", "segment_id", "left", "match", "right"])
    if by:
        attributes = read_corpus(study).attributes()
        _check_attribute(attributes, by)
        found = found.merge(attributes[["transcript_id", by]], on="transcript_id", how="left")
    return found
