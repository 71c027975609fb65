"""The quote bank as .docx: title page with the warning, rights and codes as headings, Thai fonts."""

from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from analysis.report.quotes_docx import FONT, write_quotes_docx

META = {"study": "สิทธิหลังการบุกค้น (สมมติ)", "date": "2025-11-29", "codebook": "rights-violations",
        "codebook_version": "1.2", "rule": {"th": "รหัสหนึ่งนับเมื่อผู้ลงรหัสเกินครึ่งใช้รหัสนั้น",
                                            "en": "A code counts when more than half applied it"}}
RIGHTS = [("LIB", "เสรีภาพ", "Liberty"), ("PRIV", "ความเป็นส่วนตัว", "Privacy"),
          ("FTR", "การพิจารณาคดีที่เป็นธรรม", "Fair trial")]
COLUMNS = ["right_id", "code_id", "code_label_th", "code_label_en", "transcript_id", "segment_id", "quote",
           "translation", "attributes"]
ROWS = [
    ("FTR", "FTR-INTERP", "ไม่มีล่าม", "No interpreter", "P5", "P5:0004", "ไม่มีล่ามเลย", "No interpreter at all.",
     "site: A"),
    ("LIB", "LIB-SHEL", "ถูกกักในบ้านพัก", "Held in a shelter", "P1", "P1:0002", "ตำรวจพาไปบ้านพัก อยู่สองเดือน",
     "The police took me to a shelter for two months.", "site: A · group: thai"),
    ("LIB", "LIB-SHEL", "ถูกกักในบ้านพัก", "Held in a shelter", "P2", "P2:0002", "เขาไม่ให้ออกไปไหน", "", ""),
    ("LIB", "LIB-DET", "ถูกควบคุมตัว", "Detained", "P2", "P2:0002", "ขังไว้ที่สถานีตำรวจ", "", "site: A"),
]


@pytest.fixture
def document(tmp_path: Path):
    quotes = pd.DataFrame(ROWS, columns=COLUMNS)
    path = write_quotes_docx(tmp_path / "out" / "quotes.docx", quotes, RIGHTS, META)
    assert path == tmp_path / "out" / "quotes.docx"
    assert [p.name for p in path.parent.iterdir()] == ["quotes.docx"]  # no temporary file left
    return Document(str(path))


def test_quotes_docx_holds_quotes_translations_and_sources(document) -> None:
    paragraphs = {p.text: p for p in document.paragraphs}
    assert paragraphs["ตำรวจพาไปบ้านพัก อยู่สองเดือน"].style.name == "Quote original"
    translation = paragraphs["The police took me to a shelter for two months."]
    assert translation.style.name == "Quote translation" and translation.style.font.italic
    assert "P1 · P1:0002 · site: A · group: thai" in paragraphs
    assert "P2 · P2:0002" in paragraphs  # no attributes shown: no trailing separator
    texts = [p.text for p in document.paragraphs]
    at = texts.index("เขาไม่ให้ออกไปไหน")
    assert texts[at + 1] == "P2 · P2:0002"  # no empty translation paragraph
    source = document.styles["Quote source"].font
    assert source.size.pt == 8.5 and source.color.rgb is not None


def test_quotes_docx_title_page_states_the_rule_and_the_warning(document) -> None:
    text = "\n".join(p.text for p in document.paragraphs[:12])
    for value in (META["study"], META["date"], "1.2", META["rule"]["th"], META["rule"]["en"]):
        assert value in text
    assert "ห้ามเผยแพร่" in text and "do not share them outside the team" in text
    assert document.paragraphs[0].style.name == "Title"


def test_quotes_docx_headings_follow_the_rights_order_and_skip_empty_rights(document) -> None:
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "เสรีภาพ / Liberty"),
                        ("Heading 2", "ถูกกักในบ้านพัก / Held in a shelter"),
                        ("Heading 2", "ถูกควบคุมตัว / Detained"),
                        ("Heading 1", "การพิจารณาคดีที่เป็นธรรม / Fair trial"),
                        ("Heading 2", "ไม่มีล่าม / No interpreter")]  # PRIV has no quotes


def test_quotes_docx_sets_a_thai_font_for_complex_script(document) -> None:
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Quote original"):
        rpr = document.styles[name].element.rPr
        fonts = rpr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:cs")) == FONT and fonts.get(qn("w:eastAsia")) == FONT, name
        assert fonts.get(qn("w:cstheme")) is None, name  # a theme font would override w:cs
        assert rpr.find(qn("w:szCs")).get(qn("w:val")) == rpr.find(qn("w:sz")).get(qn("w:val")), name
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:cs")) == FONT
    assert defaults.find(qn("w:lang")).get(qn("w:bidi")) == "th-TH"
