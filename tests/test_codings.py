"""The coding store: saving, undo, crash safety, concurrent saves, drift, bad rows; suggestions."""

import json
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.codebook.model import study_codebook
from analysis.coding.rows import CODING_COLUMNS, CodingError, new_coding, parse_codings
from analysis.coding.status import coding_status, study_codings, suggestion_report
from analysis.coding.store import CodingStore
from analysis.coding.suggest import evaluate, suggest_for_text
from analysis.text.corpus import read_transcript
from analysis.text.segments import segment_body


@pytest.fixture
def coded(make_study):
    """A study with GOOD-TH and a store; returns (study, store, transcript, segments)."""
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    transcript = read_transcript(study.transcripts_dir / "GOOD-TH.md")
    return study, CodingStore(study), transcript, segment_body(transcript.id, transcript.body)


def test_codings_add_remove_edit_and_file_format(coded) -> None:
    study, store, transcript, segments = coded
    assert store.add(new_coding(transcript, segments[1], "LIB-SHEL", "nok"))
    assert not store.add(new_coding(transcript, segments[1], "LIB-SHEL", "nok"))  # already there
    phrase_start = transcript.body.index("ล่าม", segments[3].start)
    store.add(new_coding(transcript, segments[3], "FTR-INTERP", "nok", start=phrase_start,
                         end=phrase_start + 4, memo="only the interpreter"))
    text = (study.codings_dir / "nok" / "GOOD-TH.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == ",".join(CODING_COLUMNS) and len(lines) == 3 and "\r" not in text
    assert lines[1].startswith("GOOD-TH,GOOD-TH:0002,,,LIB-SHEL,nok,") and f",{phrase_start}," in lines[2]
    codings = store.read("nok", "GOOD-TH")
    assert store.edit("nok", "GOOD-TH", codings[0].key, memo="clear case")
    assert store.read("nok", "GOOD-TH")[0].memo == "clear case"
    assert store.remove("nok", "GOOD-TH", codings[1].key)
    assert [e["action"] for e in store.log("nok")] == ["add", "add", "edit", "remove"]


def test_codings_undo_replays_the_log(coded) -> None:
    study, store, transcript, segments = coded
    first = new_coding(transcript, segments[1], "LIB-SHEL", "nok")
    second = new_coding(transcript, segments[3], "FTR-INTERP", "nok")
    store.add(first)
    store.add(second)
    store.remove("nok", "GOOD-TH", first.key)
    store.undo("nok")  # the removal
    assert {c.code_id for c in store.read("nok", "GOOD-TH")} == {"LIB-SHEL", "FTR-INTERP"}
    store.undo("nok")  # adding the second
    store.undo("nok")  # adding the first
    assert store.read("nok", "GOOD-TH") == []
    with pytest.raises(CodingError, match="nothing to undo"):
        store.undo("nok")
    result = CliRunner().invoke(app, ["--study", str(study.root), "codings", "undo", "--coder", "nok"])
    assert result.exit_code == 1


def test_codings_add_many_writes_each_file_once_and_each_coding_can_be_undone(coded, monkeypatch) -> None:
    import analysis.coding.store as codings_module

    study, store, transcript, segments = coded
    other = read_transcript(study.transcripts_dir / "GOOD-EN.md")
    store.add(new_coding(transcript, segments[1], "LIB-SHEL", "nok"))
    batch = [new_coding(transcript, segments[1], "LIB-SHEL", "nok"),  # already saved
             new_coding(transcript, segments[3], "FTR-INTERP", "nok"),
             new_coding(transcript, segments[3], "FTR-INTERP", "nok"),  # twice in the batch
             new_coding(transcript, segments[2], "LIB-SHEL", "mai"),
             new_coding(other, segment_body(other.id, other.body)[1], "LIB-SHEL", "nok")]
    writes = []
    real_write = codings_module.write_atomic
    monkeypatch.setattr(codings_module, "write_atomic", lambda path, text: (writes.append(path.name),
                                                                           real_write(path, text)))
    added = store.add_many(batch)
    assert [(c.coder_id, c.transcript_id, c.code_id) for c in added] == [
        ("nok", "GOOD-TH", "FTR-INTERP"), ("mai", "GOOD-TH", "LIB-SHEL"), ("nok", "GOOD-EN", "LIB-SHEL")]
    assert sorted(writes) == ["GOOD-EN.csv", "GOOD-TH.csv", "GOOD-TH.csv"]  # one per coder and file
    assert [e["action"] for e in store.log("nok")] == ["add"] * 3
    store.undo("nok")  # the last coding of the batch only
    assert store.read("nok", "GOOD-EN") == [] and len(store.read("nok", "GOOD-TH")) == 2
    assert store.add_many([]) == []


def test_codings_bad_row_is_reported_and_others_load(coded) -> None:
    study, store, transcript, segments = coded
    store.add(new_coding(transcript, segments[1], "LIB-SHEL", "nok"))
    store.add(new_coding(transcript, segments[3], "FTR-INTERP", "nok"))
    path = study.codings_dir / "nok" / "GOOD-TH.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "GOOD-TH,GOOD-TH:0003,9,x,LIB-DET,nok,abc,quote,now,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    codings, problems = store.load("nok", "GOOD-TH")
    assert [c.code_id for c in codings] == ["LIB-SHEL", "FTR-INTERP"]
    assert problems[0].message.startswith(f"{path}:3: bad row")
    with pytest.raises(CodingError, match="cannot save"):  # never rewrite a file and lose the bad row
        store.add(new_coding(transcript, segments[0], "LIB", "nok"))
    assert path.read_text(encoding="utf-8").count("\n") == 4


def test_codings_whole_and_phrase_of_one_code_resolve_with_file_lines(coded) -> None:
    study, store, transcript, segments = coded
    at = transcript.body.index("ล่าม")
    store.add(new_coding(transcript, segments[2], "FTR-INTERP", "nok", memo="two\nlines"))
    store.add(new_coding(transcript, segments[2], "FTR-INTERP", "nok", start=at, end=at + 4))
    store.add(new_coding(transcript, segments[2], "NO-SUCH", "nok"))
    table, problems = study_codings(study)
    # Whole-segment codings come first in the file; the memo's line break makes row 2 two lines long.
    assert table[["code_id", "status", "row"]].values.tolist() == [
        ["FTR-INTERP", "ok", 2], ["NO-SUCH", "invalid", 4], ["FTR-INTERP", "ok", 5]]
    assert problems[0].line == 4


def test_codings_validation_and_reanchoring(coded) -> None:
    study, store, transcript, segments = coded
    store.add(new_coding(transcript, segments[1], "LIB-SHEL", "nok"))
    at = transcript.body.index("อ่านไม่ออก")
    store.add(new_coding(transcript, segments[3], "FTR-INTERP", "nok", start=at, end=at + 9))
    store.add(new_coding(transcript, segments[2], "LIB-OLD", "mai"))
    store.add(new_coding(transcript, segments[2], "NO-SUCH", "mai"))
    table, problems = study_codings(study)
    assert dict(zip(table["code_id"], table["status"], strict=True)) == {
        "LIB-SHEL": "ok", "FTR-INTERP": "ok", "LIB-OLD": "invalid", "NO-SUCH": "invalid"}
    assert any("retired" in p.what and "LIB-SHEL" in p.fix for p in problems)
    assert any("unknown code 'NO-SUCH'" in p.what for p in problems)
    # Edit the transcript after coding: a new first turn shifts every offset and segment id.
    path = study.transcripts_dir / "GOOD-TH.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n\nI: ", "---\n\nI: สวัสดีค่ะ\n\nI: ", 1), encoding="utf-8")
    table, problems = study_codings(study)
    moved = table.set_index("code_id")
    assert moved.loc["LIB-SHEL", "status"] == "reanchored"
    assert moved.loc["LIB-SHEL", "segment_id"] == "GOOD-TH:0003"
    assert moved.loc["FTR-INTERP", "start"] == at + len("สวัสดีค่ะ\n\nI: ")
    assert len(table) == 4  # nothing dropped


def test_codings_ambiguous_quote_needs_review(coded) -> None:
    study, store, transcript, segments = coded
    at = transcript.body.index("ล่าม")
    store.add(new_coding(transcript, segments[2], "FTR-INTERP", "nok", start=at, end=at + 4))
    path = study.transcripts_dir / "GOOD-TH.md"
    text = path.read_text(encoding="utf-8")  # the phrase moves to 7 characters before and 7 after its place
    path.write_text(text.replace("แล้วได้ล่ามไหม", "ล่ามแล้วได้ไหมล่าม"), encoding="utf-8")
    assert len("แล้วได้") == 7 and len("ล่ามแล้วได้ไหม") == 7 + 7
    table, problems = study_codings(study)
    assert table["status"].tolist() == ["needs review"]
    assert "needs review" in problems[0].what and problems[0].line == 2
    from analysis.coding.check import check_study

    assert any("needs review" in line for line in check_study(study).problem_lines())


KILL_SCRIPT = textwrap.dedent("""
    import sys
    from analysis.coding.rows import new_coding
    from analysis.coding.store import CodingStore
    from analysis.text.corpus import read_transcript
    from analysis.text.segments import segment_body
    from analysis.study import load_study
    study = load_study(sys.argv[1])
    transcript = read_transcript(study.transcripts_dir / "GOOD-TH.md")
    segments = segment_body(transcript.id, transcript.body)
    store = CodingStore(study)
    codes = [c.strip() for c in sys.argv[3].split(",")]
    for n in range(int(sys.argv[4])):
        coding = new_coding(transcript, segments[n % len(segments)], codes[n % len(codes)], sys.argv[2],
                            memo=f"{sys.argv[2]} {n}")
        store.add(coding)
        store.remove(sys.argv[2], transcript.id, coding.key) if n % 3 == 2 else None
        print(n, flush=True)
""")


def test_codings_killed_mid_save_leave_old_or_new_file(coded, tmp_path) -> None:
    study, store, transcript, segments = coded
    script = tmp_path / "saver.py"
    script.write_text(KILL_SCRIPT)
    path = study.codings_dir / "nok" / "GOOD-TH.csv"
    for attempt in range(12):
        process = subprocess.Popen([sys.executable, str(script), str(study.root), "nok",
                                    "LIB,LIB-SHEL,LIB-DET,FTR,FTR-INTERP,ACT-POLICE", "100000"],
                                   stdout=subprocess.PIPE)
        process.stdout.readline()  # it has started saving
        time.sleep(0.02 + 0.013 * attempt)
        process.send_signal(signal.SIGKILL)
        process.wait()
        codings, problems = parse_codings(path.read_text(encoding="utf-8"), path)
        assert problems == [] and codings  # a whole file, never a partial one


def test_codings_two_processes_saving_at_once_lose_nothing(coded, tmp_path) -> None:
    study, store, transcript, segments = coded
    script = tmp_path / "saver.py"
    script.write_text(KILL_SCRIPT.replace("if n % 3 == 2", "if False"))
    runs = [subprocess.Popen([sys.executable, str(script), str(study.root), "nok", codes, "4"])
            for codes in ("LIB,LIB-SHEL", "FTR,FTR-INTERP")]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    saved = {(c.segment_id, c.code_id) for c in store.read("nok", "GOOD-TH")}
    expected = {(segments[n % len(segments)].segment_id, codes.split(",")[n % 2])
                for codes in ("LIB,LIB-SHEL", "FTR,FTR-INTERP") for n in range(4)}
    assert saved == expected
    assert sum(1 for e in store.log("nok") if e["action"] == "add") == 8


def test_codings_status_and_cli(coded) -> None:
    study, store, transcript, segments = coded
    store.add(new_coding(transcript, segments[1], "LIB-SHEL", "nok"))
    store.add(new_coding(transcript, segments[3], "FTR-INTERP", "nok"))
    status = coding_status(study).set_index("coder")
    assert status.loc["nok", ["transcripts", "segments", "codings", "codes_used"]].tolist() == [1, 2, 2, 2]
    result = CliRunner().invoke(app, ["--study", str(study.root), "codings", "status"])
    assert result.exit_code == 0 and "nok" in result.output


def test_codings_suggestions_and_evaluation(coded) -> None:
    study, store, transcript, segments = coded
    codebook = study_codebook(study)
    assert suggest_for_text(codebook, "ไม่มีล่ามค่ะ")["FTR-INTERP"] == ["ล่าม"]
    assert "FTR-INTERP" in suggest_for_text(codebook, "Did you get an INTERPRETER?")
    assert "FTR-INTERP" not in suggest_for_text(codebook, "interpreters' union")  # whole words in English
    store.add(new_coding(transcript, segments[3], "FTR-INTERP", "nok"))
    store.add(new_coding(transcript, segments[1], "ACT-POLICE", "nok"))
    report = suggestion_report(study, coder="nok").set_index("code_id")
    assert report.loc["FTR-INTERP", "recall"] == 1.0
    assert report.loc["ACT-POLICE", "both"] == 1  # ตำรวจ in turn 2
    assert list(store.root.iterdir()) == [store.root / "nok"]  # suggestions are never saved as codings
    result = CliRunner().invoke(app, ["--study", str(study.root), "suggest", "--evaluate", "nok"])
    assert result.exit_code == 0 and "precision" in result.output
    import pandas as pd

    suggested = pd.DataFrame({"transcript_id": ["T", "T"], "segment_id": ["a", "b"],
                              "code_id": ["X", "X"], "matched": ["", ""]})
    table = evaluate(suggested,
                     pd.DataFrame({"segment_id": ["a", "c"], "code_id": ["X", "X"]}), transcripts={"T"})
    assert table.iloc[0][["precision", "recall"]].tolist() == [0.5, 0.5]
    assert json.loads(json.dumps(table.to_dict()))  # plain values


def append_log(store, coder, *entries) -> None:
    """Append raw lines (dicts are written as JSON) to a coder's audit log."""
    with open(store.folder(coder) / "log.jsonl", "a", encoding="utf-8") as handle:
        for entry in entries:
            handle.write((entry if isinstance(entry, str) else json.dumps(entry, ensure_ascii=False)) + "\n")


def test_codings_undo_refuses_a_log_entry_with_a_path(coded, tmp_path) -> None:
    study, store, transcript, segments = coded
    store.add(new_coding(transcript, segments[1], "LIB-SHEL", "nok"))
    before = (store.path("nok", "GOOD-TH").read_text(encoding="utf-8"), sorted(tmp_path.rglob("*")))
    good = store.log("nok")[0]
    for bad in ("../../../tmp/x", "../../../../x", str(tmp_path / "x"), "x\\..\\y", "P1\n"):
        entry = good | {"transcript_id": bad}
        entry["row"] = entry["row"] | {"transcript_id": bad}
        (store.folder("nok") / "log.jsonl").write_text(json.dumps(entry) + "\n", encoding="utf-8")
        with pytest.raises(CodingError) as caught:
            store.undo("nok")
        message = caught.value.message
        assert "\n" not in message and "log.jsonl:1: bad log entry" in message and "not a plain id" in message
    assert not (study.root / "tmp" / "x.csv").exists() and not (tmp_path / "x.csv").exists()
    assert (store.path("nok", "GOOD-TH").read_text(encoding="utf-8"), sorted(tmp_path.rglob("*"))) == before
    result = CliRunner().invoke(app, ["--study", str(study.root), "codings", "undo", "--coder", "nok"])
    assert result.exit_code == 1 and isinstance(result.exception, CodingError)  # printed in one line


def test_codings_undo_reports_a_malformed_entry_by_line(coded) -> None:
    study, store, transcript, segments = coded
    store.add(new_coding(transcript, segments[1], "LIB-SHEL", "nok"))
    good = store.log("nok")[0]
    path = store.folder("nok") / "log.jsonl"
    unknown = {**good, "transcript_id": "NOT-HERE", "row": {**good["row"], "transcript_id": "NOT-HERE"}}
    cases = {
        '{"action": "add", "coder": "no': "not JSON",  # cut short, but not the last line
        json.dumps({k: v for k, v in good.items() if k != "row"}): "its row must have exactly the fields",
        json.dumps({**good, "row": {**good["row"], "start": "5", "end": 9}}): "'start' in its row is '5'",
        json.dumps({**good, "row": {**good["row"], "start": 9, "end": 5}}): "do not make a span",
        json.dumps({**good, "action": "delete"}): "unknown action 'delete'",
        json.dumps({**good, "coder": "mai"}): "is not this log's coder 'nok'",
        json.dumps({**good, "row": {**good["row"], "coder_id": "mai"}}): "by 'mai', not 'GOOD-TH' by 'nok'",
        json.dumps(unknown): "transcript 'NOT-HERE' is neither a transcript of the study",
        "[1, 2]": "not a JSON object",
    }
    for line, what in cases.items():
        path.write_text(json.dumps(good) + "\n" + line + "\n" + json.dumps(good) + "\n", encoding="utf-8")
        with pytest.raises(CodingError, match=r"log\.jsonl:2: ") as caught:
            store.undo("nok")
        assert what in caught.value.message and "delete the line" in caught.value.fix
    assert len(store.read("nok", "GOOD-TH")) == 1  # nothing was undone


def test_codings_log_ignores_and_cuts_off_a_line_cut_short_by_a_crash(coded) -> None:
    study, store, transcript, segments = coded
    store.add(new_coding(transcript, segments[1], "LIB-SHEL", "nok"))
    path = store.folder("nok") / "log.jsonl"
    with open(path, "ab") as handle:
        handle.write('{"action": "add", "quote": "ตำร'.encode()[:-1])  # cut inside a Thai letter
    assert [e["action"] for e in store.log("nok")] == ["add"]
    store.add(new_coding(transcript, segments[3], "FTR-INTERP", "nok"))
    assert path.read_text(encoding="utf-8").count("\n") == 2 and [e["action"] for e in store.log("nok")] == [
        "add", "add"]
    store.undo("nok")
    assert [c.code_id for c in store.read("nok", "GOOD-TH")] == ["LIB-SHEL"]


def test_codings_refuse_symbolic_links(coded, tmp_path) -> None:
    study, store, transcript, segments = coded
    store.add(new_coding(transcript, segments[1], "LIB-SHEL", "nok"))
    log = store.folder("nok") / "log.jsonl"
    outside = tmp_path / "elsewhere.jsonl"
    log.rename(outside)
    log.symlink_to(outside)
    another = new_coding(transcript, segments[2], "LIB", "nok")
    for action in (lambda: store.undo("nok"), lambda: store.add(another)):
        with pytest.raises(CodingError, match="symbolic link") as caught:
            action()
        assert caught.value.path == log and "\n" not in caught.value.message
    assert outside.read_text(encoding="utf-8").count("\n") == 1
    log.unlink()
    outside.rename(log)
    csv_path, target = store.path("nok", "GOOD-TH"), tmp_path / "target.csv"
    csv_path.rename(target)
    csv_path.symlink_to(target)
    with pytest.raises(CodingError, match="symbolic link"):
        store.undo("nok")
    with pytest.raises(CodingError, match="symbolic link"):
        store.add(new_coding(transcript, segments[2], "LIB", "nok"))
    (tmp_path / "mai").mkdir()
    store.folder("mai").symlink_to(tmp_path / "mai")
    with pytest.raises(CodingError, match="symbolic link"):
        store.add(new_coding(transcript, segments[2], "LIB", "mai"))
    assert list((tmp_path / "mai").iterdir()) == [] and target.read_text(encoding="utf-8").count("\n") == 2


def test_codings_store_refuses_transcript_ids_that_are_paths(coded) -> None:
    study, store, transcript, segments = coded
    from dataclasses import replace

    coding = replace(new_coding(transcript, segments[1], "LIB-SHEL", "nok"), transcript_id="../../x")
    with pytest.raises(CodingError, match="not a plain id"):
        store.add(coding)
    with pytest.raises(CodingError, match="not a plain id"):
        store.read("nok", "/etc/passwd")
    assert not (study.root / "data" / "x.csv").exists()
