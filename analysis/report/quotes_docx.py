"""The quote bank as a Word document for the team: quotes by right and code, Thai with English.

One Heading 1 per right ("Thai / English", in report order; rights without quotes are left out),
one Heading 2 per code, then each quote (the Thai original), its English translation in italics when
the corpus has one, the coders' memos on the passage ("nok · ช่วงพูด / turn: …", when the quotes have
``memos``) and a small grey source line "transcript · segment · attributes". Thai is
complex script in Word: the styles name Sarabun for every script (``w:cs`` and ``w:eastAsia`` too)
and give the complex-script size (``w:szCs``), so Word and LibreOffice render and size Thai like
the rest; where Sarabun is not installed they fall back to a Thai font of the system (e.g. Tahoma).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from analysis.files import atomic_target
from analysis.report.aggregate import marked_translation

FONT = "Sarabun"
FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
THEME_SLOTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
GREY = RGBColor(0x6B, 0x6B, 0x6B)
WARNING = ("คำพูดในเอกสารนี้เป็นคำให้การที่ปกปิดตัวตนแล้ว ห้ามเผยแพร่หรือส่งต่อนอกทีม",
           "These quotes are anonymised testimony: do not share them outside the team.")
SIZES = {"Normal": 11, "Title": 24, "Subtitle": 14, "Heading 1": 16, "Heading 2": 13}
QUOTE_STYLES = {  # name: (size in points, italic, colour, space after in points)
    "Quote original": (11, False, None, 0),
    "Quote translation": (10.5, True, RGBColor(0x33, 0x33, 0x33), 0),
    "Quote memo": (9, False, RGBColor(0x1F, 0x4E, 0x79), 0),
    "Quote source": (8.5, False, GREY, 10),
}


def _thai_fonts(rpr, size: float | None = None) -> None:
    """Name ``FONT`` for every script in run properties ``rpr`` (theme fonts removed, as they win)."""
    fonts = rpr.get_or_add_rFonts()
    for slot in THEME_SLOTS:
        fonts.attrib.pop(qn(slot), None)
    for slot in FONT_SLOTS:
        fonts.set(qn(slot), FONT)
    if size is not None:
        rpr.get_or_add_sz().val = Pt(size)
        complex_size = rpr.find(qn("w:szCs"))
        if complex_size is None:
            complex_size = OxmlElement("w:szCs")
            rpr.find(qn("w:sz")).addnext(complex_size)  # the schema's order: sz, then szCs
        complex_size.set(qn("w:val"), str(round(size * 2)))  # half-points


def _style_document(document) -> None:
    """Thai-capable fonts and sizes on the defaults and the styles used; the quote styles added."""
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if rpr is not None:
        _thai_fonts(rpr, SIZES["Normal"])
        language = rpr.find(qn("w:lang"))
        if language is not None:
            language.set(qn("w:bidi"), "th-TH")  # the language of complex-script text: Thai line breaking
    for name, size in SIZES.items():
        _thai_fonts(styles[name].element.get_or_add_rPr(), size)
    for name, (size, italic, colour, after) in QUOTE_STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        _thai_fonts(style.element.get_or_add_rPr(), size)
        if italic:
            style.font.italic = True
            style.element.rPr.get_or_add_iCs().val = True
        if colour is not None:
            style.font.color.rgb = colour
        style.paragraph_format.space_after = Pt(after)
        style.quick_style = True  # listed in Word's style gallery, so the team can restyle all quotes at once
        if name != "Quote source":
            style.paragraph_format.keep_with_next = True  # a quote stays on the page of its source line


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _title_page(document, meta: dict) -> None:
    document.add_paragraph(_text(meta.get("study")), style="Title")
    document.add_paragraph("คลังคำพูด / Quote bank", style="Subtitle")
    rule = meta.get("rule") or {}
    lines = [("วันที่ / Date", _text(meta.get("date"))),
             ("สมุดรหัส / Codebook", f"{_text(meta.get('codebook'))}, ฉบับ / version "
                                     f"{_text(meta.get('codebook_version'))}"),
             ("เกณฑ์การนับรหัส", _text(rule.get("th"))),
             ("Coding rule", _text(rule.get("en")))]
    for name, value in lines:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{name}: ").bold = True
        paragraph.add_run(value)
    for sentence in WARNING:
        run = document.add_paragraph().add_run(sentence)
        run.bold = True
        run.font.color.rgb = RGBColor(0xB0, 0x3A, 0x00)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _appender(document):
    """``add(text, style)``, which adds a paragraph at the end of ``document`` in constant time, and the
    end mark to remove when done. python-docx's ``add_paragraph`` looks for the section properties
    through every paragraph so far and finds the style by its name each time (a quote bank of 100,000
    paragraphs took an hour): here each paragraph goes before the end mark, its style set by its id."""
    end = document.add_paragraph()
    ids: dict[str, str] = {}

    def add(text: str, style: str) -> None:
        if style not in ids:
            ids[style] = document.styles[style].style_id
        end.insert_paragraph_before(text)._p.style = ids[style]  # as python-docx's Paragraph.style sets it

    return add, end


def quotes_document(quotes: pd.DataFrame, rights: list[tuple[str, str, str]], meta: dict):
    """The quote bank as a python-docx ``Document`` (see the module's docstring for its layout).

    ``quotes`` has ``right_id, code_id, code_label_th, code_label_en, transcript_id, segment_id,
    quote, translation, attributes`` (``translation_unit`` and ``memos``, a tuple of texts per quote,
    optional) in the order to show; ``rights``
    is ``[(id, Thai, English)]`` in report order. Quotes of a right not in ``rights`` come last under
    its id, never dropped.
    """
    document = Document()
    _style_document(document)
    document.core_properties.title = f"{_text(meta.get('study'))} · Quote bank"
    _title_page(document, meta)
    known = [right_id for right_id, _, _ in rights]
    labels = {right_id: f"{th} / {en}" for right_id, th, en in rights}
    extra = [r for r in dict.fromkeys(quotes["right_id"]) if r not in labels]
    add, end = _appender(document)
    for right_id in [*known, *extra]:
        rows = quotes[quotes["right_id"] == right_id]
        if rows.empty:
            continue
        add(labels.get(right_id, _text(right_id)), style="Heading 1")
        for _, code_rows in rows.groupby("code_id", sort=False):
            first = code_rows.iloc[0]
            add(f"{_text(first['code_label_th'])} / {_text(first['code_label_en'])}", style="Heading 2")
            for row in code_rows.itertuples(index=False):
                add(_text(row.quote), style="Quote original")
                if translation := marked_translation(row.translation, getattr(row, "translation_unit", "")):
                    add(translation, style="Quote translation")
                for memo in getattr(row, "memos", None) or ():
                    add(memo, style="Quote memo")
                source = [_text(row.transcript_id), _text(row.segment_id), _text(row.attributes)]
                add(" · ".join(part for part in source if part), style="Quote source")
    end._element.getparent().remove(end._element)
    return document


def write_quotes_docx(path: Path, quotes: pd.DataFrame, rights: list[tuple[str, str, str]],
                      meta: dict) -> Path:
    """Write the quote bank to ``path`` atomically (``analysis.files``); return ``path``."""
    document = quotes_document(quotes, rights, meta)
    with atomic_target(path) as temporary:
        document.save(str(temporary))
    return Path(path)
