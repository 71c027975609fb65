"""Words of a study: frequencies by any attribute, keyness between two groups, and what the team's
word list changed (keyword in context is ``analysis.text.kwic``).

The unit of counting is the token (see ``analysis.text.tokenise``). "Words" are Thai and Latin tokens
that are not stopwords; punctuation, digits, symbols and pseudonyms such as ``[NAME-01]`` are
left out. Latin words are counted in lower case.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pandas as pd

from analysis.codebook.model import CodebookError, study_codebook
from analysis.errors import SitthiError
from analysis.study import Study
from analysis.text.corpus import Corpus, read_corpus
from analysis.text.pipeline import StudyText, codebook_words, study_text
from analysis.text.tokenise import tokenize, tokenizer_for
from analysis.text.wordlist import study_word_list

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


def check_attribute(table: pd.DataFrame, by: str | None) -> None:
    if by is not None and by not in table.columns:
        choices = ", ".join(c for c in table.columns if c not in ("segment_id", "norm"))
        raise SitthiError(f"unknown attribute '{by}'", fix=f"use one of: {choices}")


def word_frequencies(words: pd.DataFrame, *, by: str | None = None, top: int = 20) -> pd.DataFrame:
    """The ``top`` most frequent words (overall, or per value of attribute ``by``).

    Columns: ``group`` (the attribute value, or "all"), ``word``, ``count``, ``per_1000`` (per
    thousand words of that group), ``transcripts`` (how many transcripts use the word),
    ``group_words`` (words counted in the group).
    """
    check_attribute(words, by)
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
    check_attribute(words, by)
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


def _codebook_keywords(study: Study) -> list[str]:
    try:
        return codebook_words(study_codebook(study))
    except CodebookError:
        return []


def word_list_changes(study: Study, *, text: StudyText | None = None) -> pd.DataFrame:
    """What the team's word list changed: for each listed word, how the text was split without
    the list and how often.

    Columns: ``word``, ``line`` (in the list), ``found`` (times it is now one token), ``changed``
    (of those, times the tokenizer without the list split it or joined it to its neighbours),
    ``before`` (those splits with their counts, most frequent first: ``ม่อน|แจ่ม ×12``),
    ``inside_longer`` (times the word occurs only inside a longer token even with the list).
    """
    listed = study_word_list(study)
    text = text or study_text(study)
    segments = text.segments.set_index("segment_id")
    without = tokenizer_for(study.segmenter, tuple(_codebook_keywords(study)))
    splits: dict[str, Counter] = {entry.word: Counter() for entry in listed}
    found = text.tokens[text.tokens["norm"].isin(splits)]
    for segment_id, rows in found.groupby("segment_id", sort=False):
        body, offset = segments.at[segment_id, "text"], segments.at[segment_id, "start"]
        old = tokenize(body, tokenizer=without)
        for word, start, end in zip(rows["norm"], rows["start"] - offset, rows["end"] - offset, strict=True):
            splits[word]["|".join(t.text for t in old if t.end > start and t.start < end)] += 1
    rows = []
    for entry in listed:
        counts = splits[entry.word]
        changed = {split: n for split, n in counts.most_common() if split != entry.word}
        occurrences = int(segments["text"].str.count(re.escape(entry.word)).sum())
        rows.append({"word": entry.word, "line": entry.line, "found": counts.total(),
                     "changed": sum(changed.values()),
                     "before": "; ".join(f"{split} ×{n}" for split, n in changed.items()),
                     "inside_longer": occurrences - counts.total()})
    return pd.DataFrame(rows, columns=["word", "line", "found", "changed", "before", "inside_longer"])


def format_word_list_changes(changes: pd.DataFrame) -> list[str]:
    """One line per listed word: ``ม่อนแจ่ม: ม่อน|แจ่ม ×12 → ม่อนแจ่ม`` (or why nothing changed)."""
    lines = []
    for row in changes.itertuples(index=False):
        if row.changed:
            line = f"{row.word}: {row.before} → {row.word}"
        elif row.found:
            line = f"{row.word}: already one word ×{row.found}, no change / เป็นคำเดียวอยู่แล้ว"
        else:
            line = f"{row.word}: not in the text / ไม่พบในข้อความ"
        if row.inside_longer:
            line += f" (×{row.inside_longer} inside longer words / อยู่ในคำที่ยาวกว่า)"
        lines.append(line)
    return lines
