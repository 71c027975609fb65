"""Anonymisation and the leak guard: identifiers found, pseudonymised, and never leaked."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib.figure import Figure

from analysis.privacy.anonymise import AnonymiseError, apply_key, read_key, write_proposal
from analysis.privacy.leak_guard import check_privacy, scan_file
from analysis.privacy.pii import find_identifiers, thai_id_valid
from analysis.privacy.replace import Replacer
from analysis.report.figures import style
from analysis.study import read_study_file
from analysis.text.corpus import read_transcript, transcript_files
from conftest import FIXTURES

RAW = FIXTURES / "raw"
RAW_FILES = sorted(RAW.glob("RAW-*"))  # the folder also holds the names list, gold and scripts
SITES = ["Bangkok", "Phuket", "Chiang Mai", "Chiang Rai", "Songkhla"]
PHONE = "081-234-5678"


@pytest.fixture
def raw_study(make_study, tmp_path, monkeypatch):
    """A study whose data/raw holds the fictional raw fixtures; secrets in a temp folder outside it."""
    study = make_study()
    config = study.config_file.read_text(encoding="utf-8")
    study.config_file.write_text(config.replace("keep_places = []", f"keep_places = {json.dumps(SITES)}"),
                                 encoding="utf-8")
    study = read_study_file(study.config_file)  # the research sites stay: they are an attribute
    for path in RAW_FILES:
        shutil.copy(path, study.raw_dir / path.name)
    secrets = tmp_path / "secrets"
    monkeypatch.setenv("SITTHI_SECRETS", str(secrets))
    secrets.mkdir()
    shutil.copy(RAW / "study-names.txt", secrets / "names.txt")
    return study


def test_pii_thai_id_checksum_digits_and_word_boundaries() -> None:
    assert thai_id_valid("1101700230708") and not thai_id_valid("1101700230709")
    found = {(h.text, h.kind) for h in find_identifiers(
        "บัตร ๑-๑๐๑๗-๐๐๒๓๐-๗๐-๘ โทร 0812345678 ไปแม่น้ำกับแม่มาลัย ไม่มีล่ามเลย อยู่จังหวัดเลย")}
    assert found == {("๑-๑๐๑๗-๐๐๒๓๐-๗๐-๘", "id_card"), ("0812345678", "phone"), ("มาลัย", "name"),
                     ("เลย", "place")}
    assert find_identifiers("I am Thai and I live in Chiang Mai.", keep_places=("Chiang Mai",)) == []


def test_privacy_propose_then_apply_leaves_nothing(raw_study) -> None:
    key_path, review_path, n = write_proposal(raw_study)
    assert n > 0 and raw_study.root not in key_path.parents  # the key never lives in the study
    assert not any(p.name in {"key.csv", "review.csv"} for p in raw_study.root.rglob("*"))
    key = read_key(raw_study)
    applied = apply_key(raw_study)
    written = applied.written
    assert applied.problems == [] and len(written) == len(RAW_FILES)
    for path in written:
        transcript = read_transcript(path)  # valid, and anonymised: true
        assert not Replacer(key).find(transcript.body)  # no original left on word boundaries
        assert "[NAME-" in transcript.body or "[PHONE]" in transcript.body
    assert check_privacy(raw_study, written) == []


def test_privacy_apply_refuses_what_the_reviewer_let_through(raw_study) -> None:
    key_path, _, _ = write_proposal(raw_study)
    lines = key_path.read_text(encoding="utf-8").splitlines()
    lines = [line if ",phone," not in line else line.replace("[PHONE]", "") for line in lines]
    key_path.write_text("\n".join(lines) + "\n", encoding="utf-8")  # the reviewer emptied the phones
    applied = apply_key(raw_study)
    problems = applied.problems
    assert problems and all("would remain after anonymising" in p.what for p in problems)
    assert {p.path.stem for p in problems}.isdisjoint({w.stem for w in applied.written})


def test_privacy_secrets_inside_the_study_are_refused(raw_study, monkeypatch) -> None:
    monkeypatch.setenv("SITTHI_SECRETS", str(raw_study.root / "secrets"))
    with pytest.raises(AnonymiseError, match="inside the study"):
        write_proposal(raw_study)


def _planted(folder: Path) -> list[Path]:
    """The same phone number planted in every output format the report writes."""
    import pandas as pd
    from docx import Document

    suffixes = ("html", "csv", "xlsx", "docx", "svg", "pdf", "json")
    paths = {suffix: folder / f"out.{suffix}" for suffix in suffixes}
    paths["html"].write_text(f"<p>โทร {PHONE}</p>", encoding="utf-8")
    frame = pd.DataFrame({"quote": ["nothing", f"call {PHONE}"]})
    frame.to_csv(paths["csv"], index=False)
    frame.to_excel(paths["xlsx"], index=False)
    document = Document()
    document.add_paragraph(f"เบอร์ {PHONE}")
    document.save(str(paths["docx"]))
    with mpl.rc_context(style()):  # the report's settings: SVG text stays text
        figure = Figure()
        figure.text(0.1, 0.5, f"phone {PHONE}")
        figure.savefig(paths["svg"], format="svg")
        figure.savefig(paths["pdf"], format="pdf")
    paths["json"].write_text(json.dumps({"memo": f"{PHONE}"}), encoding="utf-8")
    return list(paths.values())


def test_leak_guard_finds_a_planted_phone_in_every_format(tmp_path) -> None:
    for path in _planted(tmp_path):
        leaks = scan_file(path)
        assert leaks and leaks[0].path == path, path.suffix
        assert PHONE not in leaks[0].message  # the finding is masked in the message


def test_leak_guard_reads_a_project_export(demo_study, tmp_path) -> None:
    import zipfile

    from analysis.exchange.qdpx_export import export_qdpx

    clean = export_qdpx(demo_study, tmp_path / "demo.qdpx").path
    assert scan_file(clean) == []  # GUIDs and offsets are not mistaken for numbers
    planted = tmp_path / "planted.qdpx"
    with zipfile.ZipFile(clean) as source, zipfile.ZipFile(planted, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "project.qde":
                data = data.replace(b"<PlainTextContent>", f"<PlainTextContent>{PHONE} ".encode(), 1)
            elif name == sorted(source.namelist())[-1]:  # the last source text
                data += f"\nR: call {PHONE}\n".encode()
            target.writestr(name, data)
    leaks = scan_file(planted)
    assert len(leaks) == 2 and {leak.path for leak in leaks} == {planted}


def test_leak_guard_passes_the_demo(demo_study) -> None:
    folders = (demo_study.transcripts_dir, demo_study.codings_dir, demo_study.root / "notebooks")
    files = [p for folder in folders for p in folder.rglob("*") if p.is_file()]
    assert check_privacy(demo_study, files) == []


def test_report_removes_an_output_that_leaks(coded_tiny_study) -> None:
    from analysis.coding.rows import new_coding
    from analysis.coding.store import CodingStore
    from analysis.report.build import build_report
    from analysis.text.segments import segment_body

    path = coded_tiny_study.transcripts_dir / "P3.md"
    path.write_text(path.read_text(encoding="utf-8").replace("two months.", f"two months. {PHONE}"),
                    encoding="utf-8")
    transcript, store = read_transcript(path), CodingStore(coded_tiny_study)
    for coder in ("nok", "mai"):  # coded after the phone slipped in
        store.path(coder, "P3").unlink()
        store.add(new_coding(transcript, segment_body("P3", transcript.body)[1], "LIB-SHEL", coder))
    result = build_report(coded_tiny_study, samples=20)
    assert result.removed and not (coded_tiny_study.outputs_dir / "quotes.docx").exists()
    assert not (coded_tiny_study.outputs_dir / "tables" / "quotes.csv").exists()
    assert (coded_tiny_study.outputs_dir / "figures" / "th" / "rights-violated.png").exists()


def test_git_hook_refuses_identifiers_and_notebook_outputs(tmp_path) -> None:
    from analysis.privacy.git_hook import install

    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path,
                              capture_output=True, text=True)

    git("init", "-q")
    install(tmp_path)
    (tmp_path / "notes.md").write_text(f"call her on {PHONE}\n", encoding="utf-8")
    git("add", "notes.md")
    refused = git("commit", "-qm", "x")
    assert refused.returncode != 0 and "notes.md:1" in refused.stderr
    (tmp_path / "notes.md").write_text("nothing here\n", encoding="utf-8")
    cell = {"cell_type": "code", "source": "1", "outputs": [{"text": "1"}], "execution_count": 1,
            "metadata": {}}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "a.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    git("add", "notes.md", "a.ipynb")
    refused = git("commit", "-qm", "x")
    assert refused.returncode != 0 and "a.ipynb: notebook saved with outputs" in refused.stderr
    git("rm", "-q", "--cached", "a.ipynb")
    assert git("commit", "-qm", "x").returncode == 0


def test_pii_recall_per_kind_on_the_raw_fixtures() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from pii_recall import evaluate

    result = evaluate(RAW)
    assert set(result["recall"]) >= {"id_card", "phone", "email", "url", "social", "name", "place", "custom"}
    for kind, measured in result["recall"].items():
        assert measured["recall"] >= 0.95, (kind, measured)
    assert result["not_id_flagged"] == 0  # numbers with a wrong check digit are not ID numbers


def test_privacy_notebook_runs_propose_apply_check(raw_study, monkeypatch) -> None:
    from test_notebooks import _execute

    notebook = _execute(Path(__file__).resolve().parent.parent / "notebooks" / "10-prepare-transcripts.ipynb",
                        raw_study.root, monkeypatch)
    shown = "".join(str(o.get("data", {}).get("text/plain", "")) for c in notebook.cells
                    if c.cell_type == "code" for o in c.outputs)
    assert "written / บันทึกแล้ว" in shown and "nothing identifying found" in shown
    assert len(transcript_files(raw_study.transcripts_dir)) == len(RAW_FILES)


def test_privacy_cli_propose_apply_and_check(raw_study) -> None:
    from typer.testing import CliRunner

    from analysis.cli import app

    runner, study = CliRunner(), ["--study", str(raw_study.root)]
    proposed = runner.invoke(app, [*study, "anonymise", "--propose"])
    assert proposed.exit_code == 0 and "identifiers proposed" in proposed.output
    applied = runner.invoke(app, [*study, "anonymise", "--apply"])
    assert applied.exit_code == 0 and f"{len(RAW_FILES)} transcript(s) written" in applied.output
    checked = runner.invoke(app, [*study, "check", "--privacy"])
    assert checked.exit_code == 0 and "nothing identifying found" in checked.output
    (raw_study.transcripts_dir / "RAW-EN-01.md").write_text("---\nid: RAW-EN-01\n---\n\ncall 0812345678\n",
                                                            encoding="utf-8")
    leaked = runner.invoke(app, [*study, "check", "--privacy"])
    assert leaked.exit_code == 1 and "RAW-EN-01.md:5: an identifier from the key" in leaked.output
