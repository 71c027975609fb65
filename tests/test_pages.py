"""HTML pages from templates: autoescape everywhere, hostile text escaped in guide.html and report.html,
well-formed pages, templates shipped with the package."""

import fnmatch
import importlib.resources
import os
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pandas as pd
import pytest
from jinja2.nodes import EvalContext
from markupsafe import Markup

from analysis.codebook.guide import guide_html
from analysis.codebook.model import parse_codebook
from analysis.pages.render import TEMPLATES, environment, render_page
from analysis.report.html import ReportFigure, ReportTable, report_html
from conftest import FIXTURES, REPO

HOSTILE = '<script>alert(1)</script> "quoted" & co'
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Balance(HTMLParser):
    """Every element closed, in order (void elements excepted); collects the problems."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open, self.problems = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID:
            self.problems.append(f"<{tag}/> is not an HTML void element")

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"</{tag}> closes nothing open")


def _well_formed(page: str) -> lxml.html.HtmlElement:
    """The page parsed, after checking that its tags balance and it has exactly one (our own) script."""
    checker = _Balance()
    checker.feed(page)
    checker.close()
    assert checker.problems == [] and checker.open == []
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    return lxml.html.fromstring(page)


def test_pages_every_template_is_autoescaped() -> None:
    env = environment()
    names = env.list_templates()
    assert {"base.html.j2", "macros.html.j2", "report.html.j2", "guide.html.j2"} <= set(names)
    for name in names:
        assert EvalContext(env, name).autoescape is True, name  # what the compiler uses for that template
    assert EvalContext(env, "page.txt").autoescape is True  # any name, not only .html
    assert env.from_string("{{ value }}").render(value=HOSTILE) == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34; &amp; co")
    assert env.from_string("{{ value }}").render(value=Markup("<b>ours</b>")) == "<b>ours</b>"


def test_pages_undefined_names_are_errors() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError, match="meta"):
        render_page("report.html.j2", parts=[])


def test_pages_guide_escapes_codebook_text() -> None:
    text = (FIXTURES / "codebooks" / "study" / "rights-violations.yaml").read_text(encoding="utf-8")
    hostile = f"'{HOSTILE}'"  # a single-quoted YAML scalar
    for original in ('"Held in a shelter"', '"Kept in a shelter and not free to leave."',
                     '"We could not go out for two months."', '"Mini codebook"'):
        assert original in text
        text = text.replace(original, hostile, 1)
    codebook = parse_codebook(text, Path("hostile.yaml"))
    document = _well_formed(guide_html(codebook))
    heading, = document.xpath("//article[@id='LIB-SHEL']/h4/span[@class='en']")
    assert heading.text_content() == HOSTILE
    texts = [dd.text_content() for dd in document.xpath("//article[@id='LIB-SHEL']//dd[@class='en']")]
    assert HOSTILE in texts and texts.count(HOSTILE) == 2  # the definition and the example
    assert document.xpath("//title")[0].text_content() == f"คู่มือรหัสขนาดเล็ก / {HOSTILE}"
    assert document.xpath("//h1")[0].text_content() == f"คู่มือรหัสขนาดเล็ก / {HOSTILE}"


def test_pages_report_escapes_study_quotes_cells_and_titles(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    figure.subplots().bar([0, 1], [2, 3])
    figure.savefig(tmp_path / "f.png", dpi=30)
    figures = [ReportFigure("rights", {"th": "สิทธิ", "en": HOSTILE}, {"th": HOSTILE, "en": "n = 3"},
                            {"th": tmp_path / "f.png", "en": tmp_path / "f.png"})]
    quotes = pd.DataFrame({"code": ["LIB-SHEL", HOSTILE], "quote": [f"ตำรวจพาไปบ้านพัก {HOSTILE}", "ok"],
                           HOSTILE: ["1", "<3"]})
    tables = [ReportTable("quotes", {"th": "คำพูด", "en": HOSTILE}, {"th": HOSTILE, "en": ""}, quotes)]
    meta = {"study": HOSTILE, "coders": [HOSTILE], "rule": {"th": HOSTILE, "en": "rule"}, "participants": 3}
    document = _well_formed(report_html(meta, figures, tables))
    assert document.xpath("//h1")[0].text_content() == HOSTILE
    assert document.xpath("//title")[0].text_content() == f"{HOSTILE} · รายงาน / Report"
    cells = [[td.text_content() for td in tr.xpath("td")] for tr in document.xpath("//tbody/tr")]
    assert cells == [["LIB-SHEL", f"ตำรวจพาไปบ้านพัก {HOSTILE}", "1"], [HOSTILE, "ok", "<3"]]
    assert [th.text_content() for th in document.xpath("//thead//th")][-1] == HOSTILE
    assert document.xpath("//figure[@lang='en']/img")[0].get("alt") == HOSTILE
    assert document.xpath("//figure[@lang='th']/figcaption")[0].text_content() == HOSTILE
    assert document.xpath("//p[@class='note'][@lang='th']")[0].text_content() == HOSTILE
    assert HOSTILE in document.xpath("//header")[0].text_content()
    assert document.xpath("//section[@id='table-quotes']/h2/span[@lang='en']")[0].text_content() == (
        f"Table 1 {HOSTILE}")


def _package_data_globs() -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return project["tool"]["setuptools"]["package-data"]["analysis"]


def test_pages_templates_are_package_data_found_by_importlib_resources() -> None:
    folder = importlib.resources.files("analysis.pages").joinpath(TEMPLATES)
    shipped = sorted(entry.name for entry in folder.iterdir() if entry.is_file())
    assert shipped == sorted(environment().list_templates())
    for name in shipped:
        assert any(fnmatch.fnmatch(f"pages/{TEMPLATES}/{name}", glob) for glob in _package_data_globs()), name
        assert folder.joinpath(name).read_text(encoding="utf-8").strip()


CHECK_INSTALLED = """
import importlib.resources, sys
import analysis
from analysis.pages.render import environment, render_page
assert analysis.__file__.startswith(sys.argv[1]), analysis.__file__
names = sorted(p.name for p in importlib.resources.files("analysis.pages").joinpath("templates").iterdir())
assert names == sorted(environment().list_templates()), names
page = render_page("report.html.j2", meta={"study": "<s>", "date": "", "participants": 1, "codebook": "c",
                   "codebook_version": "1", "rule": {"th": "", "en": ""}, "coders": [], "data_hash": "",
                   "min_cell": 3, "version": "", "not_broken_down": []}, parts=[])
assert "<h1>&lt;s&gt;</h1>" in page and "@font-face" in page and "lang-switch" in page
print(len(names))
"""


def test_pages_templates_ship_in_a_wheel(tmp_path: Path) -> None:
    """A real (non-editable) install: build the wheel from a copy of the sources, install it into a
    folder, and render a page from there in a fresh interpreter."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "analysis", source / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--timeout", "20", "--retries", "1"]
    built = subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                            "-w", str(tmp_path / "dist"), str(source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr  # offline: setuptools comes from the dev requirements
    wheel, = (tmp_path / "dist").glob("sitthi-*.whl")
    target = tmp_path / "site"
    installed = subprocess.run([*pip, "install", "--no-deps", "--no-index", "-q", "--target", str(target),
                                str(wheel)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    done = subprocess.run([sys.executable, "-c", CHECK_INSTALLED, str(target)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(target)}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(environment().list_templates())
