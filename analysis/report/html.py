"""The report as ONE self-contained HTML page in Thai and English.

Everything is inside the file: figures as ``data:image/png;base64`` images (made lighter for the
page: 1,400 pixels wide at most, 256 colours; the PNG files keep 300 dpi), the Sarabun font as
``@font-face`` (``analysis.pages.webfont``), the style and a few lines of script. Both languages are in the
page as elements with ``lang="th"`` / ``lang="en"``; the script sets ``data-lang`` on ``<html>`` and
the style hides the other language (Thai first; ``?lang=en`` or ``#lang=en`` opens it in English;
the reader's last choice is remembered in ``localStorage`` and restored on the next visit). Table
headers switch too. Without JavaScript both languages show. After the tables come the quotes, one
section per right: the Thai original, its English translation, the coders' memos on the quoted passage
(as in quotes.docx) and the source line, with only the
attributes the quote bank allows (``analysis.report.aggregate.quote_bank``: a combination shared by
``min_cell`` participants). In print, no figure and no table row is split across pages and table
headers repeat on every page; the page reads on a phone.

This module prepares plain data; the markup, style and script are the templates ``report.html.j2``,
``report.css`` and ``report.js`` in ``analysis/pages/templates/``, which escape every value.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from analysis.files import write_atomic
from analysis.pages.render import data_uri, render_page
from analysis.report.aggregate import marked_translation

LANGS = ("th", "en")
PAGE_WIDTH_PX = 1400  # figures on the page: sharp in a 700-pixel column on a 2x screen


@dataclass
class ReportFigure:
    """A figure of the report: ``png`` maps a language to its 300-dpi PNG file; ``pages`` to its page
    image (``page_image`` bytes) when it was made already, while the figure was drawn."""

    key: str
    title: dict[str, str]
    caption: dict[str, str]
    png: dict[str, Path]
    pages: dict[str, bytes] = field(default_factory=dict)


class Texts(NamedTuple):
    """A text in Thai and in English: a table cell that follows the page's language switch."""

    th: str
    en: str

    def __str__(self) -> str:
        return self.th if self.th == self.en else f"{self.th} / {self.en}"


@dataclass
class ReportTable:
    """A table of the report; ``frame`` is display-ready (hidden counts already "<3") for both languages.

    A cell may be a :class:`Texts` (shown in the page's language). ``headers`` names columns per
    language (``{"site": {"th": "พื้นที่", "en": "site"}}``); a column not named there takes its name
    from ``frame.attrs["headers"]`` (the same form), then ``HEADERS``, else its own name in both languages.
    """

    key: str
    title: dict[str, str]
    note: dict[str, str]
    frame: pd.DataFrame
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


HEADERS = {  # column names of the report's tables in each language
    "id": {"th": "รหัส", "en": "id"}, "right / สิทธิ": {"th": "สิทธิ", "en": "right"},
    "label_th": {"th": "ชื่อ (ไทย)", "en": "label (Thai)"},
    "label_en": {"th": "ชื่อ (อังกฤษ)", "en": "label (English)"},
    "segments": {"th": "ช่วงข้อความ", "en": "segments"}, "n_segments": {"th": "ช่วงข้อความ", "en": "segments"},
    "participants": {"th": "ผู้ให้ข้อมูล", "en": "participants"}, "share": {"th": "สัดส่วน", "en": "share"},
    "percent": {"th": "ร้อยละ", "en": "%"}, "group": {"th": "กลุ่ม", "en": "group"},
    "group_size": {"th": "ขนาดกลุ่ม", "en": "group size"}, "n_coders": {"th": "ผู้ลงรหัส", "en": "coders"},
    "used_by": {"th": "ผู้ใช้รหัส", "en": "used by"},
    "percent_agreement": {"th": "ตรงกัน (ร้อยละ)", "en": "agreement %"},
    "kappa": {"th": "κ", "en": "κ"}, "alpha": {"th": "α", "en": "α"},
    "alpha_low": {"th": "α ต่ำสุด (95%)", "en": "α low (95%)"},
    "alpha_high": {"th": "α สูงสุด (95%)", "en": "α high (95%)"}, "verdict": {"th": "ผล", "en": "verdict"},
    "label": {"th": "ชื่อ", "en": "label"},
}
NOT_BROKEN_DOWN = {  # why an attribute of the study has no breakdown (analysis.report.disclosure, rule 1)
    "th": "ไม่แยกผลตาม{names} เพราะเมื่อรวมกลุ่มที่มีผู้ให้ข้อมูลน้อยกว่า {m} คนเข้าด้วยกันแล้ว เหลือไม่ถึงสองกลุ่ม "
          "การแยกผลจึงอาจทำให้ระบุตัวบุคคลได้",
    "en": "Not broken down by {names}: after merging the groups of fewer than {m} participants, fewer than "
          "two groups were left, so a breakdown could single someone out",
}
QUOTES_PER_CODE = 5  # in report.html (one per participant first); quotes.docx holds every quote


def page_png(path: Path, width: int = PAGE_WIDTH_PX) -> bytes:
    """The page image (``page_image``) of a figure's PNG file."""
    from PIL import Image

    with Image.open(path) as image:
        return page_image(image, width)


def page_image(image, width: int = PAGE_WIDTH_PX) -> bytes:
    """A figure (a PIL image, or an RGBA pixel array) made light for the page: at most ``width`` pixels
    wide, on white, in 256 colours (the files in ``figures/`` keep their 300 dpi for print)."""
    from PIL import Image

    image = image if isinstance(image, Image.Image) else Image.fromarray(image, "RGBA")
    image = image if image.mode == "RGBA" else image.convert("RGBA")
    if image.getchannel("A").getextrema()[0] < 255:  # see-through somewhere: onto white
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
    flat = image.convert("RGB")
    if flat.width > width:  # Hamming: as sharp as Lanczos for text at this ratio, in half the time
        flat = flat.resize((width, round(flat.height * width / flat.width)), Image.Resampling.HAMMING,
                           reducing_gap=2.0)
    buffer = io.BytesIO()
    palette = flat.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    palette.save(buffer, "PNG")  # optimize=True would take 5x longer for 3% less
    return buffer.getvalue()


def _page_images(figures: list[ReportFigure]) -> dict[Path, str]:
    """Every figure PNG as a page image (data URI): the one made while drawing, else made from the file
    now, on all cores (Pillow works outside the GIL)."""
    made = {path: figure.pages[lang] for figure in figures for lang, path in figure.png.items()
            if lang in figure.pages}
    paths = list(dict.fromkeys(path for figure in figures for path in figure.png.values()))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        images = pool.map(lambda path: data_uri(made.get(path) or page_png(path), "image/png"), paths)
        return dict(zip(paths, images, strict=True))


def _pick(texts: Mapping[str, str], lang: str) -> str:
    """The text in ``lang``, else in the other language, else ""."""
    return texts.get(lang) or next((texts[other] for other in LANGS if texts.get(other)), "")


def _both(texts: Mapping[str, str]) -> dict[str, str]:
    """``{"th": ..., "en": ...}``, each language falling back on the other."""
    return {lang: _pick(texts, lang) for lang in LANGS}


def _not_broken_down(names: Sequence[str], min_cell: int) -> dict[str, str] | None:
    """The sentence, in each language, naming the attributes ``names`` that could not be broken down."""
    from analysis.report.figures.style import attribute_label

    if not names:
        return None
    return {lang: NOT_BROKEN_DOWN[lang].format(names=", ".join(attribute_label(n, lang) for n in names),
                                               m=min_cell) for lang in LANGS}


def _meta(meta: Mapping) -> dict:
    """The header's values, every one present (missing ones empty)."""
    return {"not_broken_down": _not_broken_down(meta.get("not_broken_down") or (), meta.get("min_cell", 3)),
            "study": meta.get("study", ""), "date": meta.get("date", ""),
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
    if isinstance(value, Texts):
        return str(value)
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


def _header(name: object, given: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """A column's name in each language: as given, else from ``HEADERS``, else its own name (a group's
    size "(n = 9)" kept on one line)."""
    names = given.get(name) or HEADERS.get(name) or {}
    return {lang: (names.get(lang) or str(name)).replace("(n = ", "(n\u00a0=\u00a0") for lang in LANGS}


def _cell(value: object) -> str | dict[str, str]:
    """A cell as shown: the same text in both languages, or ``{"th", "en"}`` for a :class:`Texts`."""
    if isinstance(value, Texts):
        return {lang: _cell_text(text) for lang, text in zip(LANGS, value, strict=True)}
    return _cell_text(value)


def _shown(cell: str | dict[str, str]) -> list[str]:
    """A cell's texts (one per language it has)."""
    return list(cell.values()) if isinstance(cell, dict) else [cell]


def _table(table: ReportTable) -> dict:
    """The table as column names (per language) with their alignment, rows of shown texts (a text or
    one per language), its note if any."""
    frame = table.frame
    headers = {**frame.attrs.get("headers", {}), **table.headers}
    columns = [[_cell(value) for value in frame.iloc[:, j]] for j in range(frame.shape[1])]
    return {"columns": [{"name": _header(name, headers),
                         "align": _column_align([text for cell in cells for text in _shown(cell)])}
                        for name, cells in zip(frame.columns, columns, strict=True)],
            "rows": [[cells[i] for cells in columns] for i in range(len(frame))],
            "note": _both(table.note) if any(table.note.values()) else None}


def _part(kind: str, number: int, item: ReportFigure | ReportTable, details: dict) -> dict:
    """A figure or table with its anchor id, kind, number and title in both languages."""
    return {"anchor": f"{kind}-{item.key}", "kind": kind, "number": number, "title": _both(item.title),
            **details}


def _quote(row: Mapping) -> dict:
    """One quote as shown: the original, its translation ("" when none), the coders' memos on the passage
    ("nok · ช่วงพูด / turn: …", as in quotes.docx; none when the quotes have no ``memos``) and the source
    line."""
    source = (_cell_text(row[name]) for name in ("transcript_id", "segment_id", "attributes"))
    return {"text": _cell_text(row["quote"]),
            "translation": marked_translation(row["translation"], row.get("translation_unit", "")),
            "memos": [_cell_text(memo) for memo in row.get("memos", None) or ()],
            "source": " · ".join(part for part in source if part)}


def _code_quotes(rows: pd.DataFrame, per_code: int) -> dict:
    """A code's label in each language and its first ``per_code`` quotes, one per participant first."""
    first = rows.iloc[0]
    order = rows.loc[list(dict.fromkeys([*rows.drop_duplicates("transcript_id").index, *rows.index]))]
    label = {lang: _cell_text(first[f"code_label_{lang}"]) for lang in LANGS}
    return {"label": _both(label),
            "quotes": [_quote(row) for _, row in order.head(per_code).iterrows()],
            "more": max(len(rows) - per_code, 0)}


OTHER_CODES = "other"  # the section of quotes whose code is under no right (actors, agency, ...)


def _quote_parts(quotes: pd.DataFrame | None, rights: Sequence[tuple[str, str, str]],
                 per_code: int) -> Iterator[dict]:
    """One part per right with quotes, in report order (rights not in ``rights`` after them, under
    their id), then one for the codes under no right."""
    if quotes is None or quotes.empty:
        return
    names = {right_id: {"th": th, "en": en} for right_id, th, en in rights}
    names[OTHER_CODES] = {"th": "รหัสอื่นที่ไม่อยู่ใต้สิทธิใด", "en": "Other codes (under no right)"}
    groups = quotes.assign(right_id=quotes["right_id"].map(_cell_text).replace("", OTHER_CODES))
    by_right = dict(tuple(groups.groupby("right_id", sort=False)))
    extra = sorted(right_id for right_id in by_right if right_id not in names)
    for right_id in [*(r for r in names if r != OTHER_CODES), *extra, OTHER_CODES]:
        if right_id not in by_right:
            continue
        codes = [_code_quotes(rows, per_code)
                 for _, rows in by_right[right_id].groupby("code_id", sort=False)]
        yield {"anchor": f"quotes-{right_id}", "kind": "quotes",
               "title": _both(names.get(right_id) or {"en": right_id}), "codes": codes}


def _parts(figures: list[ReportFigure], tables: list[ReportTable]) -> Iterator[dict]:
    """Every figure, then every table."""
    images = _page_images(figures)
    for number, figure in enumerate(figures, 1):
        yield _part("figure", number, figure, _figure(figure, images))
    for number, table in enumerate(tables, 1):
        yield _part("table", number, table, _table(table))


def report_html(meta: dict, figures: list[ReportFigure], tables: list[ReportTable],
                quotes: pd.DataFrame | None = None, rights: Sequence[tuple[str, str, str]] = (), *,
                per_code: int = QUOTES_PER_CODE) -> str:
    """The whole report as one HTML page (nothing outside the file is loaded).

    ``meta`` holds ``study``, ``date``, ``codebook``, ``codebook_version``, ``data_hash``, ``rule``
    ({"th", "en"} sentences), ``coders``, ``min_cell``, ``participants`` (interviews) and ``version``.
    Every figure appears in Thai and English (its two PNGs), every table once with both languages'
    titles, notes and headers. ``quotes`` is the quote bank (``quote_bank``: its attributes already
    safe to show) and ``rights`` is ``[(id, Thai, English)]`` in report order: one quotes section
    per right, at most ``per_code`` quotes per code. All given text is HTML-escaped (autoescape).
    """
    return render_page("report.html.j2", meta=_meta(meta), parts=list(_parts(figures, tables)),
                       quote_parts=list(_quote_parts(quotes, rights, per_code)))


def write_report_html(path: Path, meta: dict, figures: list[ReportFigure], tables: list[ReportTable],
                      quotes: pd.DataFrame | None = None,
                      rights: Sequence[tuple[str, str, str]] = ()) -> Path:
    """Write ``report_html(...)`` to ``path`` atomically (temporary file, then rename); return ``path``."""
    return write_atomic(Path(path), report_html(meta, figures, tables, quotes, rights))
