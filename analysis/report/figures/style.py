"""Style of every Sitthi figure: Thai font, palette, labels in Thai or English, saving.

Thai renders with the Sarabun font shipped by the ``fontpkg-sarabun`` package (matplotlib >= 3.11
places Thai marks correctly; the default font shows boxes); DejaVu Sans fills in symbols Sarabun
lacks (α, κ). Styling is applied per figure with ``rc_context``, so nothing changes matplotlib's
global state. Colours are the Okabe-Ito palette, which colour-blind readers can tell apart.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import matplotlib as mpl
from matplotlib.figure import Figure

from analysis.study import attribute_name

FONT_FAMILY = "Sarabun"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
LANGS = ("th", "en")
PAGE_INCHES = (8.0, 11.0)  # the most a figure may take on an A4 page in portrait (8.27 × 11.69 in)


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
        # Type 3 fonts in PDFs: text stays searchable (and scannable by the leak guard) as with Type 42
        # (TrueType), and the PDF is written in half the time (no font subsetting by fontTools).
        "pdf.fonttype": 3,
    }


def attribute_label(name: str, lang: str) -> str:
    """A transcript attribute's name for readers ("age_band" → "ช่วงอายุ" / "age band")."""
    label(lang, "", "")
    return attribute_name(name, lang)


def label(lang: str, th: str, en: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return th if lang == "th" else en


NO_LINE_START = frozenset(",.;:!?)]}”’…%")  # punctuation that stays with the word before it
NO_LINE_END = frozenset("([{“‘")  # and with the word after it


def text_width(text: str) -> int:
    """Characters that take room on a line (Thai vowel signs and tone marks above or below take none)."""
    return sum(unicodedata.category(c) != "Mn" for c in text)


def _thai(char: str) -> bool:
    return "\u0e00" <= char <= "\u0e7f"


@lru_cache(maxsize=4096)
def word_breaks(text: str) -> tuple[int, ...]:
    """Offsets where ``text`` may go onto a new line: after a space, and between Thai words (found by
    the tokeniser); never inside a Latin word or an id such as ``NDIS-PROFILE``, never before a mark."""
    from analysis.text.tokenise import tokenize

    starts = {t.start for t in tokenize(text)} | {i + 1 for i, c in enumerate(text) if c.isspace()}
    breaks = []
    for at in sorted(starts):
        if not 0 < at < len(text) or text[at].isspace() or unicodedata.category(text[at]) == "Mn":
            continue
        before, after = text[at - 1], text[at]
        if before.isspace() or ((_thai(before) or _thai(after)) and after not in NO_LINE_START
                                and before not in NO_LINE_END):
            breaks.append(at)
    return tuple(breaks)


def shorten(text: str, width: int = 48) -> str:
    """``text`` as it is if it fits ``width``, else cut at the last word boundary that fits, with "…".

    Thai words are found by the tokeniser; a text without any boundary (one very long word) is cut
    between letters, never before a Thai vowel or tone mark.
    """
    text = text.strip()
    if text_width(text) <= width:
        return text
    fits = [at for at in word_breaks(text) if text_width(text[:at].rstrip()) < width]
    if fits:
        return text[:fits[-1]].rstrip().rstrip(",;:–-") + "…"
    cut = len(text)
    while cut > 0 and (text_width(text[:cut]) >= width or unicodedata.category(text[cut]) == "Mn"):
        cut -= 1
    return text[:cut] + "…"


def wrap_label(text: str, width: int = 34, lines: int = 2) -> str:
    """``text`` on up to ``lines`` lines of about ``width`` characters, broken between words; only
    when it still does not fit is the last line shortened on a word boundary with "…"."""
    rows, rest = [], text.strip()
    while len(rows) < lines - 1 and text_width(rest) > width:
        breaks = word_breaks(rest)
        fits = [at for at in breaks if text_width(rest[:at].rstrip()) <= width] or list(breaks[:1])
        if not fits:
            break
        rows.append(rest[:fits[-1]].rstrip())
        rest = rest[fits[-1]:].lstrip()
    return "\n".join([*rows, shorten(rest, width)])


def value_label(labels: dict[str, dict[str, str]] | None, value, lang: str) -> str:
    """An attribute value as readers of ``lang`` see it: its label in ``labels`` (``Study.labels`` of
    one attribute: value → {"th": …, "en": …}), else the value as it is."""
    label(lang, "", "")
    text = str(value)
    return ((labels or {}).get(text) or {}).get(lang) or text


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
