"""Figures: one function per figure, each returning a ``matplotlib.figure.Figure``.

Thai renders with the Sarabun font shipped by the ``fontpkg-sarabun`` package (matplotlib >= 3.11
places Thai marks correctly; the default font shows boxes). Styling is applied per figure with
``rc_context``, so nothing changes matplotlib's global state. Labels come in Thai or English by a
``lang`` option; colours are the Okabe-Ito palette, which colour-blind readers can tell apart.
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

FONT_FAMILY = "Sarabun"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
LANGS = ("th", "en")


@lru_cache(maxsize=1)
def register_thai_font() -> str:
    """Add the Sarabun font files to matplotlib (once); return the family name."""
    import fontpkg_sarabun
    from matplotlib import font_manager

    for path in sorted((fontpkg_sarabun.ROOT / "files").glob("Sarabun-*.ttf")):
        font_manager.fontManager.addfont(str(path))
    return FONT_FAMILY


def style() -> dict:
    """rcParams of every Sitthi figure."""
    return {
        "font.family": [register_thai_font(), "DejaVu Sans"],  # DejaVu for α, κ and other symbols
        "font.size": 11,
        "axes.titlesize": 12,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "figure.dpi": 100,
        "savefig.dpi": 300,
        "svg.fonttype": "none",
        "pdf.fonttype": 42,
    }


def _label(lang: str, th: str, en: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return th if lang == "th" else en


def shorten(text: str, width: int = 48) -> str:
    """``text`` cut to ``width`` characters with "…", at a space if one is near, never before a mark."""
    import unicodedata

    if len(text) <= width:
        return text
    cut = width - 1
    space = text.rfind(" ", 0, cut)
    if space > width * 0.6:
        cut = space
    while cut > 0 and unicodedata.category(text[cut]) == "Mn":  # keep Thai vowels and tones on their letter
        cut -= 1
    return text[:cut].rstrip() + "…"


def top_words(frequencies: pd.DataFrame, *, lang: str = "th", top: int = 15) -> Figure:
    """Most frequent words per group, as horizontal bars (one panel per group).

    ``frequencies`` is the table of ``analysis.words.word_frequencies``; the unit is the word
    token, and the caption gives the number of words counted in each group.
    """
    groups = list(dict.fromkeys(frequencies["group"]))
    with mpl.rc_context(style()):
        figure = Figure(figsize=(4.2 * max(1, len(groups)), 0.32 * top + 1.8), layout="constrained")
        axes = figure.subplots(1, max(1, len(groups)), squeeze=False)[0]
        for ax, group, colour in zip(axes, groups, PALETTE, strict=False):
            rows = frequencies[frequencies["group"] == group].head(top).iloc[::-1]
            ax.barh(rows["word"], rows["per_1000"], color=colour)
            words = int(rows["group_words"].iloc[0]) if len(rows) else 0
            ax.set_title(f"{group} (n = {words:,} {_label(lang, 'คำ', 'words')})")
            ax.set_xlabel(_label(lang, "ครั้งต่อ 1,000 คำ", "per 1,000 words"))
            ax.tick_params(axis="y", labelsize=11)
        figure.suptitle(_label(lang, "คำที่พบบ่อยที่สุด", "Most frequent words"), fontsize=13)
    return figure


def agreement_alpha(table: pd.DataFrame, *, lang: str = "th", by: str = "code") -> Figure:
    """Krippendorff's α per code (or right) with its 95% CI and the 0.667 and 0.8 thresholds.

    ``table`` is ``analysis.agreement_table.agreement_table``'s; codes with α undefined are left
    out and counted in the caption. The unit is the segment; ``by`` ("code" or "right") names the rows.
    """
    from analysis.agreement import RELIABLE, TENTATIVE

    shown = table[table["alpha"].notna() & (table["id"] != "(pooled)")].sort_values("alpha")
    hidden = int(table["alpha"].isna().sum())
    labels = [shorten(f"{row.id} {row.label_th if lang == 'th' else row.label_en}")
              for row in shown.itertuples()]
    colours = shown["alpha"].map(lambda a: PALETTE[2] if a >= RELIABLE else PALETTE[1] if a >= TENTATIVE
                                 else PALETTE[5])
    with mpl.rc_context(style()):
        figure = Figure(figsize=(8, 0.3 * len(shown) + 2), layout="constrained")
        ax = figure.subplots()
        y = range(len(shown))
        ax.errorbar(shown["alpha"], y, xerr=[(shown["alpha"] - shown["alpha_low"]).clip(lower=0),
                                             (shown["alpha_high"] - shown["alpha"]).clip(lower=0)],
                    fmt="none", ecolor="#999999", capsize=2)
        ax.scatter(shown["alpha"], y, c=list(colours), zorder=3)
        for x, colour, name in ((TENTATIVE, PALETTE[1], _label(lang, "พอใช้ได้", "tentative")),
                                (RELIABLE, PALETTE[2], _label(lang, "เชื่อถือได้", "reliable"))):
            ax.axvline(x, color=colour, linestyle="--", label=f"{name} (α = {x})")
        ax.set_yticks(list(y), labels)
        ax.set_xlim(min(-0.2, float(shown["alpha_low"].min()) if len(shown) else 0), 1.05)
        ax.set_xlabel(_label(lang, "ค่าแอลฟา (α) หน่วย: ช่วงข้อความ เส้น: ช่วงความเชื่อมั่น 95%",
                             "Krippendorff's α (unit: segment); bars: 95% CI"))
        ax.legend(loc="upper left", fontsize=9)  # the best-agreed rows are at the top right
        noun = _label(lang, "รหัส" if by == "code" else "สิทธิ", "codes" if by == "code" else "rights")
        caption = _label(lang, f"{len(shown)} {noun}; ไม่แสดง {hidden} {noun}ที่คำนวณไม่ได้ "
                               "(ไม่มีผู้ใช้หรือไม่มีความแปรผัน)",
                         f"{len(shown)} {noun}; {hidden} not shown (α undefined: unused or no variation)")
        figure.suptitle(_label(lang, "ความสอดคล้องระหว่างผู้ลงรหัส", "Agreement between coders"), fontsize=13)
        figure.supxlabel(caption, fontsize=9, color="#555555")
    return figure


def figure_png(figure: Figure, *, dpi: int = 110) -> bytes:
    """PNG bytes of ``figure`` (used to show figures in notebooks without pyplot)."""
    import io

    buffer = io.BytesIO()
    with mpl.rc_context(style()):
        figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _show_figures_in_notebooks() -> None:
    """Let a notebook cell that returns a ``Figure`` show it as a picture."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png)


_show_figures_in_notebooks()


def save_figure(figure: Figure, stem, *, formats: tuple[str, ...] = ("png", "svg", "pdf")) -> list:
    """Save ``figure`` as ``stem.png`` (300 dpi), ``.svg`` and ``.pdf``; return the paths."""
    from pathlib import Path

    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    with mpl.rc_context(style()):
        for suffix in formats:
            path = stem.with_suffix(f".{suffix}")
            figure.savefig(path)
            paths.append(path)
    return paths
