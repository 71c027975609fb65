"""The report as ONE self-contained HTML page in Thai and English.

Everything is inside the file: figures as ``data:image/png;base64`` images (made lighter for the
page: 1,400 pixels wide at most, 256 colours; the PNG files keep 300 dpi), the Sarabun font as
``@font-face`` (``analysis.pages.webfont``), the style and a few lines of script. Both languages are in the
page as elements with ``lang="th"`` / ``lang="en"``; the script sets ``data-lang`` on ``<html>`` and
the style hides the other language (Thai first; ``?lang=en`` or ``#lang=en`` opens it in English).
Without JavaScript both languages show. The page prints one figure per block and reads on a phone.

This module prepares plain data; the markup, style and script are the templates ``report.html.j2``,
``report.css`` and ``report.js`` in ``analysis/pages/templates/``, which escape every value.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.files import write_atomic
from analysis.pages.render import data_uri, render_page

LANGS = ("th", "en")
PAGE_WIDTH_PX = 1400  # figures on the page: sharp in a 700-pixel column on a 2x screen


@dataclass
class ReportFigure:
    """A figure of the report: ``png`` maps a language to its 300-dpi PNG file."""

    key: str
    title: dict[str, str]
    caption: dict[str, str]
    png: dict[str, Path]


@dataclass
class ReportTable:
    """A table of the report; ``frame`` is display-ready (hidden counts already "<3") for both languages."""

    key: str
    title: dict[str, str]
    note: dict[str, str]
    frame: pd.DataFrame


def page_png(path: Path, width: int = PAGE_WIDTH_PX) -> bytes:
    """A figure made light for the page: at most ``width`` pixels wide, on white, in 256 colours
    (the files in ``figures/`` keep their 300 dpi for print)."""
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("RGBA")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS,
                             reducing_gap=2.0)
    flat = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image).convert("RGB")
    buffer = io.BytesIO()
    palette = flat.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    palette.save(buffer, "PNG")  # optimize=True would take 5x longer for 3% less
    return buffer.getvalue()


def _page_images(figures: list[ReportFigure]) -> dict[Path, str]:
    """Every figure PNG as a page image (data URI), made on all cores (Pillow works outside the GIL)."""
    paths = list(dict.fromkeys(path for figure in figures for path in figure.png.values()))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        images = pool.map(lambda path: data_uri(page_png(path), "image/png"), paths)
        return dict(zip(paths, images, strict=True))


def _pick(texts: Mapping[str, str], lang: str) -> str:
    """The text in ``lang``, else in the other language, else ""."""
    return texts.get(lang) or next((texts[other] for other in LANGS if texts.get(other)), "")


def _both(texts: Mapping[str, str]) -> dict[str, str]:
    """``{"th": ..., "en": ...}``, each language falling back on the other."""
    return {lang: _pick(texts, lang) for lang in LANGS}


def _meta(meta: Mapping) -> dict:
    """The header's values, every one present (missing ones empty)."""
    return {"study": meta.get("study", ""), "date": meta.get("date", ""),
            "participants": meta.get("participants", ""), "codebook": meta.get("codebook", ""),
            "codebook_version": meta.get("codebook_version", ""), "rule": _both(meta.get("rule") or {}),
            "coders": list(meta.get("coders") or ()), "data_hash": meta.get("data_hash", ""),
            "min_cell": meta.get("min_cell", 3), "version": meta.get("version", "")}


def _figure(figure: ReportFigure, images: Mapping[Path, str]) -> dict:
    """The figure's image, alt text and caption in each language (a language without a PNG shows another)."""
    return {"images": [{"lang": lang, "src": images[figure.png.get(lang) or next(iter(figure.png.values()))],
                        "alt": _pick(figure.title, lang), "caption": _pick(figure.caption, lang)}
                       for lang in LANGS]}


NUMBER = re.compile(r"^[<>≤≥]?\s*-?[\d.,]+(\s*%|\s*\([\d.,]+\s*%\))?$")


def _cell_text(value: object) -> str:
    """A value as shown: missing values empty, floats rounded, everything else as ``str``."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}".removesuffix(".0")
    return str(value)


def _column_align(cells: list[str]) -> str | None:
    """``"num"`` for a column of numbers (counts, "<3", "12 (40%)"), ``"text"`` for long text, else None."""
    if any(cells) and all(NUMBER.match(cell.strip()) for cell in cells if cell):
        return "num"
    if cells and sum(map(len, cells)) / len(cells) > 24:
        return "text"
    return None


def _table(table: ReportTable) -> dict:
    """The table as column names with their alignment and rows of shown texts, and its note if any."""
    frame = table.frame
    columns = [[_cell_text(value) for value in frame.iloc[:, j]] for j in range(frame.shape[1])]
    return {"columns": [{"name": str(name), "align": _column_align(cells)}
                        for name, cells in zip(frame.columns, columns, strict=True)],
            "rows": [[cells[i] for cells in columns] for i in range(len(frame))],
            "note": _both(table.note) if any(table.note.values()) else None}


def _part(kind: str, number: int, item: ReportFigure | ReportTable, details: dict) -> dict:
    """A figure or table with its anchor id, kind, number and title in both languages."""
    return {"anchor": f"{kind}-{item.key}", "kind": kind, "number": number, "title": _both(item.title),
            **details}


def _parts(figures: list[ReportFigure], tables: list[ReportTable]) -> Iterator[dict]:
    """Every figure, then every table."""
    images = _page_images(figures)
    for number, figure in enumerate(figures, 1):
        yield _part("figure", number, figure, _figure(figure, images))
    for number, table in enumerate(tables, 1):
        yield _part("table", number, table, _table(table))


def report_html(meta: dict, figures: list[ReportFigure], tables: list[ReportTable]) -> str:
    """The whole report as one HTML page (nothing outside the file is loaded).

    ``meta`` holds ``study``, ``date``, ``codebook``, ``codebook_version``, ``data_hash``, ``rule``
    ({"th", "en"} sentences), ``coders``, ``min_cell``, ``participants`` (interviews) and ``version``.
    Every figure appears in Thai and English (its two PNGs), every table once with both languages'
    titles and notes. All given text is HTML-escaped (the template's autoescape).
    """
    return render_page("report.html.j2", meta=_meta(meta), parts=list(_parts(figures, tables)))


def write_report_html(path: Path, meta: dict, figures: list[ReportFigure], tables: list[ReportTable]) -> Path:
    """Write ``report_html(...)`` to ``path`` atomically (temporary file, then rename); return ``path``."""
    return write_atomic(Path(path), report_html(meta, figures, tables))
