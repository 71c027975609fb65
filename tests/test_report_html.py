"""The HTML report page: self-contained, bilingual with a switch that is remembered (headers too), quotes
per right, print that keeps tables and figures whole, all given text escaped; the web font."""

import base64
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path

import lxml.html
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from analysis.pages.webfont import sarabun_font_face
from analysis.report.html import (
    PAGE_WIDTH_PX,
    QUOTES_PER_CODE,
    ReportFigure,
    ReportTable,
    Texts,
    report_html,
    write_report_html,
)

CHROMIUM = os.environ.get("SITTHI_CHROMIUM", "/usr/bin/chromium")
META = {"study": "สิทธิหลังการบุกค้น <demo> & co", "date": "2025-11-29", "codebook": "rights-violations",
        "codebook_version": "1.2", "data_hash": "3f9a1c2b7d4e",
        "rule": {"th": "รหัสหนึ่งนับเมื่อผู้ลงรหัสเกินครึ่งใช้รหัสนั้น",
                 "en": "A code counts when more than half applied it"},
        "coders": ["nok", "mai"], "min_cell": 3, "participants": 24, "version": "0.1.0"}


def _png(path: Path, colour: str, dpi: int = 40) -> Path:
    figure = Figure(figsize=(2, 1))
    figure.subplots().bar([0, 1], [2, 3], color=colour)
    figure.savefig(path, dpi=dpi)
    return path


@pytest.fixture
def parts(tmp_path: Path) -> tuple[list[ReportFigure], list[ReportTable]]:
    figures = [ReportFigure(key, {"th": f"แผนภูมิ {key} ไทย", "en": f'Figure "{key}" in English'},
                            {"th": "n = 24 คน หน่วย: ผู้ให้ข้อมูล", "en": "n = 24 participants"},
                            {lang: _png(tmp_path / f"{key}-{lang}.png", colour, dpi)
                             for lang, colour in (("th", "#0072B2"), ("en", "#E69F00"))})
               for key, dpi in (("rights-violated", 40), ("rights-by-site", 900))]  # 80 and 1800 px wide
    frame = pd.DataFrame({"right / สิทธิ": ["LIB เสรีภาพ / Liberty", "<script>alert(1)</script>"],
                          "Pattaya (n = 10)": ["8 (80%)", "<3"], "share": [0.75, float("nan")]})
    tables = [ReportTable("rights-by-site", {"th": "สิทธิ แยกตามพื้นที่", "en": "Rights by site"},
                          {"th": "จำนวนที่น้อยกว่า 3 แสดงเป็น <3", "en": "Counts below 3 are shown as <3"}, frame)]
    return figures, tables


def test_report_html_embeds_every_figure_and_loads_nothing_from_outside(parts) -> None:
    figures, tables = parts
    page = report_html(META, figures, tables)
    document = lxml.html.fromstring(page)
    images = document.xpath("//img")
    assert len(images) == 2 * len(figures)  # each figure in Thai and in English
    assert page.count("<img src='data:image/png;base64,") == len(images)
    for figure in figures:
        for lang in ("th", "en"):
            image, = document.xpath(f"//section[@id='figure-{figure.key}']/figure[@lang='{lang}']/img")
            embedded = Image.open(io.BytesIO(base64.b64decode(image.get("src").split(",", 1)[1])))
            original = Image.open(figure.png[lang])
            assert embedded.format == "PNG" and embedded.mode == "P"  # 256 colours
            assert embedded.width == min(original.width, PAGE_WIDTH_PX)
            assert abs(embedded.height / embedded.width - original.height / original.width) < 0.01
            assert image.get("alt") == figure.title[lang]
    assert "http://" not in page and "https://" not in page
    assert all(e.get("src").startswith("data:") for e in document.xpath("//*[@src]"))
    assert all(e.get("href").startswith("#") for e in document.xpath("//*[@href]"))  # contents links only
    assert not document.xpath("//link | //iframe | //object | //script[@src]")
    assert "@font-face { font-family: Sarabun" in page


def test_report_html_has_both_languages_thai_first_and_a_switch(parts) -> None:
    figures, tables = parts
    document = lxml.html.fromstring(report_html(META, figures, tables))
    assert document.get("lang") == "th"
    th = " ".join(e.text_content() for e in document.xpath("//*[@lang='th']"))
    en = " ".join(e.text_content() for e in document.xpath("//*[@lang='en']"))
    assert "สารบัญ" in th and "แผนภูมิ rights-violated ไทย" in th and META["rule"]["th"] in th
    assert "Contents" in en and 'Figure "rights-by-site" in English' in en and META["rule"]["en"] in en
    assert "Counts below 3 are shown as <3" in en and "จำนวนที่น้อยกว่า 3 แสดงเป็น <3" in th
    button, = document.xpath("//button[@id='lang-switch']")
    assert button.get("hidden") is not None  # shown by the script: without JavaScript both languages show
    script, = document.xpath("//script")
    assert "data-lang" in script.text and '"th"' in script.text
    style = document.xpath("//style")[0].text
    assert 'html[data-lang="th"] [lang="en"]' in style
    assert "@media print" in style and "break-inside: avoid" in style
    header = document.xpath("//header")[0].text_content()
    for value in ("1.2", "3f9a1c2b7d4e", "2025-11-29", "24", "nok, mai"):
        assert value in header
    contents = [a.get("href") for a in document.xpath("//nav//a")]
    assert contents == ["#figure-rights-violated", "#figure-rights-by-site", "#table-rights-by-site"]
    assert document.xpath("//meta[@name='viewport']")


def test_report_html_escapes_every_given_text(parts) -> None:
    figures, tables = parts
    page = report_html(META, figures, tables)
    document = lxml.html.fromstring(page)
    assert len(document.xpath("//script")) == 1  # the page's own, not the table cell
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    cells = [[td.text_content() for td in tr.xpath("td")] for tr in document.xpath("//tbody/tr")]
    assert cells == [["LIB เสรีภาพ / Liberty", "8 (80%)", "0.75"], ["<script>alert(1)</script>", "<3", ""]]
    assert document.xpath("//h1")[0].text_content() == META["study"] and "&lt;demo&gt; &amp; co" in page
    right = [th.get("class") for th in document.xpath("//thead/tr/th")]
    assert right == [None, "num", "num"]  # counts, "<3" and shares line up on the right


def _headers(document: lxml.html.HtmlElement, lang: str) -> list[str]:
    """Each header's text as shown in ``lang`` (a header without language spans shows in both)."""
    return [(th.xpath(f"span[@lang='{lang}']") or [th])[0].text_content()
            for th in document.xpath("//thead//th")]


def test_report_html_table_headers_in_each_language(parts) -> None:
    figures, tables = parts
    frame = pd.DataFrame({"id": ["LIB"], "participants": [3], "Bangkok (n = 4)": ["3 (75%)"], "site": ["A"]})
    tables.append(ReportTable("mixed", {"th": "ผสม", "en": "mixed"}, {}, frame,
                              headers={"site": {"th": "พื้นที่", "en": "site"}}))
    document = lxml.html.fromstring(report_html(META, figures, tables))
    assert _headers(document, "th") == ["สิทธิ", "Pattaya (n\u00a0=\u00a010)", "สัดส่วน",
                                        "รหัส", "ผู้ให้ข้อมูล", "Bangkok (n\u00a0=\u00a04)", "พื้นที่"]
    assert _headers(document, "en") == ["right", "Pattaya (n\u00a0=\u00a010)", "share",
                                        "id", "participants", "Bangkok (n\u00a0=\u00a04)", "site"]
    group, = document.xpath("//section[@id='table-mixed']//th[3]")
    assert not group.xpath("span")  # the same name in both languages: written once


def test_report_html_writes_atomically(parts, tmp_path: Path) -> None:
    figures, tables = parts
    path = tmp_path / "out" / "report.html"
    assert write_report_html(path, META, figures, tables) == path
    path.write_text("old", encoding="utf-8")
    write_report_html(path, META, figures, tables)
    assert path.read_text(encoding="utf-8") == report_html(META, figures, tables)
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]  # no temporary file left


def test_webfont_embeds_sarabun_regular_and_bold() -> None:
    import fontpkg_sarabun

    css = sarabun_font_face()
    assert css.count("@font-face { font-family: Sarabun") == 2 and "font-weight: bold" in css
    regular = base64.b64decode(css.split("base64,", 1)[1].split(")", 1)[0])
    assert regular == (fontpkg_sarabun.ROOT / "files" / "Sarabun-Regular.ttf").read_bytes()


NEEDS_BROWSER = pytest.mark.skipif(not Path(CHROMIUM).exists() or find_spec("playwright") is None,
                                   reason=f"needs Chromium at {CHROMIUM} and the playwright package")


@contextmanager
def _browser() -> Iterator:
    """A new page in headless Chromium (closed afterwards)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser.new_page()
        finally:
            browser.close()


@NEEDS_BROWSER
def test_report_html_switches_language_in_a_browser_and_remembers_it(parts, tmp_path: Path) -> None:
    figures, tables = parts
    path = write_report_html(tmp_path / "report.html", META, figures, tables)
    with _browser() as page:
        page.goto(path.as_uri())
        assert page.is_visible("h2 >> text=สารบัญ") and not page.is_visible("h2 >> text=Contents")
        assert page.is_visible("figure[lang=th] img") and not page.is_visible("figure[lang=en] img")
        assert page.inner_text("thead tr") == "สิทธิ\tPattaya (n\u00a0=\u00a010)\tสัดส่วน"
        page.click("#lang-switch")
        assert page.is_visible("h2 >> text=Contents") and not page.is_visible("h2 >> text=สารบัญ")
        assert page.is_visible("figure[lang=en] img") and not page.is_visible("figure[lang=th] img")
        assert page.inner_text("thead tr") == "right\tPattaya (n\u00a0=\u00a010)\tshare"
        assert page.evaluate("document.documentElement.lang") == "en"
        page.reload()  # the reader's choice is remembered
        assert page.is_visible("h2 >> text=Contents") and page.inner_text("thead tr").startswith("right\t")
        assert page.evaluate("document.documentElement.lang") == "en"
        page.click("#lang-switch")
        page.reload()
        assert page.is_visible("h2 >> text=สารบัญ") and page.inner_text("thead tr").startswith("สิทธิ\t")
        page.goto(path.as_uri() + "?lang=en")  # a link that asks for English wins
        assert page.is_visible("h2 >> text=Contents")
        assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        page.evaluate("localStorage.clear()")
        page.goto(path.as_uri())
        assert page.is_visible("h2 >> text=สารบัญ")  # nothing remembered: Thai first


def _long_table() -> ReportTable:
    """150 rows whose middle cell wraps over several lines, each row's text marked at both ends."""
    filler = " ".join(["testimony"] * 30)
    frame = pd.DataFrame({"right": [f"R{i:03d}" for i in range(150)],
                          "what": [f"begin{i:03d} {filler} end{i:03d}" for i in range(150)],
                          "participants": list(range(150))})
    return ReportTable("long", {"th": "ตารางยาว", "en": "A long table"}, {}, frame)


@NEEDS_BROWSER
def test_report_html_prints_tables_without_splitting_a_row(parts, tmp_path: Path) -> None:
    from pypdf import PdfReader

    figures, tables = parts
    path = write_report_html(tmp_path / "report.html", META, figures, [*tables, _long_table()])
    with _browser() as page:
        page.goto(path.as_uri() + "?lang=en")
        page.pdf(path=str(tmp_path / "report.pdf"), format="A4")
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(tmp_path / "report.pdf").pages]
    long_pages = [text for text in pages if "begin" in text]
    assert len(pages) >= len(figures) + 2 and len(long_pages) >= 3  # the table runs over several pages
    for i in range(150):
        first, = (n for n, text in enumerate(pages) if f"begin{i:03d}" in text)
        assert f"end{i:03d}" in pages[first], f"row {i} is split across pages"
    assert all("right what participants" in text for text in long_pages)  # the header on every page
    for figure in figures:  # a figure starts its own page and is not split
        title = f'Figure "{figure.key}" in English'
        assert sum(title in text for text in pages) == 1


HOSTILE = "<b>bold</b> & co"


def _quote_bank(rows: list[tuple[str | None, str, str, str]]) -> pd.DataFrame:
    """A quote bank like ``quote_bank``'s from (right, code, participant, translation) rows."""
    return pd.DataFrame([{"right_id": right, "code_id": code, "code_label_th": f"รหัส {code}",
                          "code_label_en": f"code {code}", "transcript_id": tid,
                          "segment_id": f"{tid}:{n:04d}", "quote": f"คำพูด {tid} {n} {HOSTILE}",
                          "translation": translation, "attributes": "site: A" if tid < "P4" else ""}
                         for n, (right, code, tid, translation) in enumerate(rows, 1)])


def test_report_html_quotes_one_section_per_right_in_report_order(parts) -> None:
    figures, tables = parts
    rows = [("LIB", "LIB-SHEL", f"P{n % 3 + 1}", "Said in English" if n == 0 else "") for n in range(8)]
    rows += [("FTR", "FTR-INTERP", "P5", "No interpreter"), (None, "ACT-POLICE", "P6", ""),
             ("ODD", "ODD-1", "P4", "")]
    rights = [("FTR", "การพิจารณาคดีที่เป็นธรรม", "Fair trial"), ("LIB", "เสรีภาพ", "Liberty"),
              ("MOVE", "การเดินทาง", "Movement")]
    page = report_html(META, figures, tables, _quote_bank(rows), rights)
    document = lxml.html.fromstring(page)
    sections = [s.get("id") for s in document.xpath("//section[@id='quotes']/section")]
    assert sections == ["quotes-FTR", "quotes-LIB", "quotes-ODD", "quotes-other"]  # MOVE has no quote
    assert [a.get("href") for a in document.xpath("//nav//a")][-4:] == [f"#{s}" for s in sections]
    liberty, = document.xpath("//section[@id='quotes-LIB']")
    assert [h.text_content() for h in liberty.xpath("h3/span")] == ["คำพูด · เสรีภาพ", "Quotes · Liberty"]
    assert [h.text_content() for h in liberty.xpath("h4/span")] == ["รหัส LIB-SHEL", "code LIB-SHEL"]
    shown = liberty.xpath("div[@class='quote']")
    assert len(shown) == QUOTES_PER_CODE
    participants = [q.xpath("p[@class='source']")[0].text_content().split(" · ")[0] for q in shown]
    assert participants[:3] == ["P1", "P2", "P3"]  # one quote per participant first
    assert shown[0].xpath("blockquote")[0].text_content() == f"คำพูด P1 1 {HOSTILE}"
    assert shown[0].xpath("p[@class='translation']")[0].text_content() == "Said in English"
    assert shown[0].xpath("p[@class='source']")[0].text_content() == "P1 · P1:0001 · site: A"
    assert not shown[1].xpath("p[@class='translation']")  # no translation: none shown
    more = [p.text_content() for p in liberty.xpath("p[@class='more']")]
    left = 8 - QUOTES_PER_CODE
    assert more == [f"และอีก {left} คำพูดใน quotes.docx", f"{left} more in quotes.docx"]
    other, = document.xpath("//section[@id='quotes-other']")
    assert "Other codes" in other.xpath("h3")[0].text_content()
    assert other.xpath(".//p[@class='source']")[0].text_content() == "P6 · P6:0010"
    assert "<b>bold" not in page and "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert lxml.html.fromstring(report_html(META, figures, tables)).xpath("//section[@id='quotes']") == []


def test_report_html_quotes_keep_the_attribute_rule(coded_tiny_study) -> None:
    from analysis.report.content import report_content

    content = report_content(coded_tiny_study, samples=20)
    page = report_html(content.meta, [], [], content.quotes, content.rights)
    document = lxml.html.fromstring(page)
    sources = [p.text_content() for p in document.xpath("//section[@id='quotes']//p[@class='source']")]
    assert sources and all(s.startswith(("P1 ", "P2 ", "P3 ", "P4 ", "P5 ", "P6 ")) for s in sources)
    people = content.counted.participants
    for source in sources:
        pairs = [part.split(": ", 1) for part in source.split(" · ")[2:]]
        same = pd.concat([people[name].astype(str) == value for name, value in pairs], axis=1).all(axis=1)
        assert same.sum() >= META["min_cell"], source  # every combination shown is shared by 3 or more
    assert "site: A" in {s.split(" · ")[0]: s for s in sources}["P2"]  # site A has three participants
    assert not any("site: B" in s or "site: C" in s for s in sources)  # one and two participants
    quote, = [q for q in document.xpath("//div[@class='quote']")
              if q.xpath("blockquote")[0].text_content() == "ตำรวจพาไปบ้านพัก อยู่สองเดือน"]
    translation = quote.xpath("p[@class='translation']")[0].text_content()
    assert translation == "The police took me to a shelter for two months."


def _bilingual_table() -> ReportTable:
    """A breakdown as ``content.wide_display`` makes it: rights and group names in each language."""
    frame = pd.DataFrame({"right / สิทธิ": [Texts("LIB เสรีภาพ", "LIB Liberty"),
                                           Texts("PRIV ความเป็นส่วนตัว", "PRIV Privacy")],
                          "อื่นๆ / other": ["3 (75%)", "<3"],
                          "verdict": [Texts("เชื่อถือได้", "reliable"), Texts("x", "x")]})
    frame.attrs["headers"] = {"อื่นๆ / other": {"th": "อื่นๆ (n = 4)", "en": "other (n = 4)"}}
    return ReportTable("by-site", {"th": "แยกตามพื้นที่", "en": "By site"}, {}, frame)


def _cells(document: lxml.html.HtmlElement, lang: str) -> list[list[str]]:
    """Each body cell's text as shown in ``lang``."""
    return [[(td.xpath(f"span[@lang='{lang}']") or [td])[0].text_content() for td in tr.xpath("td")]
            for tr in document.xpath("//section[@id='table-by-site']//tbody/tr")]


def test_report_html_cells_and_headers_follow_the_language(parts) -> None:
    figures, _ = parts
    document = lxml.html.fromstring(report_html(META, figures, [_bilingual_table()]))
    assert _cells(document, "th") == [["LIB เสรีภาพ", "3 (75%)", "เชื่อถือได้"], ["PRIV ความเป็นส่วนตัว", "<3", "x"]]
    assert _cells(document, "en") == [["LIB Liberty", "3 (75%)", "reliable"], ["PRIV Privacy", "<3", "x"]]
    assert _headers(document, "th") == ["สิทธิ", "อื่นๆ (n\u00a0=\u00a04)", "ผล"]
    assert _headers(document, "en") == ["right", "other (n\u00a0=\u00a04)", "verdict"]
    same, = document.xpath("//section[@id='table-by-site']//tbody/tr[2]/td[3]")
    assert not same.xpath("span")  # the same text in both languages: written once
    assert document.xpath("//section[@id='table-by-site']//tbody/tr[1]/td[2]/@class") == ["num"]


def test_report_html_names_the_attributes_not_broken_down(parts) -> None:
    figures, tables = parts
    assert "not-broken-down" not in report_html(META, figures, tables)  # every attribute broken down
    document = lxml.html.fromstring(report_html({**META, "not_broken_down": ["site", "age_band"]}, figures,
                                                tables))
    said, = document.xpath("//dd[@class='not-broken-down']")
    thai, english = (said.xpath(f"span[@lang='{lang}']")[0].text_content() for lang in ("th", "en"))
    assert thai.startswith("ไม่แยกผลตามพื้นที่, ช่วงอายุ") and "น้อยกว่า 3 คน" in thai
    assert english.startswith("Not broken down by site, age band: after merging the groups of fewer than 3")
    assert "single someone out" in english


@NEEDS_BROWSER
def test_report_html_every_table_text_follows_the_switch_in_a_browser(parts, tmp_path: Path) -> None:
    import re

    figures, tables = parts
    path = write_report_html(tmp_path / "report.html", {**META, "not_broken_down": ["site"]}, figures,
                             [_bilingual_table()])
    with _browser() as page:
        page.goto(path.as_uri() + "?lang=en")
        shown = page.inner_text("#table-by-site") + page.inner_text("dl.meta")
        assert not re.search("[\u0e00-\u0e7f]", shown.replace(META["study"], ""))  # no Thai left in English
        assert "LIB Liberty" in shown and "other (n\u00a0=\u00a04)" in shown and "Not broken down" in shown
        page.click("#lang-switch")
        table = page.inner_text("#table-by-site")
        assert "LIB เสรีภาพ" in table and "อื่นๆ (n" in table and "เชื่อถือได้" in table
        assert not re.search("Liberty|Privacy|reliable|other|right", table)


def test_report_html_quotes_show_the_memos_on_the_quoted_passage(coded_tiny_study) -> None:
    """A coder's memo on a quoted turn is under the quote, as in quotes.docx, labelled in each language."""
    from analysis.coding.memos import MemoStore, segment_memo
    from analysis.coding.store import CodingStore
    from analysis.report.content import report_content
    from analysis.text.corpus import read_corpus
    from analysis.text.segments import segment_body

    quoted = "ตำรวจพาไปบ้านพัก อยู่สองเดือน"
    transcript = read_corpus(coded_tiny_study).get("P1")
    segment = next(s for s in segment_body("P1", transcript.body) if quoted in s.text)
    MemoStore(CodingStore(coded_tiny_study)).save(segment_memo(transcript, segment, "nok", "ดูอีกที <b>ok</b>"))
    content = report_content(coded_tiny_study, samples=20)
    document = lxml.html.fromstring(report_html(content.meta, [], [], content.quotes, content.rights))
    quotes = {q.xpath("blockquote")[0].text_content(): q for q in document.xpath("//div[@class='quote']")}
    memo, = quotes.pop(quoted).xpath("p[@class='memo']")
    assert [s.text_content() for s in memo.xpath("span[@class='memo-label']")] == ["บันทึก", "Memo"]
    assert [s.get("lang") for s in memo.xpath("span[@class='memo-label']")] == ["th", "en"]
    assert memo.text_content().endswith("nok · ช่วงพูด / turn: ดูอีกที <b>ok</b>")  # escaped: text, no tag
    assert memo.xpath(".//b") == []
    assert not any(q.xpath("p[@class='memo']") for q in quotes.values())  # other passages have no memo
