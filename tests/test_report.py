"""``sitthi report`` end to end on a tiny coded study: every output, hidden counts, re-runs, refusal."""

import csv
import re
import subprocess
import sys
from html.parser import HTMLParser

import pandas as pd
import pytest
from docx import Document

from analysis.report.build import ReportError, build_report
from analysis.study import load_study
from conftest import build_tiny_study

FIGURES = ["rights-violated", "rights-by-site", "rights-together", "participant-rights",
           "agreement-rights", "agreement-codes", "top-words-group"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One report of the tiny study, shared by the tests that only read it."""
    study = build_tiny_study(tmp_path_factory.mktemp("report") / "study")
    return study, build_report(study, samples=50)


def test_report_writes_every_output(built) -> None:
    study, result = built
    out = study.outputs_dir
    assert result.rebuilt
    for lang in ("th", "en"):
        for key in FIGURES:
            for suffix in ("png", "svg", "pdf", "csv"):
                assert (out / "figures" / lang / f"{key}.{suffix}").is_file(), (lang, key, suffix)
    assert (out / "figures" / "th" / "rights-violated.png").read_bytes().startswith(b"\x89PNG")
    for name in ("rights", "codes", "rights-by-site", "codes-by-site", "participant-rights", "quotes",
                 "agreement-codes"):
        assert (out / "tables" / f"{name}.csv").is_file(), name
    assert {p.relative_to(out) for p in result.files} >= {p.relative_to(out) for p in out.rglob("*.png")}
    from openpyxl import load_workbook

    assert "rights-by-site" in load_workbook(out / "tables.xlsx", read_only=True).sheetnames


def test_report_hides_the_site_with_one_participant(built) -> None:
    study, _ = built
    for path in (study.outputs_dir / "tables" / "rights-by-site.csv",
                 study.outputs_dir / "figures" / "en" / "rights-by-site.csv"):
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        assert not [r for r in rows if r["group"] in {"B", "C"}]  # B (1) and C (2) merged into "other"
        other = [r for r in rows if r["group"] == "อื่นๆ / other"]
        assert other and all(r["group_size"] == "3" for r in other)
        assert not any(r["participants"] in {"1", "2"} for r in rows)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if attrs.get("href", "").startswith("http") or attrs.get("src", "").startswith("http"):
            self.links.append(attrs)


def test_report_html_and_quotes_docx(built) -> None:
    study, result = built
    html = (study.outputs_dir / "report.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    assert len(page.images) == 2 * len(FIGURES)  # one per language
    assert all(src.startswith("data:image/png;base64,") for src in page.images)
    assert page.links == []
    assert "more than half" in html and "รหัสหนึ่งนับ" in html and result.fingerprint[:12] in html
    document = Document(str(study.outputs_dir / "quotes.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "ตำรวจพาไปบ้านพัก อยู่สองเดือน" in text  # the Thai quote
    assert "The police took me to a shelter for two months." in text  # its translation


def test_report_second_run_is_skipped_until_something_changes(built) -> None:  # last: it edits the study
    study, first = built
    again = build_report(study, samples=50)
    assert not again.rebuilt and again.fingerprint == first.fingerprint
    with pytest.MonkeyPatch.context() as patch:  # Sitthi itself changed (an update, a fix)
        patch.setattr("analysis.report.build.code_fingerprint", lambda: "another version of the code")
        assert build_report(study, samples=50).rebuilt
    path = study.transcripts_dir / "P6.md"
    path.write_text(path.read_text(encoding="utf-8").replace("site: C", "site: A"), encoding="utf-8")
    assert build_report(study, samples=50).rebuilt


def test_report_refuses_a_study_with_problems(coded_tiny_study) -> None:
    (coded_tiny_study.transcripts_dir / "P7.md").write_text("---\nid: P7\n---\n\nno front matter rules\n",
                                                            encoding="utf-8")
    with pytest.raises(ReportError, match=r"sitthi check found \d+ problem"):
        build_report(coded_tiny_study, samples=50)
    assert not (coded_tiny_study.outputs_dir / "report.html").exists()
    command = [sys.executable, "-c", "from analysis.cli import main; main()"]
    done = subprocess.run([*command, "--study", str(coded_tiny_study.root), "report"], capture_output=True,
                          text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert re.search(r"^error: .*sitthi check found 1 problem\(s\), the first: .*P7\.md", done.stderr,
                     re.MULTILINE)


def test_report_json_records_the_software_that_made_it(built) -> None:
    import json
    from importlib.metadata import version

    from analysis import __version__

    study, _ = built
    software = json.loads((study.outputs_dir / "report.json").read_text(encoding="utf-8"))["software"]
    assert software["sitthi"] == __version__
    for library in ("pythainlp", "onnxruntime", "spacy", "pandas", "matplotlib"):
        assert software[library] == version(library), library


def test_report_participant_figure_in_pages_of_plain_data(coded_tiny_study, monkeypatch) -> None:
    import pickle

    from analysis.report.content import report_content

    monkeypatch.setattr("analysis.report.content.PAGE_ROWS", 2)  # the tiny study's 6 people: 3 pages
    content = report_content(coded_tiny_study, samples=50)
    pages = [spec for spec in content.figures if spec.key.startswith("participant-rights")]
    assert [spec.key for spec in pages] == ["participant-rights-p01", "participant-rights-p02",
                                            "participant-rights-p03"]
    assert pages[1].title["en"] == "Participants × rights (page 2 of 3)"
    assert pd.concat([spec.numbers for spec in pages]).equals(content.tables["participant-rights"])
    for spec in content.figures:
        assert pickle.loads(pickle.dumps(spec)).key == spec.key  # a worker process can draw every figure
    first = content.figure("participant-rights", "en")  # a figure in pages: its first page
    assert "page 1 of 3" in first.texts[-1].get_text().replace("\n", " ")


def test_report_draws_figures_by_name_in_workers_and_callables_here(tmp_path) -> None:
    from analysis.report.build import _draw_figures
    from analysis.report.content import FigureSpec
    from analysis.report.figures import rights_violated

    rights = pd.DataFrame({"id": ["LIB", "HLTH"], "label_th": ["เสรีภาพ", "สุขภาพ"],
                           "label_en": ["Liberty", "Health"], "level": "right", "segments": [4, 2],
                           "participants": [3, 1]})
    title = {"th": "สิทธิ", "en": "Rights"}
    specs = [FigureSpec("named", title, title, "rights_violated", rights,
                        {"frequencies": rights, "n_participants": 4}),
             FigureSpec("callable", title, title,
                        lambda lang: rights_violated(rights, n_participants=4, lang=lang), rights)]
    drawn = _draw_figures(tmp_path, specs)
    files = drawn.files
    assert sorted(drawn.pages) == [(key, lang) for key in ("callable", "named") for lang in ("en", "th")]
    assert all(page.startswith(b"\x89PNG") for page in drawn.pages.values())  # report.html's, made here
    expected = {f"figures/{lang}/{key}.{suffix}" for lang in ("th", "en") for key in ("named", "callable")
                for suffix in ("png", "svg", "pdf", "csv")}
    assert sorted(p.relative_to(tmp_path).as_posix() for p in files) == sorted(expected)
    assert (tmp_path / "figures" / "th" / "named.png").read_bytes().startswith(b"\x89PNG")
    assert "สุขภาพ" in (tmp_path / "figures" / "th" / "named.svg").read_text(encoding="utf-8")


def test_report_display_tables_follow_the_language_and_name_what_is_not_broken_down(coded_tiny_study) -> None:
    from analysis.report.content import report_content
    from analysis.report.html import ReportTable, Texts, report_html

    content = report_content(coded_tiny_study, samples=50)
    assert content.meta["not_broken_down"] == ["group"]  # one group only; site: A (3), "other" (B 1 + C 2)
    _, _, wide = content.display["rights-by-site"]
    assert all(isinstance(cell, Texts) for cell in wide["right / สิทธิ"])
    assert wide.attrs["headers"]["อื่นๆ / other"] == {"th": "อื่นๆ (n = 3)", "en": "other (n = 3)"}
    _, _, agreement = content.display["agreement"]
    assert "label_th" not in agreement and all(isinstance(v, Texts) for v in agreement["verdict"])
    assert {v.th for v in agreement["verdict"]} <= {"เชื่อถือได้", "พอใช้ได้", "เชื่อถือไม่ได้", "คำนวณไม่ได้",
                                                    "ไม่มีผู้ใช้"}
    config = coded_tiny_study.config_file
    config.write_text(config.read_text(encoding="utf-8").replace("min_cell = 3", "min_cell = 4"),
                      encoding="utf-8")
    from analysis.study import load_study

    content = report_content(load_study(coded_tiny_study.root), samples=50)
    assert content.meta["not_broken_down"] == ["site", "group"]  # A (3), B + C (3): below 4, one group
    assert "rights-by-site" not in content.display
    tables = [ReportTable(key, *parts) for key, parts in content.display.items()]
    page = report_html(content.meta, [], tables)
    assert "ไม่แยกผลตามพื้นที่, กลุ่ม เพราะเมื่อรวมกลุ่มที่มีผู้ให้ข้อมูลน้อยกว่า 4 คน" in page
    assert "Not broken down by site, group: after merging the groups of fewer than 4 participants" in page


def test_report_removes_the_files_an_earlier_build_made_and_this_one_does_not(coded_tiny_study) -> None:
    import json

    first = build_report(coded_tiny_study, samples=50)
    manifest = first.folder / "report.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    stale = first.folder / "figures" / "th" / "agreement-alpha.png"  # a figure an older Sitthi drew
    stale.write_bytes(b"old")
    mine = first.folder / "figures" / "th" / "my-own-notes.txt"  # never listed: not Sitthi's to delete
    mine.write_text("keep", encoding="utf-8")
    data["files"] += ["figures/th/agreement-alpha.png", "../outside.txt"]
    (first.folder.parent / "outside.txt").write_text("keep", encoding="utf-8")
    manifest.write_text(json.dumps(data), encoding="utf-8")
    config = coded_tiny_study.config_file  # and the team no longer wants SVG files
    config.write_text(config.read_text(encoding="utf-8").replace(
        'figure_formats = ["png", "svg", "pdf"]', 'figure_formats = ["png", "pdf"]'), encoding="utf-8")
    again = build_report(load_study(coded_tiny_study.root), samples=50)
    assert again.rebuilt
    assert not stale.exists() and mine.exists() and (first.folder.parent / "outside.txt").exists()
    assert all(path.is_file() for path in again.files)
    figures = {p.suffix for p in (first.folder / "figures").rglob("*.*")}
    assert figures == {".png", ".pdf", ".csv", ".txt"}  # the SVGs of the first build are gone
