"""The `sitthi` command as a user runs it: the installed console script, its exit status and its errors.

0 when all is well, 1 for problems found, 2 for usage errors; errors in one line, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis import cli
from analysis.cli import app

SITTHI = Path(sys.executable).parent / "sitthi"
LEAK = ("---\nid: LEAK\nlanguage: en\nanonymised: true\nfictional: true\nsite: A\ngroup: thai\n---\n\n"
        "I: How can we reach you?\n\nR: Call me on 081-234-5678.\n")


def sitthi(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run the installed console script in ``cwd`` (no study there), without $SITTHI_STUDY."""
    assert SITTHI.exists(), f"{SITTHI} is missing: install the package (pip install -e .)"
    env = {k: v for k, v in os.environ.items() if k not in ("SITTHI_STUDY", "SITTHI_DEBUG")}
    return subprocess.run([str(SITTHI), *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd)


def assert_one_error_line(done: subprocess.CompletedProcess, status: int, *words: str) -> str:
    """The run exited with ``status`` and said why in its last stderr line (after any progress bar)."""
    assert done.returncode == status, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ") and all(word in line for word in words), line
    return line


def test_cli_check_ok_with_study_after_the_command(make_study, tmp_path) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    done = sitthi("check", "--study", study.root, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "OK: 2 transcripts" in done.stdout


def test_cli_check_broken_study_exits_1(make_study, tmp_path) -> None:
    study = make_study("GOOD-TH.md", "BROKEN-YAML.md")
    done = sitthi("--study", study.root, "check", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "BROKEN-YAML.md:4: front matter is not valid YAML" in done.stderr
    assert "1 problem(s) found" in done.stderr


def test_cli_report_refused_on_a_broken_study_exits_1(make_study, tmp_path) -> None:
    study = make_study("GOOD-TH.md", "BROKEN-YAML.md")
    assert_one_error_line(sitthi("report", "--study", study.root, cwd=tmp_path), 1,
                          "sitthi check found 1 problem(s)", "BROKEN-YAML.md:4")
    assert not (study.outputs_dir / "report.html").exists()


def test_cli_check_privacy_exits_1_on_a_phone_number(make_study, tmp_path) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    clean = sitthi("check", "--privacy", "--study", study.root, cwd=tmp_path)
    assert clean.returncode == 0 and "nothing identifying found" in clean.stdout, clean.stderr
    (study.transcripts_dir / "LEAK.md").write_text(LEAK, encoding="utf-8")
    leaked = sitthi("--study", study.root, "check", "--privacy", cwd=tmp_path)
    assert leaked.returncode == 1 and "Traceback" not in leaked.stderr
    assert "LEAK.md:12: a phone number (08…78)" in leaked.stderr


def test_cli_codings_undo_with_nothing_to_undo_is_one_line(make_study, tmp_path) -> None:
    study = make_study()
    done = sitthi("codings", "undo", "--coder", "x", "--study", study.root, cwd=tmp_path)
    assert_one_error_line(done, 1, "nothing to undo for x")
    assert len(done.stderr.strip().splitlines()) == 1


def test_cli_codings_redo_does_again_what_undo_took_back(make_study, tmp_path) -> None:
    from analysis.coding.rows import new_coding
    from analysis.coding.store import CodingStore
    from analysis.text.corpus import read_transcript
    from analysis.text.segments import segment_body

    study = make_study("GOOD-TH.md")
    transcript = read_transcript(study.transcripts_dir / "GOOD-TH.md")
    segment = segment_body(transcript.id, transcript.body)[1]
    store = CodingStore(study)
    store.add(new_coding(transcript, segment, "LIB-SHEL", "nok"))
    undone = sitthi("codings", "undo", "--coder", "nok", "--study", study.root, cwd=tmp_path)
    assert undone.returncode == 0 and store.read("nok", "GOOD-TH") == [], undone.stderr
    redone = sitthi("codings", "redo", "--coder", "nok", "--study", study.root, cwd=tmp_path)
    assert redone.returncode == 0, redone.stderr
    assert redone.stdout.strip() == f"Redid add of LIB-SHEL on {segment.segment_id} by nok."
    assert [c.code_id for c in store.read("nok", "GOOD-TH")] == ["LIB-SHEL"]
    assert [e["action"] for e in store.log("nok")] == ["add", "undo", "redo"]
    again = sitthi("codings", "redo", "--coder", "nok", "--study", study.root, cwd=tmp_path)
    assert_one_error_line(again, 1, "nothing to redo for nok", "log.jsonl")
    assert len(again.stderr.strip().splitlines()) == 1 and [c.code_id for c in store.read("nok", "GOOD-TH")]


@pytest.mark.parametrize(("args", "words"), [
    (["check", "--bogus"], ["No such option: --bogus", "(try: sitthi check --help)"]),
    (["--bogus"], ["No such option: --bogus", "(try: sitthi --help)"]),
    (["nonsense"], ["No such command 'nonsense'"]),
    (["kwic"], ["Missing argument 'query'", "(try: sitthi kwic --help)"]),
    (["anonymise"], ["--propose or --apply"]),
    (["agree", "--by", "nonsense"], ["'--by'", "'nonsense' is not one of 'code', 'right'"]),
])
def test_cli_usage_errors_exit_2_in_one_line(tmp_path, args, words) -> None:
    done = sitthi(*args, cwd=tmp_path)
    assert_one_error_line(done, 2, *words)
    assert len(done.stderr.strip().splitlines()) == 1 and done.stdout == ""


def test_cli_help_exits_0(tmp_path) -> None:
    done = sitthi("--help", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert "--study" in done.stdout and "codings" in done.stdout


def test_cli_study_after_group_subcommands(coded_tiny_study) -> None:
    """``--study`` after the subcommand of a group works as before it; given twice, it must agree."""
    root = str(coded_tiny_study.root)
    status = CliRunner().invoke(app, ["codings", "status", "--study", root])
    assert status.exit_code == 0 and "nok" in status.output, status.output
    shown = CliRunner().invoke(app, ["codebook", "show", "--lang", "en", "--study", root])
    assert shown.exit_code == 0 and "label_en" in shown.output, shown.output
    same = CliRunner().invoke(app, ["--study", root, "codings", "status", "--study", root])
    assert same.exit_code == 0, same.output
    twice = CliRunner().invoke(app, ["--study", root, "codings", "status", "--study", "/elsewhere"])
    assert twice.exit_code == 2 and "--study given twice" in twice.output


def test_cli_run_reports_a_bug_in_one_line(monkeypatch, capsys, tmp_path) -> None:
    def broken(folder):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "load_study", broken)
    monkeypatch.delenv("SITTHI_DEBUG", raising=False)
    assert cli.run(["check", "--study", str(tmp_path)]) == 1
    assert capsys.readouterr().err == ("internal error: ZeroDivisionError: division by zero — please report "
                                       "it; run with SITTHI_DEBUG=1 to see the details\n")
    monkeypatch.setenv("SITTHI_DEBUG", "1")
    assert cli.run(["check", "--study", str(tmp_path)]) == 1
    shown = capsys.readouterr().err
    assert "Traceback" in shown and "in broken" in shown and shown.endswith("see the details\n")


def test_cli_run_interrupted_exits_130(monkeypatch, tmp_path) -> None:
    def interrupted(folder):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_study", interrupted)
    assert cli.run(["check", "--study", str(tmp_path)]) == 130


def test_cli_run_returns_the_status_of_the_command(make_study) -> None:
    """``run`` (and so ``main``) passes on the status a command exits with, not just its errors."""
    study = make_study("GOOD-TH.md", "BROKEN-YAML.md")
    assert cli.run(["--study", str(study.root), "check"]) == 1
    assert cli.run(["init", str(study.root.parent / "new")]) == 0
