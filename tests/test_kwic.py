"""Keyword in context: whole tokens, substrings, context cut between words, tables in Thai, XLSX."""


import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from analysis.cli import app
from analysis.errors import SitthiError
from analysis.text.kwic import format_kwic, kwic, write_kwic
from analysis.text.script import THAI_MARKS
from analysis.text.wordlist import NOT_FIRST
from analysis.text.words import words_table

runner = CliRunner()


@pytest.fixture
def small(make_study):
    return make_study("GOOD-TH.md", "GOOD-EN.md", "TIS-01.txt")


def _transcript(study, tid: str, language: str, body: str) -> None:
    (study.transcripts_dir / f"{tid}.md").write_text(
        f"---\nid: {tid}\nlanguage: {language}\nanonymised: true\nfictional: true\nsite: Mae Sai\n"
        f"group: thai\n---\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def told(make_study):
    """เล่า|มา (not ล่าม), ล่าม as a word, and English with a formula-like turn."""
    study = make_study()
    _transcript(study, "T-01", "th", "I: อยากเล่ามานานแล้ว\n\nR: ไม่มีล่ามค่ะ ขอล่ามก็ไม่ได้")
    _transcript(study, "E-01", "en", "I: Was there an Interpreter?\n\nR: =SUM(A1) interpreter, "
                "no interpreters at all.")
    return study


def test_kwic_matches_whole_tokens_only(told) -> None:
    hits = kwic(told, "ล่าม")
    assert hits["match"].tolist() == ["ล่าม", "ล่าม"]
    assert hits["segment_id"].tolist() == ["T-01:0002", "T-01:0002"]
    assert not (hits["segment_id"] == "T-01:0001").any()  # อยากเล่ามานานแล้ว is เล่า|มา
    inside = kwic(told, "ล่าม", substring=True)
    assert "T-01:0001" in set(inside["segment_id"]) and len(inside) == 3
    with pytest.raises(SitthiError, match="empty"):
        kwic(told, "  ")


def test_kwic_substring_keeps_whole_characters(small) -> None:
    assert "คุ้ม" not in set(words_table(small)["norm"])  # only inside the token คุ้มครอง
    assert kwic(small, "คุ้ม").empty
    hits = kwic(small, "คุ้ม", window=5, by="site", substring=True)
    assert hits[["transcript_id", "match", "site"]].values.tolist() == [["TIS-01", "คุ้ม", "Mae Sai"]]
    assert kwic(small, "คุ", substring=True)["match"].tolist() == ["คุ้"]  # never a lone tone mark after


def test_kwic_phrase_is_a_run_of_tokens(told) -> None:
    hits = kwic(told, "ไม่มีล่าม")
    assert hits[["left", "match", "right"]].values.tolist() == [["", "ไม่มีล่าม", "ค่ะ ขอล่ามก็ไม่ได้"]]
    assert kwic(told, "มีล่ามค่ะ")["match"].tolist() == ["มีล่ามค่ะ"]
    assert kwic(told, "ล่ามไม่").empty  # not a run of tokens anywhere


def test_kwic_english_is_case_insensitive_whole_word(told) -> None:
    hits = kwic(told, "INTERPRETER")
    assert hits["match"].tolist() == ["Interpreter", "interpreter"]  # not "interpreters"
    assert kwic(told, "an interpreter")["match"].tolist() == ["an Interpreter"]
    assert len(kwic(told, "interpret", substring=True)) == 3


def test_kwic_context_never_starts_with_a_thai_mark(demo_study) -> None:
    marks = tuple(THAI_MARKS | set("ะาำ"))
    for query, substring in [("ล่าม", False), ("ตำรวจ", False), ("เงิน", False), ("ี่", True), ("ก", True)]:
        for window in (3, 7, 12):
            hits = kwic(demo_study, query, window=window, substring=substring)
            assert len(hits), query
            for column in ("left", "match", "right"):
                texts = hits[column].str.removeprefix("…")
                assert not texts.str.startswith(marks).any(), (query, window, column)
            assert not hits["left"].str.removeprefix("…").str.startswith(tuple(NOT_FIRST)).any()
            cut = hits["left"].str.startswith("…")
            assert (hits.loc[cut, "left"].str.len() <= window + 1).all()


def test_kwic_cuts_between_words(told) -> None:
    hits = kwic(told, "interpreter", window=13)
    assert hits["left"].tolist() == ["Was there an", "=SUM(A1)"]
    assert hits["right"].tolist() == ["?", ", no…"]  # "interpreters" would overrun: cut before it


def test_kwic_readable_in_thai(told, demo_study) -> None:
    hits = kwic(demo_study, "แม่สาย", by="site", lang="th")
    assert list(hits.columns) == ["บทถอดความ", "ส่วน", "ผู้พูด", "ก่อนหน้า", "คำค้น", "ถัดไป", "พื้นที่"]
    assert set(hits["พื้นที่"]) == {"แม่สาย"}  # the attribute's name and the value's label in Thai
    assert list(kwic(demo_study, "แม่สาย", by="age_band", lang="en").columns)[-1] == "age band"
    lines = format_kwic(hits)
    assert len(lines) == len(hits) and all("[แม่สาย]" in line for line in lines)
    with pytest.raises(SitthiError, match="unknown language"):
        kwic(told, "ล่าม", lang="fr")


def test_kwic_xlsx_cells_are_text(told, tmp_path) -> None:
    path = write_kwic(tmp_path / "kwic.xlsx", kwic(told, "interpreter", lang="th"), lang="th")
    sheet = load_workbook(path).active
    assert sheet.title == "คำในบริบท"
    assert [c.value for c in sheet[1]] == ["บทถอดความ", "ส่วน", "ผู้พูด", "ก่อนหน้า", "คำค้น", "ถัดไป"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert cells and all(c.data_type == "s" for c in cells)
    assert "=SUM(A1)" in [c.value for c in cells]
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind
    with pytest.raises(SitthiError, match="ending in .xlsx"):
        write_kwic(tmp_path / "kwic.csv", kwic(told, "ล่าม"))


def test_kwic_cli_substring_and_xlsx(told, tmp_path) -> None:
    args = ["--study", str(told.root), "kwic", "ล่าม"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "2 hit(s) in 1 transcript(s)." in result.output
    assert "[ล่าม]" in result.output
    result = runner.invoke(app, [*args, "--substring", "--lang", "th", "--xlsx", str(tmp_path / "k.xlsx")])
    assert result.exit_code == 0 and "3 hit(s)" in result.output
    assert load_workbook(tmp_path / "k.xlsx").active.max_row == 4

