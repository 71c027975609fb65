"""Figures of agreement between coders."""

from __future__ import annotations

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from analysis.agreement.stats import RELIABLE, TENTATIVE
from analysis.report.figures.style import PALETTE, label, shorten, style


def agreement_alpha(table: pd.DataFrame, *, lang: str = "th", by: str = "code") -> Figure:
    """Krippendorff's α per code (or right) with its 95% CI and the 0.667 and 0.8 thresholds.

    ``table`` is ``analysis.agreement.table.agreement_table``'s; codes with α undefined are left
    out and counted in the caption. The unit is the segment; ``by`` ("code" or "right") names the rows.
    """
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
        for x, colour, name in ((TENTATIVE, PALETTE[1], label(lang, "พอใช้ได้", "tentative")),
                                (RELIABLE, PALETTE[2], label(lang, "เชื่อถือได้", "reliable"))):
            ax.axvline(x, color=colour, linestyle="--", label=f"{name} (α = {x})")
        ax.set_yticks(list(y), labels)
        ax.set_xlim(min(-0.2, float(shown["alpha_low"].min()) if len(shown) else 0), 1.05)
        ax.set_xlabel(label(lang, "ค่าแอลฟา (α) หน่วย: ช่วงข้อความ เส้น: ช่วงความเชื่อมั่น 95%",
                             "Krippendorff's α (unit: segment); bars: 95% CI"))
        ax.legend(loc="upper left", fontsize=9)  # the best-agreed rows are at the top right
        noun = label(lang, "รหัส" if by == "code" else "สิทธิ", "codes" if by == "code" else "rights")
        caption = label(lang, f"{len(shown)} {noun}; ไม่แสดง {hidden} {noun}ที่คำนวณไม่ได้ "
                               "(ไม่มีผู้ใช้หรือไม่มีความแปรผัน)",
                         f"{len(shown)} {noun}; {hidden} not shown (α undefined: unused or no variation)")
        figure.suptitle(label(lang, "ความสอดคล้องระหว่างผู้ลงรหัส", "Agreement between coders"), fontsize=13)
        figure.supxlabel(caption, fontsize=9, color="#555555")
    return figure
