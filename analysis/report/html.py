"""The report as ONE self-contained HTML page in Thai and English.

Everything is inside the file: figures as ``data:image/png;base64`` images (made lighter for the
page: 1,400 pixels wide at most, 256 colours; the PNG files keep 300 dpi), the Sarabun font as
``@font-face`` (``analysis.pages.webfont``), the style and a few lines of script. Both languages are in the
page as elements with ``lang="th"`` / ``lang="en"``; the script sets ``data-lang`` on ``<html>`` and
the style hides the other language (Thai first; ``?lang=en`` or ``#lang=en`` opens it in English).
Without JavaScript both languages show. The page prints one figure per block and reads on a phone.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.pages.webfont import sarabun_font_face

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


CSS = """
:root { --accent: #0072B2; --muted: #555; --rule: #d0d7de; }
* { box-sizing: border-box; }
body { font-family: Sarabun, Tahoma, sans-serif; font-size: 1.05rem; line-height: 1.6; color: #1a1a1a;
       max-width: 62rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
html[data-lang="th"] [lang="en"]:not(.to), html[data-lang="en"] [lang="th"]:not(.to),
html[data-lang="th"] .to[lang="th"], html[data-lang="en"] .to[lang="en"] { display: none; }
html:not([data-lang]) span[lang="en"]:not(.to)::before { content: " / "; color: var(--muted); }
header { border-bottom: 4px solid var(--accent); margin-bottom: 1.5rem; padding-bottom: .5rem; }
.bar { display: flex; justify-content: space-between; align-items: center; gap: 1rem; }
.kicker { color: var(--muted); margin: 0; }
#lang-switch { font: inherit; font-weight: bold; color: #fff; background: var(--accent); border: 0;
               border-radius: 999px; padding: .35rem 1.1rem; cursor: pointer; white-space: nowrap; }
#lang-switch:focus-visible { outline: 3px solid #E69F00; outline-offset: 2px; }
h1 { font-size: 1.9rem; line-height: 1.3; margin: .4rem 0 1rem; }
h2 { font-size: 1.35rem; line-height: 1.35; margin: 0 0 .6rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.25rem; margin: 0 0 1rem; }
dl.meta dt { font-weight: bold; color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.hash { font-family: ui-monospace, monospace; font-size: .95em; background: #eef4fa; padding: 0 .3rem;
        border-radius: 3px; }
.warning { border-left: 5px solid #D55E00; background: #fdf1ea; padding: .5rem .9rem; margin: 1rem 0; }
nav { background: #f6f8fa; border-radius: 8px; padding: .8rem 1.2rem; margin-bottom: 2rem; }
nav ol { margin: .2rem 0 0; padding-left: 1.5rem; }
nav a { color: var(--accent); text-decoration: none; } nav a:hover { text-decoration: underline; }
section.part { border-top: 1px solid var(--rule); padding-top: 1.2rem; margin-top: 2rem; }
.number { color: var(--accent); }
figure { margin: 0 0 1rem; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 4px;
             background: #fff; }
figcaption, p.note { color: var(--muted); font-size: .95rem; margin: .5rem 0 0; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { border-bottom: 1px solid var(--rule); padding: .35rem .6rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--accent); background: #f6f8fa; }
th.text, td.text { min-width: 13rem; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
footer { margin-top: 3rem; color: var(--muted); font-size: .9rem; border-top: 1px solid var(--rule);
         padding-top: .5rem; }
@media (max-width: 40rem) {
  body { padding: .75rem .75rem 2rem; font-size: 1rem; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; }
  dl.meta { grid-template-columns: 1fr; } dl.meta dd { margin-bottom: .4rem; }
  th, td { padding: .3rem .4rem; } th.text, td.text { min-width: 11rem; }
}
@media print {
  @page { size: A4; margin: 15mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  #lang-switch, nav { display: none; }
  section.part { border-top: 0; margin-top: 1.5rem; }
  section.part:has(figure) { break-before: page; margin-top: 0; }
  h2 { break-after: avoid; }
  figure img { border: 0; max-height: 235mm; object-fit: contain; }
  .scroll { overflow: visible; }
  table { font-size: 8.5pt; } th, td { padding: .2rem .3rem; } th.text, td.text { min-width: 0; }
  thead { display: table-header-group; } tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

SCRIPT = """
(function () {
  var root = document.documentElement, button = document.getElementById("lang-switch");
  var asked = /(?:^|[?#&])lang=(th|en)\\b/.exec(location.search + "&" + location.hash.slice(1));
  function show(lang) { root.setAttribute("data-lang", lang); root.lang = lang; }
  show(asked ? asked[1] : "th");
  button.hidden = false;
  button.addEventListener("click", function () {
    show(root.getAttribute("data-lang") === "th" ? "en" : "th");
  });
})();
"""

TEXT = {  # fixed words of the page: (Thai, English)
    "kicker": ("รายงานผลการวิเคราะห์ · สิทธิ", "Analysis report · Sitthi"),
    "date": ("วันที่", "Date"),
    "participants": ("ผู้ให้ข้อมูล", "Participants"),
    "codebook": ("สมุดรหัส", "Codebook"),
    "rule": ("เกณฑ์การนับรหัส", "Coding rule"),
    "coders": ("ผู้ลงรหัส", "Coders"),
    "data": ("รหัสตรวจสอบข้อมูล", "Data hash"),
    "small": ("จำนวนน้อย", "Small counts"),
    "contents": ("สารบัญ", "Contents"),
    "figure": ("แผนภูมิ", "Figure"),
    "table": ("ตาราง", "Table"),
}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _both(th: str, en: str, tag: str = "span", attrs: str = "") -> str:
    """Two elements, Thai and English; ``th`` and ``en`` are HTML already escaped."""
    return f"<{tag} lang='th'{attrs}>{th}</{tag}><{tag} lang='en'{attrs}>{en}</{tag}>"


def _text(key: str, tag: str = "span") -> str:
    th, en = TEXT[key]
    return _both(_e(th), _e(en), tag)


def _pick(texts: Mapping[str, str], lang: str) -> str:
    """The text in ``lang``, else in the other language, else ""."""
    return texts.get(lang) or next((texts[other] for other in LANGS if texts.get(other)), "")


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


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(page_png(path)).decode("ascii")


def _page_images(figures: list[ReportFigure]) -> dict[Path, str]:
    """Every figure PNG as a page image (data URI), made on all cores (Pillow works outside the GIL)."""
    paths = list(dict.fromkeys(path for figure in figures for path in figure.png.values()))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(paths, pool.map(_data_uri, paths), strict=True))


def _header(meta: Mapping) -> str:
    study = _e(meta.get("study", ""))
    n, min_cell = meta.get("participants", ""), meta.get("min_cell", 3)
    rule = meta.get("rule") or {}
    codebook = f"{_e(meta.get('codebook', ''))}, "
    rows = [
        ("date", _e(meta.get("date", ""))),
        ("participants", _both(f"{_e(n)} คน (หนึ่งคนคือหนึ่งบทสัมภาษณ์ ไม่นับฉบับแปลซ้ำ)",
                               f"{_e(n)} (one participant is one interview; translations are not "
                               "counted again)")),
        ("codebook", _both(f"{codebook}ฉบับ {_e(meta.get('codebook_version', ''))}",
                           f"{codebook}version {_e(meta.get('codebook_version', ''))}")),
        ("rule", _both(_e(_pick(rule, "th")), _e(_pick(rule, "en")))),
        ("coders", _e(", ".join(meta.get("coders") or ()))),
        ("data", f"<span class='hash'>{_e(meta.get('data_hash', ''))}</span>"),
        ("small", _both(f"จำนวนที่น้อยกว่า {_e(min_cell)} แสดงเป็น &lt;{_e(min_cell)} "
                        "เพื่อไม่ให้ระบุตัวบุคคลได้",
                        f"Counts below {_e(min_cell)} are shown as &lt;{_e(min_cell)} so that no one "
                        "can be singled out")),
    ]
    items = "".join(f"<dt>{_text(key)}</dt><dd>{value}</dd>" for key, value in rows)
    return (f"<header><div class='bar'><p class='kicker'>{_text('kicker')}</p>"
            "<button type='button' id='lang-switch' hidden><span class='to' lang='en'>English</span>"
            "<span class='to' lang='th'>ภาษาไทย</span></button></div>"
            f"<h1>{study}</h1><dl class='meta'>{items}</dl></header>")


def _parts(figures: list[ReportFigure], tables: list[ReportTable]) -> Iterator[tuple[str, str, int, object]]:
    """(anchor id, kind, number, part) of every figure, then every table."""
    for n, figure in enumerate(figures, 1):
        yield f"figure-{figure.key}", "figure", n, figure
    for n, table in enumerate(tables, 1):
        yield f"table-{table.key}", "table", n, table


def _heading(kind: str, number: int, title: Mapping[str, str]) -> tuple[str, str]:
    th, en = TEXT[kind]
    return (f"<span class='number'>{_e(th)} {number}</span> {_e(_pick(title, 'th'))}",
            f"<span class='number'>{_e(en)} {number}</span> {_e(_pick(title, 'en'))}")


def _figure(anchor: str, number: int, figure: ReportFigure, images: Mapping[Path, str]) -> str:
    heading = _heading("figure", number, figure.title)
    blocks = []
    for lang in LANGS:
        png = figure.png.get(lang) or next(iter(figure.png.values()))
        title = _e(_pick(figure.title, lang))
        blocks.append(f"<figure lang='{lang}'><img src='{images[png]}' alt='{title}'>"
                      f"<figcaption>{_e(_pick(figure.caption, lang))}</figcaption></figure>")
    return (f"<section class='part' id='{_e(anchor)}'><h2>{_both(*heading)}</h2>"
            f"{''.join(blocks)}</section>")


NUMBER = re.compile(r"^[<>≤≥]?\s*-?[\d.,]+(\s*%|\s*\([\d.,]+\s*%\))?$")


def _cell_text(value: object) -> str:
    """A value as shown: missing values empty, floats rounded, everything else as ``str``."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}".removesuffix(".0")
    return str(value)


def _column_class(cells: list[str]) -> str:
    """`` class='num'`` for a column of numbers, `` class='text'`` for long text, else ""."""
    if any(cells) and all(NUMBER.match(cell.strip()) for cell in cells if cell):
        return " class='num'"
    if cells and sum(map(len, cells)) / len(cells) > 24:
        return " class='text'"
    return ""


def _table(anchor: str, number: int, table: ReportTable) -> str:
    """A table, every cell escaped; columns of numbers (counts, "<3", "12 (40%)") are right-aligned and
    columns of long text keep a readable width (a wide table scrolls sideways rather than squeezing them)."""
    heading = _heading("table", number, table.title)
    names = [str(name) for name in table.frame.columns]
    columns = [[_cell_text(value) for value in table.frame.iloc[:, j]] for j in range(len(names))]
    align = [_column_class(cells) for cells in columns]
    head = "".join(f"<th scope='col'{align[j]}>{_e(name)}</th>" for j, name in enumerate(names))
    rows = ("".join(f"<td{align[j]}>{_e(cells[i])}</td>" for j, cells in enumerate(columns))
            for i in range(len(table.frame)))
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    note = ""
    if any(table.note.values()):
        note = _both(_e(_pick(table.note, "th")), _e(_pick(table.note, "en")), "p", " class='note'")
    return (f"<section class='part' id='{_e(anchor)}'><h2>{_both(*heading)}</h2>{note}"
            f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
            "</section>")


def report_html(meta: dict, figures: list[ReportFigure], tables: list[ReportTable]) -> str:
    """The whole report as one HTML page (nothing outside the file is loaded).

    ``meta`` holds ``study``, ``date``, ``codebook``, ``codebook_version``, ``data_hash``, ``rule``
    ({"th", "en"} sentences), ``coders``, ``min_cell``, ``participants`` (interviews) and ``version``.
    Every figure appears in Thai and English (its two PNGs), every table once with both languages'
    titles and notes. All given text is HTML-escaped.
    """
    parts = list(_parts(figures, tables))
    contents = "".join(f"<li><a href='#{_e(anchor)}'>{_both(*_heading(kind, n, part.title))}</a></li>"
                       for anchor, kind, n, part in parts)
    images = _page_images(figures)
    body = "".join(_figure(anchor, n, part, images) if kind == "figure" else _table(anchor, n, part)
                   for anchor, kind, n, part in parts)
    title = f"{_e(meta.get('study', ''))} · รายงาน / Report"
    footer = _both(f"ทำด้วยสิทธิ (Sitthi) รุ่น {_e(meta.get('version', ''))}",
                   f"Made with Sitthi {_e(meta.get('version', ''))}", "p")
    return ("<!DOCTYPE html>\n<html lang='th'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{title}</title><style>{sarabun_font_face()}{CSS}</style></head><body>"
            f"{_header(meta)}<nav><h2>{_text('contents')}</h2><ol>{contents}</ol></nav>"
            f"<main>{body}</main><footer>{footer}</footer><script>{SCRIPT}</script></body></html>\n")


def write_report_html(path: Path, meta: dict, figures: list[ReportFigure], tables: list[ReportTable]) -> Path:
    """Write ``report_html(...)`` to ``path`` atomically (temporary file, then rename); return ``path``."""
    from analysis.coding.store import write_atomic

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, report_html(meta, figures, tables))
    return path
