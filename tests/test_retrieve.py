"""Retrieval: every passage coded with a code, by coder, with context, memos and place; quote bank memos."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from analysis.coding.loaded import LoadedStudy
from analysis.coding.memos import MemoStore, coding_memo, segment_memo, span_memo
from analysis.coding.retrieve import PASSAGE_COLUMNS, PASSAGE_HEADERS, coded_passages, write_passages
from analysis.coding.rows import new_coding
from analysis.coding.store import CodingStore
from analysis.errors import SitthiError
from analysis.report.content import report_content
from analysis.report.quotes_docx import write_quotes_docx
from analysis.text.corpus import read_corpus
from analysis.text.segments import segment_body
from conftest import _transcript

SITTHI = Path(sys.executable).parent / "sitthi"


def _save_memos(study, *memos) -> None:
    store = MemoStore(CodingStore(study))
    for memo in memos:
        assert store.save(memo) == "add"


def _place(study, tid: str, turn: int):
    transcript = read_corpus(study).get(tid)
    return transcript, segment_body(tid, transcript.body)[turn - 1]


def test_retrieve_includes_subcodes_unless_told(coded_tiny_study) -> None:
    found = coded_passages(coded_tiny_study, "LIB")
    assert set(found["code_id"]) == {"LIB-SHEL", "LIB-DET"}
    assert list(found.columns) == PASSAGE_COLUMNS
    assert len(found) == 3 + 2 * 4 + 1 + 2  # LIB-SHEL (P1 ×3; P2, P3, P4, P6 ×2; P1-EN), LIB-DET (P2 ×2)
    assert coded_passages(coded_tiny_study, "LIB", include_subcodes=False).empty  # nobody coded LIB itself
    only = coded_passages(coded_tiny_study, "lib-shel", include_subcodes=False)  # any case
    assert set(only["code_id"]) == {"LIB-SHEL"}
    assert list(only["transcript_id"]) == sorted(only["transcript_id"])  # in transcript order


def test_retrieve_filters_coders(coded_tiny_study) -> None:
    assert set(coded_passages(coded_tiny_study, "LIB-SHEL", coders=["fon"])["transcript_id"]) == {"P1"}
    both = coded_passages(coded_tiny_study, "FTR", coders="nok,mai")
    pairs = sorted(zip(both["transcript_id"], both["coder_id"], strict=True))
    assert pairs == [("P1", "nok"), ("P5", "mai"), ("P5", "nok")]
    with pytest.raises(SitthiError, match="no codings by 'zed'.*use one of: fon, mai, nok"):
        coded_passages(coded_tiny_study, "LIB", coders=["zed"])


def test_retrieve_whole_turn_and_span_with_context_and_place(coded_tiny_study) -> None:
    found = coded_passages(coded_tiny_study, "LIB-SHEL", window=20).set_index(["transcript_id", "coder_id"])
    phrase = found.loc[("P2", "nok")]
    assert phrase["passage"] == "shelter"  # a span coding: the coding's quote
    assert phrase["before"].endswith("took me to a") and phrase["before"].startswith("…")
    assert phrase["after"].startswith("for two") and phrase["after"].endswith("…")
    assert phrase["where"] == "P2 · turn 2 · line 12"  # the file line: front matter, blank, turn 1, blank
    whole = found.loc[("P3", "mai")]
    assert whole["passage"] == "The police took me to a shelter for two months."  # the turn's text
    assert whole["before"].endswith("What happened? R:")  # the turn before, cut between words
    assert whole["after"].startswith("I: Was there")
    assert found.loc[("P1", "fon")]["passage"] == "ตำรวจพาไปบ้านพัก อยู่สองเดือน"


def test_retrieve_attaches_the_coders_memos_on_the_passage(coded_tiny_study) -> None:
    transcript, segment = _place(coded_tiny_study, "P2", 2)
    at = transcript.body.index("shelter")
    police = transcript.body.index("police")
    nok = CodingStore(coded_tiny_study).read("nok", "P2")
    phrase = next(c for c in nok if c.code_id == "LIB-SHEL")
    _save_memos(coded_tiny_study,
                segment_memo(transcript, segment, "nok", "says it twice"),
                span_memo(transcript, segment, at, at + 7, "nok", "the word she used"),
                span_memo(transcript, segment, police, police + 6, "nok", "who took her"),
                coding_memo(transcript, phrase, "shelter as detention"),
                segment_memo(transcript, segment, "mai", "mai's note"))
    found = coded_passages(coded_tiny_study, "LIB", coders=["nok"]).set_index(["transcript_id", "code_id"])
    shel = found.loc[("P2", "LIB-SHEL")]["memos"].splitlines()
    she_used = "phrase «shelter»: the word she used"
    assert shel == ["turn: says it twice", "coding: shelter as detention", she_used]
    whole = found.loc[("P2", "LIB-DET")]["memos"].splitlines()  # a whole-turn coding: every phrase memo in it
    assert whole == ["turn: says it twice", "phrase «police»: who took her", she_used]
    assert found.loc[("P3", "LIB-SHEL")]["memos"] == ""
    thai = coded_passages(coded_tiny_study, "LIB-DET", coders=["mai"], lang="th")
    assert thai.iloc[0][PASSAGE_HEADERS["th"]["memos"]] == "ช่วงพูด: mai's note"


def test_retrieve_thai_headers_and_places(coded_tiny_study) -> None:
    found = coded_passages(coded_tiny_study, "FTR-INTERP", lang="th")
    assert list(found.columns) == [PASSAGE_HEADERS["th"][c] for c in PASSAGE_COLUMNS]
    assert found.iloc[0]["ตำแหน่ง"] == "P1 · ช่วงพูดที่ 4 · บรรทัด 16"
    assert found.iloc[0]["ชื่อรหัส"] != "FTR-INTERP"  # the code's Thai label
    with pytest.raises(SitthiError, match="use th or en"):
        coded_passages(coded_tiny_study, "FTR", lang="fr")


def test_retrieve_unknown_code_names_the_codebook(coded_tiny_study) -> None:
    with pytest.raises(SitthiError) as err:
        coded_passages(LoadedStudy(coded_tiny_study), "LIB-SHELL")
    message = err.value.message
    assert "rights-violations.yaml" in message and "unknown code 'LIB-SHELL'" in message
    assert "did you mean LIB-SHEL" in message and "sitthi codebook show" in message
    assert "\n" not in message


def test_retrieve_xlsx_cells_are_text(coded_tiny_study, tmp_path) -> None:
    body = "I: What did they write?\n\nR: =HYPERLINK(\"http://x.test\") was on my file."
    text = _transcript("P7", body, "C", "en")
    (coded_tiny_study.transcripts_dir / "P7.md").write_text(text, encoding="utf-8")
    transcript, segment = _place(coded_tiny_study, "P7", 2)
    CodingStore(coded_tiny_study).add(new_coding(transcript, segment, "LIB-SHEL", "nok"))
    found = coded_passages(coded_tiny_study, "LIB-SHEL", coders=["nok"], lang="en")
    path = write_passages(tmp_path / "shel.xlsx", found, lang="en")
    rows = list(load_workbook(path)["coded passages"].iter_rows())
    assert [c.value for c in rows[0]] == list(PASSAGE_HEADERS["en"].values())
    cell = next(c for row in rows[1:] for c in row if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s" and cell.value == body.split("R: ")[1]  # stored as text, never a formula
    cells = [c for row in rows for c in row]
    assert all(c.data_type != "f" and (c.value is None or isinstance(c.value, str)) for c in cells)
    with pytest.raises(SitthiError, match=r"\.xlsx"):
        write_passages(tmp_path / "shel.csv", found)


def _sitthi(*args, cwd: Path) -> subprocess.CompletedProcess:
    assert SITTHI.exists(), f"{SITTHI} is missing: install the package (pip install -e .)"
    env = {k: v for k, v in os.environ.items() if k not in ("SITTHI_STUDY", "SITTHI_DEBUG")}
    return subprocess.run([str(SITTHI), *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd)


def test_retrieve_cli_codings_show(coded_tiny_study, tmp_path) -> None:
    root = coded_tiny_study.root
    done = _sitthi("codings", "show", "LIB", "--coder", "fon", "--xlsx", tmp_path / "lib.xlsx", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "P1 · turn 2 · line 12  fon  LIB-SHEL" in done.stdout
    assert "1 passage(s) in 1 transcript(s) coded with LIB and its sub-codes." in done.stdout
    assert (tmp_path / "lib.xlsx").is_file()
    done = _sitthi("codings", "show", "lib", "--no-subcodes", "--lang", "th", cwd=root)
    assert done.returncode == 0 and "0 passage(s)" in done.stdout
    done = _sitthi("codings", "show", "NOPE", cwd=root)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: ") and "unknown code 'NOPE'" in done.stderr
    done = _sitthi("codings", "show", "LIB", "--coder", "zed", cwd=root)
    assert done.returncode == 1 and "no codings by 'zed'" in done.stderr
    assert _sitthi("codings", "show", cwd=root).returncode == 2
    assert _sitthi("codings", "show", "LIB", "--lang", "fr", cwd=root).returncode == 2


def test_retrieve_quote_bank_shows_turn_memos(coded_tiny_study, tmp_path) -> None:
    transcript, segment = _place(coded_tiny_study, "P3", 2)
    _save_memos(coded_tiny_study, segment_memo(transcript, segment, "nok", "calm, matter of fact"))
    content = report_content(coded_tiny_study, samples=10)
    quotes = content.quotes.set_index(["transcript_id", "code_id"])
    assert quotes.loc[("P3", "LIB-SHEL"), "memos"] == ("nok · ช่วงพูด / turn: calm, matter of fact",)
    assert quotes.loc[("P4", "LIB-SHEL"), "memos"] == ()
    assert "memos" not in content.tables["quotes"]  # the published table holds no memo
    path = write_quotes_docx(tmp_path / "quotes.docx", content.quotes, content.rights, content.meta)
    paragraphs = [(p.style.name, p.text) for p in Document(str(path)).paragraphs]
    at = paragraphs.index(("Quote memo", "nok · ช่วงพูด / turn: calm, matter of fact"))
    assert paragraphs[at - 1][1] == "The police took me to a shelter for two months."
    assert paragraphs[at + 1] == ("Quote source", "P3 · P3:0002 · site: A · group: thai")
