"""`sitthi check`, `sitthi report` and `sitthi init` as a user runs them."""

import subprocess
import sys

from typer.testing import CliRunner

from analysis.cli import app
from analysis.coding.check import check_study, corpus_summary
from conftest import REPO

runner = CliRunner()


def test_check_demo_study_passes(demo_study) -> None:
    result = check_study(demo_study)
    assert result.ok, result.problem_lines()
    assert list(result.table.columns) == ["id", "language", "site", "group", "turns", "characters",
                                          "thai_share", "problems"]
    assert (result.table["problems"] == 0).all()
    summary = corpus_summary(result.corpus)
    assert summary.loc["total", "transcripts"] == len(result.corpus)


def test_check_table_lists_unreadable_files(make_study) -> None:
    result = check_study(make_study("GOOD-TH.md", "JUNK.md", "WRONG-ID.md"))
    assert not result.ok
    rows = result.table.set_index("id")["problems"].to_dict()
    assert rows == {"GOOD-TH": 0, "JUNK.md": 1, "WRONG-ID.md": 1}


def test_check_empty_study_is_a_problem(make_study) -> None:
    result = check_study(make_study())
    assert [p.what for p in result.problems] == ["no transcripts"]


def test_check_cli_fails_with_file_and_line(make_study) -> None:
    study = make_study("GOOD-TH.md", "BROKEN-YAML.md", "NOT-ANON.md")
    result = runner.invoke(app, ["--study", str(study.root), "check"])
    assert result.exit_code == 1
    assert f"{study.transcripts_dir / 'BROKEN-YAML.md'}:4: front matter is not valid YAML" in result.output
    assert f"{study.transcripts_dir / 'NOT-ANON.md'}:4: refused" in result.output
    assert "GOOD-TH" in result.output and "Traceback" not in result.output


def test_check_cli_study_from_environment(make_study, monkeypatch) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    monkeypatch.setenv("SITTHI_STUDY", str(study.root))
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "OK: 2 transcripts" in result.output


def test_check_report_needs_codings(make_study) -> None:
    from analysis.report.build import ReportError

    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    result = runner.invoke(app, ["--study", str(study.root), "report"])
    assert result.exit_code == 1 and isinstance(result.exception, ReportError)
    assert "no transcript is coded yet" in str(result.exception)
    assert not (study.outputs_dir / "report.html").exists()


def test_check_console_script_prints_user_errors_without_traceback(tmp_path) -> None:
    sitthi = REPO / ".venv" / "bin" / "sitthi"
    command = [str(sitthi)] if sitthi.exists() else [sys.executable, "-c",
                                                     "from analysis.cli import main; main()"]
    done = subprocess.run(command + ["--study", str(tmp_path), "check"], capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 1
    assert done.stderr.strip() == (f"error: {tmp_path}: no study.toml in this folder — give the folder "
                                   "of a study, or create one with `sitthi init PATH`")


def test_check_cli_init_then_refuses_again(tmp_path) -> None:
    target = tmp_path / "field"
    first = runner.invoke(app, ["init", str(target), "--name", "Field 2027"])
    assert first.exit_code == 0 and (target / "study.toml").is_file()
    assert 'name = "Field 2027"' in (target / "study.toml").read_text()
    second = runner.invoke(app, ["init", str(target)])
    assert second.exit_code != 0


def test_check_codings_row_of_another_coder_is_a_problem(make_study) -> None:
    from analysis.coding.rows import new_coding
    from analysis.coding.status import study_codings
    from analysis.coding.store import CodingStore
    from analysis.text.corpus import read_transcript
    from analysis.text.segments import segment_body

    study = make_study("GOOD-TH.md")
    transcript = read_transcript(study.transcripts_dir / "GOOD-TH.md")
    store = CodingStore(study)
    store.add(new_coding(transcript, segment_body(transcript.id, transcript.body)[1], "LIB-SHEL", "nok"))
    assert check_study(study).ok
    path = store.path("nok", "GOOD-TH")
    text = path.read_text(encoding="utf-8")
    path.write_text(text + text.splitlines()[1].replace(",LIB-SHEL,nok,", ",LIB-DET,mai,") + "\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["--study", str(study.root), "check"])
    assert result.exit_code == 1
    assert f"{path}:3: coder_id 'mai' is not this folder's coder 'nok'" in result.output
    codings = study_codings(study)[0].set_index("coder_id")
    assert codings.loc["mai", "status"] == "invalid"  # counted for nobody
