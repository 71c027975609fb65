"""Participant attributes in a sheet: export, edit, import back into the front matter and nothing else."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from analysis.intake.attribute_sheet import read_sheet
from analysis.intake.attributes import SheetError, export_attributes, import_attributes
from analysis.intake.front_matter_edit import read_front_matter_bytes
from analysis.study import Study, init_study
from conftest import FIXTURES

SITTHI = Path(sys.executable).parent / "sitthi"
BODY = "I: What happened?\n\nR: The police took me to a shelter.\n"
# P3 is written as Notepad would: byte-order mark, CRLF, a comment and a quoted value
P3 = ("---\r\nid: P3\r\nlanguage: en   # checked\r\nanonymised: true\r\nsite: 'A'  # the village\r\n"
      "group: thai\r\nnote: call back\r\n---\r\n\r\nI: What happened?\r\n\r\nR: Nothing.\r\n")


def _transcript(tid: str, site: str, extra: str = "") -> str:
    return f"---\nid: {tid}\nlanguage: en\nanonymised: true\nsite: {site}\ngroup: thai\n{extra}---\n\n{BODY}"


@pytest.fixture
def study(tmp_path: Path) -> Study:
    """Three transcripts (sites A, A, A; P2 with a list-valued key, P3 with BOM, CRLF and comments)."""
    made = init_study(tmp_path / "study", name="Test study", codebooks=FIXTURES / "codebooks" / "study")
    folder = made.transcripts_dir
    (folder / "P1.md").write_text(_transcript("P1", "A", "age_band: 25-34\n"), encoding="utf-8")
    (folder / "P2.md").write_text(_transcript("P2", "A", "tags: [x, y]\n"), encoding="utf-8")
    (folder / "P3.md").write_bytes(b"\xef\xbb\xbf" + P3.encode("utf-8"))
    return made


def _files(study: Study) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(study.transcripts_dir.iterdir()) if p.name[0] != "."}


def _set_xlsx(path: Path, edits: dict[tuple[int, str], object]) -> None:
    """Change cells of an exported workbook: (Excel row, column name) → value."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    for (row, column), value in edits.items():
        if column not in header:
            header.append(column)
            sheet.cell(row=1, column=len(header), value=column)
        sheet.cell(row=row, column=header.index(column) + 1, value=value)
    book.save(path)


def _write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> None:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


def _problems(study: Study, sheet: Path) -> list[str]:
    before = _files(study)
    with pytest.raises(SheetError) as caught:
        import_attributes(study, sheet)
    assert _files(study) == before, "nothing may be written when the sheet has a problem"
    return [problem.message for problem in caught.value.problems]


def test_attributes_export_columns_and_values(study, tmp_path) -> None:
    rows = list(csv.reader(export_attributes(study, tmp_path / "a.csv").read_text().splitlines()))
    assert rows[0] == ["id", "file", "language", "site", "group", "age_band", "note"]  # no list-valued 'tags'
    assert rows[1] == ["P1", "data/transcripts/P1.md", "en", "A", "thai", "25-34", ""]
    assert rows[3] == ["P3", "data/transcripts/P3.md", "en", "A", "thai", "", "call back"]


def test_attributes_round_trip_xlsx_changes_only_that_line(study, tmp_path) -> None:
    sheet = export_attributes(study, tmp_path / "a.xlsx")
    before = _files(study)
    _set_xlsx(sheet, {(4, "site"): "B"})  # P3: row 4 (header is row 1)
    result = import_attributes(study, sheet)
    assert [c.line() for c in result.changes] == ["P3: site: A → B"]
    after = _files(study)
    assert {name for name in after if after[name] != before[name]} == {"P3.md"}
    assert after["P3.md"] == before["P3.md"].replace(b"site: 'A'  # the village", b"site: 'B'  # the village")
    assert import_attributes(study, sheet).changes == []  # importing again changes nothing


def test_attributes_round_trip_csv_adds_and_removes_keys(study, tmp_path) -> None:
    sheet = export_attributes(study, tmp_path / "a.csv")
    rows = list(csv.reader(sheet.read_text(encoding="utf-8-sig").splitlines()))
    rows[0].append("interviewer")
    for row, value in zip(rows[1:], ("nok", "", "mai"), strict=True):
        row.append(value)
    rows[3][6] = ""  # P3's note emptied: not a study attribute, so the key goes
    _write_csv(sheet, rows, encoding="utf-8-sig")  # Excel's "CSV UTF-8" has a byte-order mark
    before = _files(study)
    result = import_attributes(study, sheet)
    assert sorted(c.line() for c in result.changes) == [
        "P1: interviewer: (none) → nok", "P3: interviewer: (none) → mai", "P3: note: call back → (none)"]
    assert _files(study)["P1.md"] == before["P1.md"].replace(b"age_band: 25-34\n",
                                                             b"age_band: 25-34\ninterviewer: nok\n")
    assert _files(study)["P3.md"] == before["P3.md"].replace(b"note: call back\r\n", b"interviewer: mai\r\n")
    assert _files(study)["P2.md"] == before["P2.md"]


def test_attributes_numbers_round_trip_through_excel(study, tmp_path) -> None:
    path = study.transcripts_dir / "P1.md"
    path.write_text(path.read_text().replace("group: thai\n", "group: thai\nweight: 2.0\nage: 34\n"))
    sheet = export_attributes(study, tmp_path / "a.xlsx")
    cells = {cell.value: cell.column for cell in openpyxl.load_workbook(sheet).active[1]}
    row = openpyxl.load_workbook(sheet).active[2]
    assert (row[cells["age"] - 1].value, row[cells["weight"] - 1].value) == (34, 2.0)  # numbers stay numbers
    assert import_attributes(study, sheet).changes == []  # Excel reads 2.0 back as 2: the same value

def test_attributes_formula_looking_value_stays_text(study, tmp_path) -> None:
    formula = '=HYPERLINK("http://evil.example","x")'
    sheet = export_attributes(study, tmp_path / "a.xlsx")
    _set_xlsx(sheet, {(2, "note"): formula})
    book = openpyxl.load_workbook(sheet)
    book.active.cell(row=2, column=7).data_type = "s"  # typed as text, as Excel stores it
    book.save(sheet)
    import_attributes(study, sheet)
    assert f"note: {formula}\n" in (study.transcripts_dir / "P1.md").read_text()
    exported = export_attributes(study, tmp_path / "b.xlsx")
    cell = openpyxl.load_workbook(exported).active.cell(row=2, column=7)
    assert (cell.value, cell.data_type) == (formula, "s")
    as_csv = export_attributes(study, tmp_path / "b.csv")
    assert f"'{formula}".replace('"', '""') in as_csv.read_text()  # the CSV cell is neutralised …
    assert read_sheet(as_csv).rows[0][1][6] == formula  # … and read back as it was
    assert import_attributes(study, as_csv).changes == []


def test_attributes_every_problem_names_its_row(study, tmp_path) -> None:
    sheet = tmp_path / "bad.xlsx"
    book = openpyxl.Workbook()
    rows = [["id", "file", "language", "site", "group", "Age Group", "note"],
            ["P1", "", "th", "A", "thai", "", ""],  # row 2: language is reserved
            ["P2", "", "en", "", "thai", "", ""],  # row 3: site is a study attribute
            ["P2", "", "en", "A", "thai", "", ""],  # row 4: P2 twice
            ["P9", "", "en", "A", "thai", "", ""],  # row 5: unknown
            ["P3", "", "en", "a ", "thai", "", "=1+1"]]  # row 6: 'a' next to 'A'; a formula
    for row in rows:
        book.active.append(row)
    book.save(sheet)
    problems = _problems(study, sheet)
    expected = [("row 1", "column F 'Age Group' is not a valid front-matter key", "'age_group'"),
                ("row 2", "'language' cannot be changed", "put back en"),
                ("row 3", "site of P2 is empty", "fill it in"),
                ("row 4", "id 'P2' is also on row 3", "one row per transcript"),
                ("row 5", "no transcript with id 'P9'", "check the id"),
                ("row 6", "note of P3 is a formula (=1+1)", "type the value itself"),
                ("row 6", "site 'a' differs from 'A' (row 2, 4", "write 'A'")]
    assert len(problems) == len(expected), problems
    for words in expected:
        assert any(all(w in p for w in words) and f"bad.xlsx, {words[0]}:" in p for p in problems), words


def test_attributes_one_bad_row_writes_nothing(study, tmp_path) -> None:
    sheet = tmp_path / "a.csv"
    _write_csv(sheet, [["id", "site", "group"], ["P1", "B", "thai"], ["P2", "B", "thai"],
                       ["P3", "b", "thai"]], delimiter=";")
    assert _problems(study, sheet) == [
        f"{sheet}, row 4: site 'b' differs from 'B' (row 2, 3) only by case or spacing — write 'B' "
        "(one spelling per value, or breakdowns split it in two)"]


def test_attributes_spelling_counts_transcripts_not_in_the_sheet(study, tmp_path) -> None:
    sheet = tmp_path / "a.csv"
    _write_csv(sheet, [["id", "site"], ["P1", "Chiang  Mai"]])
    for name in ("P2.md", "P3.md"):
        path = study.transcripts_dir / name
        text = path.read_bytes().replace(b"site: A", b"site: Chiang Mai")
        path.write_bytes(text.replace(b"'A'", b"'Chiang Mai'"))
    problems = _problems(study, sheet)
    assert len(problems) == 1 and "row 2: site 'Chiang  Mai' differs from 'Chiang Mai'" in problems[0]
    assert "(2 transcript(s) not in the sheet)" in problems[0]


def test_attributes_dry_run_and_raw_folder(study, tmp_path) -> None:
    raw = study.raw_dir / "R1.md"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(_transcript("R1", "Bangkok").replace("anonymised: true", "anonymised: false"))
    sheet = export_attributes(study, tmp_path / "raw.csv", raw=True)
    assert "R1" in sheet.read_text() and "P1" not in sheet.read_text()
    _write_csv(sheet, [["id", "site", "group"], ["R1", "Pattaya", "thai"]])
    before = raw.read_bytes()
    dry = import_attributes(study, sheet, raw=True, dry_run=True)
    assert dry.summary()[-1] == "1 value(s) in 1 transcript(s) would be changed (dry run: nothing written)."
    assert raw.read_bytes() == before
    import_attributes(study, sheet, raw=True)
    assert raw.read_bytes() == before.replace(b"site: Bangkok", b"site: Pattaya")


@pytest.mark.parametrize("codec, prefix", [("utf-8", b""), ("cp874", b""), ("utf-16-le", b"\xff\xfe")])
def test_attributes_edit_keeps_encoding_and_body_bytes(codec, prefix) -> None:
    text = ("---\r\nid: T1\r\nsite:   # to fill\r\nmemo: |\r\n  two\r\n  lines\r\nold: x\r\n---\r\n\r\n"
            "R: ไม่มีล่ามเลย\r\n")
    data = prefix + text.encode(codec)
    edited = read_front_matter_bytes(data, Path("T1.md")).edited(
        {"site": "yes", "memo": "one", "old": None, "age": "34"})
    body = "\r\nR: ไม่มีล่ามเลย\r\n".encode(codec)
    assert edited.endswith(body) and data.endswith(body)
    assert edited[len(prefix):].decode(codec) == ('---\r\nid: T1\r\nsite: "yes"   # to fill\r\nmemo: one\r\n'
                                                  "age: 34\r\n---\r\n\r\nR: ไม่มีล่ามเลย\r\n")


def test_attributes_refuses_a_word_file_and_values_it_cannot_encode(study, tmp_path) -> None:
    thai = _transcript("P4", "A").replace("What", "ไหน")
    (study.transcripts_dir / "P4.txt").write_bytes(thai.encode("cp874"))
    sheet = tmp_path / "a.csv"
    _write_csv(sheet, [["id", "site", "group"], ["P4", "ທ່າແຂກ", "thai"]])  # Lao: not in TIS-620
    problem = _problems(study, sheet)[0]
    assert "row 2: P4: a new value cannot be written in this file's encoding (cp874)" in problem


def _sitthi(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SITTHI_STUDY", "SITTHI_DEBUG")}
    return subprocess.run([str(SITTHI), *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd)


def test_attributes_cli_exit_codes(study, tmp_path) -> None:
    done = _sitthi("attributes", "export", "a.xlsx", cwd=study.root)
    assert done.returncode == 0 and "Wrote a.xlsx" in done.stdout, done.stderr
    _set_xlsx(study.root / "a.xlsx", {(2, "site"): "B"})
    done = _sitthi("attributes", "import", "a.xlsx", "--dry-run", cwd=study.root)
    assert done.returncode == 0 and "P1: site: A → B" in done.stdout, done.stderr
    done = _sitthi("--study", study.root, "attributes", "import", study.root / "a.xlsx", cwd=tmp_path)
    assert done.returncode == 0 and "1 value(s) in 1 transcript(s) written." in done.stdout, done.stderr
    _set_xlsx(study.root / "a.xlsx", {(3, "id"): "P9"})
    done = _sitthi("attributes", "import", "a.xlsx", cwd=study.root)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith("a.xlsx, row 3: no transcript with id 'P9'")
    assert lines[-1].startswith("error: a.xlsx: 1 problem(s) in the sheet; nothing was written")
    done = _sitthi("attributes", "import", cwd=study.root)
    assert done.returncode == 2 and "Missing argument" in done.stderr
