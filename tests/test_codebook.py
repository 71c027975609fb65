"""The codebook: the shipped rights codebook, validation errors with lines, tree queries, guide."""

from collections import Counter
from pathlib import Path

import pytest

from analysis.codebook.guide import guide_html, guide_markdown, write_guide
from analysis.codebook.model import CodebookError, load_codebook, study_codebook
from analysis.ui.codebook_browser import CodebookBrowser
from conftest import FIXTURES, REPO

BAD = FIXTURES / "codebooks"
MINI = BAD / "study" / "rights-violations.yaml"


@pytest.fixture(scope="module")
def rights(demo_study):
    return study_codebook(demo_study)


def test_codebook_shipped_content(rights) -> None:
    kinds = Counter(c.kind for c in rights)
    assert kinds["right"] >= 12 and kinds["violation"] >= 40
    assert kinds["actor"] >= 7 and kinds["agency"] >= 4
    assert rights.version and rights.changelog
    for right in (c for c in rights if c.kind == "right"):
        assert len(rights.children(right.id)) >= 3, right.id
        assert right.instruments, right.id
    for code in (c for c in rights if c.kind == "violation"):
        for name in ("definition", "include", "exclude", "example"):
            assert set(getattr(code, name)) == {"th", "en"}, (code.id, name)
        assert code.instruments and code.see, code.id
        assert len(code.keywords["th"]) >= 3 and len(code.keywords["en"]) >= 3, code.id
        assert code.id.startswith(f"{code.parent}-"), code.id
    instruments = {name for c in rights for name, _ in c.instruments}
    assert {"UDHR", "ICCPR", "ICESCR", "CEDAW", "CRC", "PALERMO"} <= instruments


def test_codebook_actor_and_agency_dimensions(rights) -> None:
    actors = {c.id for c in rights if c.kind == "actor"}
    assert {"ACT-POLICE", "ACT-IMM", "ACT-NGO", "ACT-MEDIA", "ACT-COURT", "ACT-EMPL", "ACT-FAMILY"} <= actors
    agency = " ".join(rights[c].label["en"].lower() for c in (x.id for x in rights if x.kind == "agency"))
    for word in ("right", "refus", "organis", "peer"):
        assert word in agency


def test_codebook_tree_queries() -> None:
    book = load_codebook(MINI)
    assert [c.id for c in book.children("LIB")] == ["LIB-SHEL", "LIB-DET", "LIB-OLD"]
    assert [c.id for c in book.descendants("ACT")] == ["ACT-POLICE"]
    assert book.right_of("LIB-SHEL") == "LIB" and book.right_of("LIB") == "LIB"
    assert book.right_of("ACT-POLICE") is None
    assert book.label("FTR-INTERP", "th") == "ไม่มีล่าม"
    assert book.replacement("LIB-OLD") == "LIB-SHEL"
    assert "LIB-OLD" not in {c.id for c in book.active()}
    frame = book.to_frame()
    assert frame.set_index("id").loc["LIB-SHEL", "right"] == "LIB" and len(frame) == len(book)
    assert book.search("ล่าม")["id"].tolist() == ["FTR-INTERP"]
    assert book.search("SHELTER")["id"].tolist() == ["LIB-SHEL"]


@pytest.mark.parametrize(("name", "line", "what"), [
    ("duplicate-id.yaml", 43, "duplicate id 'LIB-DET' (first on line 30)"),
    ("missing-thai-label.yaml", 46, "the label of FTR-INTERP has no Thai text"),
    ("unknown-parent.yaml", 45, "parent 'FAIR' does not exist"),
    ("cycle.yaml", 14, "parents form a cycle (LIB → LIB-SHEL → LIB)"),
    ("deprecated-missing.yaml", 39, "deprecated_by 'LIB-GONE' does not exist"),
    ("tabs.yaml", 41, "tab character"),
    ("empty.yaml", 1, "empty"),
    ("bad-keywords.yaml", 34, "repeats 'cell'"),
])
def test_codebook_bad_file_names_the_line(name: str, line: int, what: str) -> None:
    with pytest.raises(CodebookError) as caught:
        load_codebook(BAD / name)
    assert what in caught.value.what
    assert caught.value.message.startswith(f"{BAD / name}:{line}: ") and caught.value.fix


def test_codebook_missing_is_a_check_problem(make_study) -> None:
    from analysis.coding.check import check_study

    study = make_study("GOOD-TH.md")
    assert check_study(study).ok
    (study.codebooks_dir / "rights-violations.yaml").write_text(
        (BAD / "unknown-parent.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert ["parent 'FAIR' does not exist" in p.what for p in check_study(study).problems] == [True]
    (study.codebooks_dir / "rights-violations.yaml").unlink()
    assert [p.what for p in check_study(study).problems] == ["no codebook"]


def test_codebook_keywords_join_the_tokenizer(make_study) -> None:
    from analysis.text.pipeline import study_text

    study = make_study("GOOD-TH.md")
    (study.transcripts_dir / "GOOD-TH.md").write_text(
        (study.transcripts_dir / "GOOD-TH.md").read_text(encoding="utf-8")
        + "\nI: ออกไปไหนไม่ได้เลยเหรอ\n", encoding="utf-8")
    assert "ออกไปไหนไม่ได้" in set(study_text(study).tokens["text"])  # a keyword of LIB-SHEL


def test_codebook_guide_is_bilingual(rights, tmp_path: Path) -> None:
    markdown, page = guide_markdown(rights), guide_html(rights)
    for code in rights.active():
        assert f"`{code.id}` {code.label['th']} / {code.label['en']}" in markdown
        assert f"id='{code.id}'" in page
    assert "@font-face { font-family: Sarabun" in page and "ความหมาย / Definition" in page
    assert [p.name for p in write_guide(rights, tmp_path)] == ["guide.md", "guide.html"]


def test_codebook_browser_filters_and_switches_language() -> None:
    browser = CodebookBrowser(load_codebook(MINI), lang="th")
    assert "ไม่มีล่าม" in browser.results.value and "<b>10</b>" in browser.count.value
    browser.search.value = "interpreter"
    assert "<b>1</b>" in browser.count.value and "FTR-INTERP" in browser.results.value
    browser.lang.value = "en"
    assert "No interpreter" in browser.results.value and "Label" in browser.results.value


def test_codebook_file_in_repo_is_the_default_for_new_studies(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from analysis.cli import app

    result = CliRunner().invoke(app, ["init", str(tmp_path / "new")])
    assert result.exit_code == 0
    copied = tmp_path / "new" / "codebooks" / "rights-violations.yaml"
    assert copied.read_bytes() == (REPO / "codebooks" / "rights-violations.yaml").read_bytes()
