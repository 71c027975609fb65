"""Memos on transcripts, turns, spans and codings: one per target, atomic, logged, undone, checked."""

import json

import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.coding import store as store_module
from analysis.coding.check import check_study
from analysis.coding.memos import (
    MEMO_COLUMNS,
    MemoStore,
    coding_memo,
    segment_memo,
    span_memo,
    transcript_memo,
)
from analysis.coding.rows import CodingError, new_coding
from analysis.coding.store import CodingStore
from analysis.text.corpus import read_transcript
from analysis.text.segments import segment_body


@pytest.fixture
def memoed(make_study):
    """A study with GOOD-TH; returns (study, codings store, memo store, transcript, segments)."""
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    transcript = read_transcript(study.transcripts_dir / "GOOD-TH.md")
    store = CodingStore(study)
    return study, store, MemoStore(store), transcript, segment_body(transcript.id, transcript.body)


def test_memos_every_target_saved_in_the_coders_memo_file(memoed) -> None:
    study, store, memos, transcript, segments = memoed
    coding = new_coding(transcript, segments[1], "LIB-SHEL", "nok")
    store.add(coding)
    start = transcript.body.index("ล่าม", segments[3].start)
    assert memos.save(transcript_memo(transcript, "nok", "ภาพรวม overall")) == "add"
    assert memos.save(segment_memo(transcript, segments[2], "nok", "uncoded turn")) == "add"
    assert memos.save(span_memo(transcript, segments[3], start, start + 4, "nok", "the interpreter")) == "add"
    assert memos.save(coding_memo(transcript, coding, "why shelter")) == "add"
    path = study.codings_dir / "nok" / "memos" / "GOOD-TH.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(MEMO_COLUMNS) and len(lines) == 5
    assert [m.target for m in memos.read("nok", "GOOD-TH")] == ["transcript", "segment", "span", "coding"]
    assert memos.read("nok", "GOOD-TH")[2].quote == "ล่าม"
    assert store.read("nok", "GOOD-TH") == [coding]  # a memo is never a coding, nor copied onto one
    assert [c for _, c, _ in store.files()] == ["GOOD-TH"]  # the memos folder holds no codings file


def test_memos_edit_keeps_one_per_target_and_empty_text_deletes(memoed) -> None:
    _, store, memos, transcript, segments = memoed
    memos.save(segment_memo(transcript, segments[2], "nok", "first"))
    assert memos.save(segment_memo(transcript, segments[2], "nok", "second")) == "edit"
    assert memos.save(segment_memo(transcript, segments[2], "nok", "second")) is None  # no change, no log
    assert [m.memo for m in memos.read("nok", "GOOD-TH")] == ["second"]
    assert memos.save(segment_memo(transcript, segments[2], "nok", "")) == "remove"
    assert memos.read("nok", "GOOD-TH") == []
    assert memos.save(segment_memo(transcript, segments[2], "nok", "")) is None
    log = store.log("nok")
    assert [(e["action"], e["kind"]) for e in log] == [("add", "memo"), ("edit", "memo"), ("remove", "memo")]
    assert log[1]["old"]["memo"] == "first" and log[1]["row"]["memo"] == "second"


def test_memos_undo_takes_back_the_last_memo_change(memoed) -> None:
    _, store, memos, transcript, segments = memoed
    store.add(new_coding(transcript, segments[1], "LIB-SHEL", "nok"))
    memos.save(segment_memo(transcript, segments[2], "nok", "first"))
    memos.save(segment_memo(transcript, segments[2], "nok", "second"))
    memos.save(segment_memo(transcript, segments[2], "nok", ""))
    assert store.undo("nok")["action"] == "remove"
    assert [m.memo for m in memos.read("nok", "GOOD-TH")] == ["second"]
    store.undo("nok")
    assert [m.memo for m in memos.read("nok", "GOOD-TH")] == ["first"]
    store.undo("nok")
    assert memos.read("nok", "GOOD-TH") == []
    assert store.read("nok", "GOOD-TH") != []
    store.undo("nok")  # then the coding, from the same log
    assert store.read("nok", "GOOD-TH") == []


def test_memos_cli_undo(memoed) -> None:
    study, _, memos, transcript, segments = memoed
    memos.save(transcript_memo(transcript, "nok", "whole interview"))
    result = CliRunner().invoke(app, ["--study", str(study.root), "codings", "undo", "--coder", "nok"])
    assert result.exit_code == 0, result.output
    assert "Undid add of the transcript memo on GOOD-TH by nok." in result.output
    assert memos.read("nok", "GOOD-TH") == []


def test_memos_write_is_atomic(memoed, monkeypatch) -> None:
    _, _, memos, transcript, segments = memoed
    memos.save(segment_memo(transcript, segments[2], "nok", "kept"))
    path = memos.path("nok", "GOOD-TH")
    before = path.read_bytes()

    def crash(target, data):
        raise OSError("disk full")

    monkeypatch.setattr(store_module, "write_atomic", crash)
    with pytest.raises(OSError):
        memos.save(segment_memo(transcript, segments[2], "nok", "lost"))
    assert path.read_bytes() == before
    assert [e["action"] for e in CodingStore(memoed[0]).log("nok")] == ["add"]  # not logged either
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_memos_span_outside_its_segment_is_refused(memoed) -> None:
    _, _, _, transcript, segments = memoed
    with pytest.raises(CodingError, match="not inside segment"):
        span_memo(transcript, segments[1], segments[2].start, segments[2].start + 3, "nok", "x")


def test_memos_log_entry_with_a_bad_memo_row_is_refused(memoed) -> None:
    study, store, memos, transcript, segments = memoed
    memos.save(segment_memo(transcript, segments[2], "nok", "x"))
    log = study.codings_dir / "nok" / "log.jsonl"
    entry = json.loads(log.read_text(encoding="utf-8"))
    entry["row"]["target"] = "../../etc"
    log.write_text(json.dumps(entry) + "\n", encoding="utf-8")
    with pytest.raises(CodingError, match=r"log\.jsonl:1: bad log entry: target"):
        store.undo("nok")


def test_memos_check_finds_stale_and_unknown_memos(memoed) -> None:
    study, store, memos, transcript, segments = memoed
    memos.save(transcript_memo(transcript, "nok", "fine"))
    memos.save(segment_memo(transcript, segments[2], "nok", "turn"))
    start = transcript.body.index("ล่าม", segments[3].start)
    memos.save(span_memo(transcript, segments[3], start, start + 4, "nok", "phrase"))
    assert check_study(study).ok
    path = memos.path("nok", "GOOD-TH")
    text = path.read_text(encoding="utf-8")
    text = text.replace(f",{start},{start + 4},", f",{start + 1},{start + 5},")  # offsets moved
    text += "GOOD-TH,segment,GOOD-TH:0099,,,,nok,x,gone,2026-01-01T00:00:00+00:00,lost turn\n"
    path.write_text(text, encoding="utf-8")
    (path.parent / "NOPE.csv").write_text(text.splitlines()[0] + "\nNOPE,transcript,,,,,nok,,,,t\n",
                                          encoding="utf-8")
    lines = check_study(study).problem_lines()
    memo_lines = [line for line in lines if "memos" in line]
    assert len(memo_lines) == 3, lines
    assert any("GOOD-TH.csv:4:" in line and "no longer the memo's quote" in line for line in memo_lines)
    assert any("GOOD-TH.csv:5:" in line and "unknown segment 'GOOD-TH:0099'" in line for line in memo_lines)
    assert any("NOPE.csv:2:" in line and "unknown transcript 'NOPE'" in line for line in memo_lines)
    result = CliRunner().invoke(app, ["--study", str(study.root), "check"])
    assert result.exit_code == 1 and "unknown segment" in result.output


def test_memos_folder_is_scanned_by_the_leak_guard(memoed) -> None:
    from analysis.privacy.leak_guard import privacy_files

    study, _, memos, transcript, segments = memoed
    memos.save(segment_memo(transcript, segments[2], "nok", "x"))
    assert memos.path("nok", "GOOD-TH") in privacy_files(study)
