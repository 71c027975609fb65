"""The HTML report page: self-contained, bilingual with a switch, all given text escaped; the web font."""

import base64
import io
import os
from importlib.util import find_spec
from pathlib import Path

import lxml.html
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from analysis.pages.webfont import sarabun_font_face
from analysis.report.html import PAGE_WIDTH_PX, ReportFigure, ReportTable, report_html, write_report_html

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


@pytest.mark.skipif(not Path(CHROMIUM).exists() or find_spec("playwright") is None,
                    reason=f"needs Chromium at {CHROMIUM} and the playwright package")
def test_report_html_switches_language_in_a_browser(parts, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    figures, tables = parts
    path = write_report_html(tmp_path / "report.html", META, figures, tables)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(path.as_uri())
            assert page.is_visible("h2 >> text=สารบัญ") and not page.is_visible("h2 >> text=Contents")
            assert page.is_visible("figure[lang=th] img") and not page.is_visible("figure[lang=en] img")
            page.click("#lang-switch")
            assert page.is_visible("h2 >> text=Contents") and not page.is_visible("h2 >> text=สารบัญ")
            assert page.is_visible("figure[lang=en] img") and not page.is_visible("figure[lang=th] img")
            assert page.evaluate("document.documentElement.lang") == "en"
            page.goto(path.as_uri() + "?lang=en")
            assert page.is_visible("h2 >> text=Contents")
            assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        finally:
            browser.close()
