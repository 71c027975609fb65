"""Codings imported with raw texts wait in data/raw/codings and move with anonymisation."""

from pathlib import Path

import pytest
from test_exchange_qdpx_import import WANTED_A, nvivo_project, write_qdpx
from typer.testing import CliRunner

from analysis.cli import app
from analysis.coding.imported import move_offset, raw_store
from analysis.coding.store import CodingStore
from analysis.exchange.qdpx_import import import_qdpx
from analysis.privacy.anonymise import pseudonymise_with_changes
from analysis.study import read_study_file
from analysis.text.corpus import read_transcript


def test_raw_codings_offsets_move_past_replacements() -> None:
    text = "Ann met Bo at the bar."
    new, changes = pseudonymise_with_changes(text, {"Ann": "[NAME-01]", "Bo": "[NAME-02]"})
    assert new == "[NAME-01] met [NAME-02] at the bar."
    bar = text.index("bar")
    assert new[move_offset(bar, changes, end=False):move_offset(bar + 3, changes, end=True)] == "bar"
    assert move_offset(1, changes, end=False) == 0 and move_offset(1, changes, end=True) == 9  # inside "Ann"
    assert move_offset(0, changes, end=False) == 0 and move_offset(len(text), changes, end=True) == len(new)


def _key(folder: Path, rows: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["original,kind,replacement,count,files"] + [f"{o},name,{r},1,x" for o, r in rows.items()]
    (folder / "key.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def imported_raw(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("SITTHI_SECRETS", str(tmp_path / "secrets"))
    result = import_qdpx(write_qdpx(tmp_path / "p.qdpx", nvivo_project()), tmp_path / "study")
    assert result.transcripts[0].parent == result.study.raw_dir
    assert CodingStore(result.study).coders() == []  # nothing quotes raw text in data/codings
    assert sum(len(raw_store(result.study).codings_of(c)) for c in ("mai", "nok-example")) == 5
    assert any("sitthi anonymise --propose" in line for line in result.summary())
    return tmp_path / "study"


def test_raw_codings_carried_by_anonymise_apply(imported_raw: Path, tmp_path: Path) -> None:
    # "what happened" comes before every coded span, "พาไป" lies inside two of them
    _key(tmp_path / "secrets", {"what happened": "[EVENT-01]", "พาไป": "[PLACE-01]", "memo 3": "[MEMO]"})
    run = CliRunner().invoke(app, ["--study", str(imported_raw), "anonymise", "--apply"])
    assert run.exit_code == 0, run.output
    assert "5 imported coding(s) carried" in run.output
    anonymised = read_transcript(imported_raw / "data" / "transcripts" / "Interview-A.md",
                                 require_labels=False)
    assert "[EVENT-01]" in anonymised.body and "พาไป" not in anonymised.body
    store = CodingStore(read_study_file(imported_raw / "study.toml"))
    got = {(c.coder_id, c.quote, c.memo) for coder in store.coders() for c in store.codings_of(coder)}
    quotes = {words.replace("พาไป", "[PLACE-01]") for words, _, _ in WANTED_A}
    assert {q for _, q, _ in got} >= quotes and ("mai", "ตำรวจ 🙂 [PLACE-01]บ้านพัก อยู่สองเดือน", "[MEMO]") in got
    for coder in store.coders():
        for coding in store.codings_of(coder):
            body = read_transcript(imported_raw / "data" / "transcripts" / f"{coding.transcript_id}.md",
                                   require_labels=False).body
            if coding.start is not None:
                assert body[coding.start:coding.end] == coding.quote
            assert coding.text_sha8 and "memo 3" not in coding.memo
    whole = [c for c in store.codings_of("mai") if c.quote.startswith("ตำรวจ")]
    assert len(whole) == 1 and whole[0].start is None  # still a whole-turn coding
    before = {c for coder in store.coders() for c in store.codings_of(coder)}
    again = CliRunner().invoke(app, ["--study", str(imported_raw), "anonymise", "--apply"])
    assert again.exit_code == 0 and "left in data/raw/codings" in again.output
    assert {c for coder in store.coders() for c in store.codings_of(coder)} == before  # nothing doubled


def test_raw_codings_memo_that_still_identifies_is_refused(imported_raw: Path, tmp_path: Path) -> None:
    waiting = raw_store(read_study_file(imported_raw / "study.toml"))
    path = waiting.path("mai", "Interview-A")
    path.write_text(path.read_text(encoding="utf-8").replace("memo 2", "call 081-234-5678"), encoding="utf-8")
    _key(tmp_path / "secrets", {"พาไป": "[PLACE-01]"})
    run = CliRunner().invoke(app, ["--study", str(imported_raw), "anonymise", "--apply"])
    assert run.exit_code == 1
    assert "a memo would still hold" in run.output and "mai/Interview-A.csv" in run.output
    store = CodingStore(read_study_file(imported_raw / "study.toml"))
    assert not store.path("mai", "Interview-A").exists() and path.is_file()  # waits, nothing lost
    assert store.codings_of("nok-example")  # the other coder's file was carried


def test_raw_codings_file_with_a_bad_row_waits_and_is_named(imported_raw: Path, tmp_path: Path) -> None:
    waiting = raw_store(read_study_file(imported_raw / "study.toml"))
    path = waiting.path("mai", "Interview-A")
    path.write_text(path.read_text(encoding="utf-8") + "Interview-A,not,a,good,row\n", encoding="utf-8")
    _key(tmp_path / "secrets", {"พาไป": "[PLACE-01]"})
    run = CliRunner().invoke(app, ["--study", str(imported_raw), "anonymise", "--apply"])
    assert run.exit_code == 1 and "not carried" in run.output and "mai/Interview-A.csv:" in run.output
    store = CodingStore(read_study_file(imported_raw / "study.toml"))
    assert not store.path("mai", "Interview-A").exists() and path.is_file()  # nothing carried half
