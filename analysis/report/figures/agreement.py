"""Figures of agreement between coders: Krippendorff's α per right or per code, one A4 page each."""

from __future__ import annotations

import math

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from analysis.agreement.stats import RELIABLE, TENTATIVE
from analysis.report.figures.style import PAGE_INCHES, PALETTE, label, style, wrap_label

PER_PAGE = 28  # rows of two-line labels that fit one A4 page in portrait, with title and caption
ROW_INCHES, FRAME_INCHES = 0.31, 2.3
NOUNS = {"code": ("รหัส", "codes"), "right": ("สิทธิ", "rights")}
HOW = {  # by -> (th, en): what a row's α measures
    "code": ("ต่อรหัส หน่วย: ช่วงข้อความ", "per code; unit: segment"),
    "right": ("ต่อสิทธิ สิทธิหนึ่งใช้กับช่วงข้อความเมื่อมีรหัสใดของสิทธินั้น หน่วย: ช่วงข้อความ",
              "per right: a right applies to a segment when any of its codes does; unit: segment"),
}


def _rated(table: pd.DataFrame) -> pd.DataFrame:
    """Rows with α defined (the pooled row aside), lowest α first (ties by id)."""
    shown = table[table["alpha"].notna() & (table["id"] != "(pooled)")]
    return shown.sort_values(["alpha", "id"], kind="stable")


def agreement_pages(table: pd.DataFrame, per_page: int = PER_PAGE) -> int:
    """How many pages ``agreement_alpha`` needs for ``table`` (at least 1)."""
    return max(1, math.ceil(len(_rated(table)) / per_page))


def _page(shown: pd.DataFrame, page: int, pages: int) -> pd.DataFrame:
    """The rows of one page: pages of equal size (± 1), lowest α on the first."""
    size = math.ceil(len(shown) / pages) if len(shown) else 0
    return shown.iloc[(page - 1) * size:page * size]


def _colour(alpha: float) -> str:
    return PALETTE[2] if alpha >= RELIABLE else PALETTE[1] if alpha >= TENTATIVE else PALETTE[5]


def agreement_alpha(table: pd.DataFrame, *, lang: str = "th", by: str = "code", page: int = 1,
                    per_page: int = PER_PAGE) -> Figure:
    """Krippendorff's α per code (or right) with its 95% CI and the 0.667 and 0.8 thresholds.

    ``table`` is ``analysis.agreement.table.agreement_table``'s (for rights: computed on
    ``by_right``, so a right's α is that of the right as the team counts it). Rows with α undefined
    are left out and counted in the caption. Rows are sorted from the lowest α, ``per_page`` at
    most on a page: ``page`` (from 1) of ``agreement_pages(table, per_page)``; every row has its full
    label in the table.
    """
    if by not in NOUNS:
        raise ValueError(f"by must be one of {tuple(NOUNS)}, not {by!r}")
    label(lang, "", "")
    rated = _rated(table)
    pages = agreement_pages(table, per_page)
    if not 1 <= page <= pages:
        raise ValueError(f"page must be from 1 to {pages}, not {page}")
    shown = _page(rated, page, pages).iloc[::-1]  # drawn bottom-up: the lowest α on top
    names = [wrap_label(f"{row.id} {row.label_th if lang == 'th' else row.label_en}", 40)
             for row in shown.itertuples()]
    with mpl.rc_context(style()):
        height = min(ROW_INCHES * max(len(shown), 3) + FRAME_INCHES, PAGE_INCHES[1])
        figure = Figure(figsize=(PAGE_INCHES[0], height), layout="constrained")
        ax = figure.subplots()
        y = range(len(shown))
        ax.errorbar(shown["alpha"], y, xerr=[(shown["alpha"] - shown["alpha_low"]).clip(lower=0),
                                             (shown["alpha_high"] - shown["alpha"]).clip(lower=0)],
                    fmt="none", ecolor="#999999", capsize=2)
        ax.scatter(shown["alpha"], y, c=[_colour(a) for a in shown["alpha"]], zorder=3)
        ax.plot([], [], "o", color=PALETTE[5],  # the colour of points below both lines, in the legend too
                label=f"{label(lang, 'เชื่อถือไม่ได้', 'unreliable')} (α < {TENTATIVE})")
        for x, colour, name in ((TENTATIVE, PALETTE[1], label(lang, "พอใช้ได้", "tentative")),
                                (RELIABLE, PALETTE[2], label(lang, "เชื่อถือได้", "reliable"))):
            ax.axvline(x, color=colour, linestyle="--", label=f"{name} (α ≥ {x})")
        ax.set_yticks(list(y), names, fontsize=9)
        ax.set_ylim(-0.6, max(len(shown), 3) - 0.4)
        low = float(rated["alpha_low"].min()) if len(rated) else 0.0
        ax.set_xlim(min(-0.05, low - 0.05), 1.05)  # the same scale on every page
        ax.set_xlabel(label(lang, "ค่าแอลฟาของคริปเพนดอร์ฟ (α) เส้น: ช่วงความเชื่อมั่น 95%",
                            "Krippendorff's α; bars: 95% CI"))
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=9, frameon=False)
        _finish(figure, table, rated, lang=lang, by=by, page=page, pages=pages)
    return figure


def _finish(figure: Figure, table: pd.DataFrame, rated: pd.DataFrame, *, lang: str, by: str, page: int,
            pages: int) -> None:
    """Title (with the page) and the caption: what α measures, what is left out, where the rest is."""
    th, en = NOUNS[by]
    noun = label(lang, th, en)
    hidden = int((table["alpha"].isna() & (table["id"] != "(pooled)")).sum())
    title = label(lang, f"ความสอดคล้องระหว่างผู้ลงรหัส ราย{th}", f"Agreement between coders by {by}")
    if pages > 1:
        title += label(lang, f" (หน้า {page}/{pages})", f" (page {page} of {pages})")
    how_th, how_en = HOW[by]
    caption = label(
        lang,
        f"ค่าแอลฟา{how_th} เรียงจากค่าต่ำสุด {len(rated)} {noun}"
        + (f" ไม่แสดง {hidden} {noun}ที่คำนวณไม่ได้ (ไม่มีผู้ใช้หรือไม่มีความแปรผัน)" if hidden else "")
        + (" ชื่อเต็มและทุกค่าอยู่ในตาราง" if pages > 1 else ""),
        f"α {how_en}; sorted from the lowest; {len(rated)} {noun}"
        + (f"; {hidden} not shown (α undefined: unused or no variation)" if hidden else "")
        + ("; full labels and every value are in the table" if pages > 1 else "") + ".")
    figure.suptitle(title, fontsize=13)
    figure.supxlabel(wrap_label(caption, int(figure.get_figwidth() * 13), lines=6), fontsize=9,
                     color="#555555")
