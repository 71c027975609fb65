"""Figures of words: the most frequent words per group."""

from __future__ import annotations

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from analysis.report.figures.style import PALETTE, label, style, value_label


def top_words(frequencies: pd.DataFrame, *, lang: str = "th", top: int = 15,
              values: dict[str, dict[str, str]] | None = None) -> Figure:
    """Most frequent words per group, as horizontal bars (one panel per group).

    ``frequencies`` is the table of ``analysis.text.words.word_frequencies``; the unit is the word
    token, and the caption gives the number of words counted in each group. ``values`` labels the
    groups (``Study.value_labels``); a group without a label shows as it is.
    """
    groups = list(dict.fromkeys(frequencies["group"]))
    with mpl.rc_context(style()):
        figure = Figure(figsize=(4.2 * max(1, len(groups)), 0.32 * top + 1.8), layout="constrained")
        axes = figure.subplots(1, max(1, len(groups)), squeeze=False)[0]
        for ax, group, colour in zip(axes, groups, PALETTE, strict=False):
            rows = frequencies[frequencies["group"] == group].head(top).iloc[::-1]
            ax.barh(rows["word"], rows["per_1000"], color=colour)
            words = int(rows["group_words"].iloc[0]) if len(rows) else 0
            ax.set_title(f"{value_label(values, group, lang)} (n = {words:,} {label(lang, 'คำ', 'words')})")
            ax.set_xlabel(label(lang, "ครั้งต่อ 1,000 คำ", "per 1,000 words"))
            ax.tick_params(axis="y", labelsize=11)
        figure.suptitle(label(lang, "คำที่พบบ่อยที่สุด", "Most frequent words"), fontsize=13)
    return figure
