"""Style of every Sitthi figure: Thai font, palette, labels in Thai or English, saving.

Thai renders with the Sarabun font shipped by the ``fontpkg-sarabun`` package (matplotlib >= 3.11
places Thai marks correctly; the default font shows boxes); DejaVu Sans fills in symbols Sarabun
lacks (α, κ). Styling is applied per figure with ``rc_context``, so nothing changes matplotlib's
global state. Colours are the Okabe-Ito palette, which colour-blind readers can tell apart.
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib as mpl
from matplotlib.figure import Figure

from analysis.files import atomic_target

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


ATTRIBUTES_TH = {"site": "พื้นที่", "group": "กลุ่ม", "nationality": "สัญชาติ", "language": "ภาษา",
                 "gender": "เพศ", "age": "อายุ", "age_band": "ช่วงอายุ", "age_group": "กลุ่มอายุ"}


def attribute_label(name: str, lang: str) -> str:
    """A transcript attribute's name for readers ("age_band" → "ช่วงอายุ" / "age band")."""
    return label(lang, ATTRIBUTES_TH.get(name, name), name.replace("_", " "))


def label(lang: str, th: str, en: str) -> str:
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


def figure_png(figure: Figure, *, dpi: int = 110) -> bytes:
    """PNG bytes of ``figure`` (used to show figures in notebooks without pyplot)."""
    import io

    buffer = io.BytesIO()
    with mpl.rc_context(style()):
        figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def show_figures_in_notebooks() -> None:
    """Let a notebook cell that returns a ``Figure`` show it as a picture."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png)



def save_figure(figure: Figure, stem, *, formats: tuple[str, ...] = ("png", "svg", "pdf")) -> list:
    """Save ``figure`` atomically as ``stem.png`` (300 dpi), ``.svg`` and ``.pdf``; return the paths."""
    from pathlib import Path

    stem = Path(stem)
    paths = []
    with mpl.rc_context(style()):
        for suffix in formats:
            path = stem.with_suffix(f".{suffix}")
            with atomic_target(path) as temporary:
                figure.savefig(temporary, format=suffix)
            paths.append(path)
    return paths
