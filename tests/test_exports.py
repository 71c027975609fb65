"""Spreadsheets that cannot run formulas: hostile text through ``sitthi report`` and the disagreements."""

import csv
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.agreement.study import study_agreement, write_disagreements
from analysis.coding.rows import new_coding
from analysis.coding.store import CodingStore
from analysis.report.build import build_report
from analysis.spreadsheets import TRIGGERS, csv_text, neutralise, write_workbook
from analysis.study import init_study
from analysis.text.corpus import read_corpus
from analysis.text.segments import segment_body
from conftest import FIXTURES

HYPERLINK = '=HYPERLINK("http://x","y")'
HOSTILE = [HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=ไม่มีล่าม"]
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
# participant: (site, group, what she says in turn 2)
PEOPLE = {"P1": (HYPERLINK, "\t=1", "=ไม่มีล่าม ตำรวจพาไปบ้านพัก"), "P2": (HYPERLINK, "\t=1", HYPERLINK),
          "P3": (HYPERLINK, "\t=1", "+1+1 in a shelter"), "P4": ("@SUM(A1)", "\r=1", "-2+3 in a shelter"),
          "P5": ("@SUM(A1)", "\r=1", "@SUM(A1) in a shelter"), "P6": ("@SUM(A1)", "\r=1", "=1+1 shelter")}


def _front(value: str) -> str:
    """A YAML double-quoted scalar."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\t", "\\t").replace("\r", "\\r") + '"'


def _hostile_study(folder: Path):
    """Six participants whose words, site and group values and the label of LIB-SHEL begin like formulas;
    nok and mai both coded LIB-SHEL on turn 2 and FTR-INTERP on turn 4."""
    study = init_study(folder, name="Hostile study", codebooks=FIXTURES / "codebooks" / "study")
    codebook = study.codebooks_dir / "rights-violations.yaml"
    text = codebook.read_text(encoding="utf-8")
    for label, hostile in [('{en: "Held in a shelter", th: "ถูกกักในสถานคุ้มครอง"}',
                            '{en: "@SUM(A1) held", th: "=ถูกกักในสถานคุ้มครอง"}'),
                           ('{en: "No interpreter", th: "ไม่มีล่าม"}',
                            '{en: "+1+1 no interpreter", th: "ไม่มีล่าม"}')]:
        assert label in text
        text = text.replace(label, hostile)
    codebook.write_text(text, encoding="utf-8")
    for tid, (site, group, words) in PEOPLE.items():
        language = "th" if tid == "P1" else "en"
        body = f"I: What happened?\n\nR: {words}\n\nI: Was there an interpreter?\n\nR: -1 no interpreter"
        (study.transcripts_dir / f"{tid}.md").write_text(
            f"---\nid: {tid}\nlanguage: {language}\nanonymised: true\nfictional: true\nsite: {_front(site)}\n"
            f"group: {_front(group)}\n---\n\n{body}\n", encoding="utf-8")
    store = CodingStore(study)
    for transcript in read_corpus(study):
        segments = segment_body(transcript.id, transcript.body)
        for coder in ("nok", "mai"):
            store.add(new_coding(transcript, segments[1], "LIB-SHEL", coder))
            store.add(new_coding(transcript, segments[3], "FTR-INTERP", coder))
    return study


def _assert_safe_csv(text: str, where: str) -> None:
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell.startswith(TRIGGERS) or NUMBER.fullmatch(cell), (where, cell)


def _assert_strings_only(path: Path) -> None:
    """No formula in the workbook: read back by openpyxl and in the sheets' XML."""
    for sheet in load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), (path, sheet.title)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, (path, name)


def _cells(path: Path) -> set:
    sheets = load_workbook(path).worksheets
    return {cell.value for sheet in sheets for row in sheet.iter_rows() for cell in row}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    study = _hostile_study(tmp_path_factory.mktemp("exports") / "study")
    return study, build_report(study, samples=20)


def test_exports_report_csv_cells_never_start_a_formula(hostile) -> None:
    study, result = hostile
    assert result.rebuilt and not result.removed
    written = [p for p in result.files if p.suffix == ".csv"]
    assert len(written) > 10
    for path in written:
        _assert_safe_csv(path.read_bytes().decode("utf-8"), path.name)
    quotes = (study.outputs_dir / "tables" / "quotes.csv").read_text(encoding="utf-8")
    for shown in ["'" + HYPERLINK.replace('"', '""'), "'+1+1 in a shelter", "'-2+3 in a shelter",
                  "'@SUM(A1) in a shelter", "'=1+1 shelter", "'+1+1 no interpreter",
                  "'=ไม่มีล่าม ตำรวจพาไปบ้านพัก", "'=ถูกกักในสถานคุ้มครอง", "'@SUM(A1) held"]:
        assert shown in quotes, shown
    by_site = (study.outputs_dir / "tables" / "rights-by-site.csv").read_text(encoding="utf-8")
    assert "'" + HYPERLINK.replace('"', '""') in by_site and "'@SUM(A1)" in by_site  # attribute values
    by_group = (study.outputs_dir / "tables" / "rights-by-group.csv").read_bytes().decode("utf-8")
    assert "'\t=1" in by_group and "\"'\r=1\"" in by_group


def test_exports_report_xlsx_keeps_hostile_text_as_text(hostile) -> None:
    study, _ = hostile
    workbook = study.outputs_dir / "tables.xlsx"
    _assert_strings_only(workbook)
    cells = _cells(workbook)
    assert {HYPERLINK, "+1+1 in a shelter", "=ไม่มีล่าม ตำรวจพาไปบ้านพัก", "=ถูกกักในสถานคุ้มครอง",
            "@SUM(A1) held", "\t=1", "\r=1", "+1+1 no interpreter"} <= cells  # the text exactly
    assert any(isinstance(value, int) and not isinstance(value, bool) for value in cells)  # numbers


def test_exports_disagreements_workbook_keeps_hostile_text_as_text(hostile, tmp_path) -> None:
    study, _ = hostile
    store = CodingStore(study)
    transcript = read_corpus(study).get("P2")
    store.add(new_coding(transcript, segment_body("P2", transcript.body)[1], "LIB-DET", "nok"))
    result = study_agreement(study, samples=20)
    assert HYPERLINK in set(result.disagreements.astype(str).to_numpy().ravel())
    path = write_disagreements(result, tmp_path / "disagreements.xlsx")
    _assert_strings_only(path)
    assert HYPERLINK in _cells(path) and "=ถูกกักในสถานคุ้มครอง" in _cells(path)


def test_exports_csv_neutralises_text_but_not_numbers() -> None:
    frame = pd.DataFrame({"text": [*HOSTILE, "-3", "ok", None], "n": [-1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
                          "share": [-0.5] * 10})
    frame["=header"] = "a"
    text = csv_text(frame)
    _assert_safe_csv(text, "frame")
    back = pd.read_csv(io.StringIO(text, newline=""), keep_default_na=False)
    assert back["text"].tolist() == ["'" + h for h in HOSTILE] + ["-3", "ok", ""]
    assert back["n"].tolist() == list(frame["n"]) and back["share"].tolist() == [-0.5] * 10
    assert "'=header" in back.columns
    assert neutralise(-5) == -5 and neutralise("＝1+1") == "'＝1+1" and neutralise("a=1") == "a=1"


def test_exports_workbook_index_and_headers_are_strings(tmp_path) -> None:
    frame = pd.DataFrame({"=a": [1, 2]}, index=pd.Index(["@x", "-1"], name="+i"))
    path = write_workbook(tmp_path / "t.xlsx", {"sheet": frame}, index=True)
    _assert_strings_only(path)
    assert {"=a", "@x", "+i", 1, 2} <= _cells(path)
